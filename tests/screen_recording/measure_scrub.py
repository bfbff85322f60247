"""How fast the server masks events (ADR 0043): one JSON line of figures.

``.venv/bin/python -m tests.screen_recording.measure_scrub`` (no database, no Django setup): a full
snapshot of 5,000 text nodes, once with personal data in every node and once with none.
"""

from __future__ import annotations

import json
import time

from solvent.screen_recording.domain.scrub import PersonalData, events_scrub

KNOWN = PersonalData(
    names=("Pat Doe", "Pat", "Doe"),
    phones=("+16142250101",),
    emails=("pat@example.com",),
    address_lines=("1 High St", "43215"),
    dates_of_birth=("1980-04-02",),
    national_ids=("123456789",),
)


def _measure(suffix: str) -> dict[str, float]:
    nodes = [
        {"type": 3, "id": i, "textContent": f"Row {i}: balance 1,234.56 USD on 2026-06-01{suffix}"}
        for i in range(5000)
    ]
    events = [{"type": 2, "timestamp": 1, "data": {"node": {"type": 0, "childNodes": nodes}}}]
    size = len(json.dumps(events))
    started = time.perf_counter()
    result = events_scrub(events, KNOWN)
    seconds = time.perf_counter() - started
    return {
        "bytes": size,
        "seconds": round(seconds, 3),
        "mb_per_s": round(size / seconds / 1e6, 2),
        "strings_masked": result.strings_changed,
    }


if __name__ == "__main__":
    print(  # noqa: T201 - the figures
        json.dumps(
            {"with_personal_data": _measure(" · Pat Doe +1 614 225 0101"), "without": _measure("")}
        )
    )
