"""`solvent screen_recordings purge`."""
