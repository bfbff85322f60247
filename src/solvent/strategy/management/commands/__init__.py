"""`solvent work_queues_refresh` (and the plan's commands)."""
