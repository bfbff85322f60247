"""`solvent remittance` and the other payments commands."""
