"""What a file's header and first rows suggest for a new placement profile (ADR 0035). Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from solvent.portfolio.domain.placement_profile import ProfileSpec


@dataclass(frozen=True, slots=True)
class Suggestion:
    spec: ProfileSpec
    notes: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)


def profile_suggest(
    header: list[str], sample: list[list[str]], *, client_country: str
) -> Suggestion:
    raise NotImplementedError
