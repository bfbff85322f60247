"""``solvent rules``: check scenarios against the engine and print the rules document."""
