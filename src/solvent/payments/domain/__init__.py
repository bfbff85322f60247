"""Pure payment rules: no Django here (import-linter checks it)."""
