"""The pure compliance engine (no Django): value objects, ``decide``, jurisdictions, rule packs and
the scenario format. Time zones, dates and rule sets come in as arguments."""
