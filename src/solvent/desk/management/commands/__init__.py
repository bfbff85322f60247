"""`solvent <command>` commands of the desk."""
