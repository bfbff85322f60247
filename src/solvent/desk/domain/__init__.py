"""The desk's pure rules: the guided call's script (right-party verification, disclosures, outcomes).

No Django, no I/O, no clock: the facts, jurisdictions and times come in as arguments.
"""
