"""Strategy: segments, treatment paths, champion/challenger, the daily plan and work queues (issue 12).

``domain`` holds the pure rules (segment conditions over a Polars frame, paths and the due step,
arm assignment and the statistics, the best hour, the priority, the staffed capacity); ``models``
the records; ``services`` the writes (the plan run, results posted back, edits); ``selectors`` the
tenant-scoped reads (the plan, "why not?", the experiment's figures). docs/strategy.md explains it.
"""
