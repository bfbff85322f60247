"""Pure portfolio rules (no Django): debt aging and the placement file's columns."""
