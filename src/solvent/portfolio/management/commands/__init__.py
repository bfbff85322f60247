"""``solvent import``: load a creditor's placement file."""
