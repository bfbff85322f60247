"""Screen recording's pure rules: the server's masking of stored events (scrub), what a chunk the
recorder sends must be (chunks), and where a call's moments fall in a replay (timeline)."""
