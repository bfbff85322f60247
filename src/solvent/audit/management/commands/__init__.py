"""`solvent audit verify|export`, and `flush` made aware of the append-only triggers."""
