"""``solvent token create``: an API token for an integrator."""
