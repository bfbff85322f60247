"""The strategy engine's pure rules: no Django, no I/O, no clock (``today`` and ``now`` come in).

- ``features``: the catalogue of fields a segment may test, one row per account in a Polars frame.
- ``segments``: segments as data (conditions), their Polars expression and first-match assignment.
- ``paths``: treatment paths (steps and rules) and where an account stands on its path.
- ``defaults``: the shipped early, middle and late paths, the hardship path, the default segments
  and the benchmark's baseline path, as data that ``paths.path_parse`` accepts.
- ``experiments``: champion/challenger assignment by hash, and the statistics that compare arms.
- ``timing``: when a debtor is most likely to answer, by channel and local hour (shrunk estimates).
- ``priority``: the documented expected-value priority of a planned action.
- ``capacity``: the staffed call capacity of a day by hour, and the allocation of calls to it.
- ``costs``: what an attempt costs by channel (the plan's expected cost, an arm's cost to collect).
"""
