"""A profile suggested from a sample file: its encoding, header row and first rows read as an
import would read them, then `profile_suggest` (ADR 0035).

Nothing is stored: the desk, the API or the CLI shows the suggestion to a person, who saves it as
the client's profile (imports.profiles) once it reads right.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from solvent.portfolio.domain.placement_profile import ProfileSpec
from solvent.portfolio.domain.placement_suggest import Suggestion, field_for_name, profile_suggest
from solvent.portfolio.imports.layout import Layout, data_rows, header_candidates
from solvent.portfolio.imports.source import PlacementFileError, placement_source_open


def profile_suggest_from_file(
    path: Path, *, client_country: str, sample_rows: int = 200
) -> Suggestion:
    """The suggested profile for a client's file; PlacementFileError when it cannot be read."""
    source = placement_source_open(path)
    candidates = header_candidates(source)
    if not candidates:
        raise PlacementFileError("the file is empty: expected a header row and one row per account")
    # The header is the row with the most names we know (a title above it has none).
    best = max(
        candidates,
        key=lambda raw: (len({field_for_name(v) for v in raw.values} - {None}), -raw.number),
    )
    header = list(best.values)
    while header and not header[-1].strip():
        header.pop()
    # Sample the rows an import would read: after the header, not blank, not a totals row.
    layout = Layout(header_row=best.number, positions={}, width=len(header))
    rows = data_rows(source, layout, ProfileSpec())
    sample = [raw.values for raw in itertools.islice(rows, sample_rows) if raw.problem is None]
    return profile_suggest(header, sample, client_country=client_country)
