"""Pure portal rules: no Django here (import-linter checks it)."""
