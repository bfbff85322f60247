"""``solvent demo``: build the demo portfolio, history and users."""
