"""Security tests that look at what Solvent leaves on disk and in the back office."""
