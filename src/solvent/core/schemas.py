"""The API's input types with their limits, its pagination, and the one shape of its errors (ADR 0020).

A value a column cannot hold is refused where it enters, as a 422 naming the field, instead of
reaching the database and failing there as a 500: ids within a signed 64-bit column, text within its
column's length and without NUL characters (PostgreSQL text holds none), datetimes that exist in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated, Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, StringConstraints

# The largest value of a signed 64-bit column (Django's BigAutoField, PostgreSQL bigint, SQLite
# INTEGER): an id beyond it names no row, and the database refuses to even compare with it.
MAX_ROW_ID = 2**63 - 1
# Paging past two billion rows is no use case: a whole portfolio leaves as an export, not as pages.
MAX_PAGE_OFFSET = 2**31 - 1
# Free text kept in a TextField (evidence, reasons): long enough for a pasted letter, not a file.
MAX_NOTE_LENGTH = 10_000
# Lists of ids in one request (the accounts a hold or consent is about).
MAX_IDS_PER_REQUEST = 1_000

RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID, description="a row id (1 to 2**63-1)")]


def _without_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("contains a NUL character (binary data pasted into a text field?)")
    return value


# Text without NUL; its length comes from its column: ``source: Text = Field(max_length=64)``.
Text = Annotated[str, AfterValidator(_without_nul)]
Note = Annotated[str, StringConstraints(max_length=MAX_NOTE_LENGTH), AfterValidator(_without_nul)]


def _in_utc(value: datetime) -> datetime:
    """An aware datetime as the same instant in UTC; a naive one is left for the service to refuse.

    PostgreSQL stores offsets up to 15:59 only, and an instant near year 1 or 9999 may not exist in
    UTC at all: converting first makes the first storable and the second a 422, never a 500.
    """
    if value.utcoffset() is None:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is outside the years 1 to 9999 once converted to UTC") from None


UtcDatetime = Annotated[datetime, AfterValidator(_in_utc)]


def _wall_clock(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("is a local wall-clock time: give it without a UTC offset")
    return value


# A time of day on the wall, e.g. "18:00" in the debtor's zone; a TimeField stores no offset.
WallTime = Annotated[time, AfterValidator(_wall_clock)]


class LimitOffsetPage(LimitOffsetPagination):
    """ninja's limit/offset pagination with an offset a database can take (``limit`` is capped by
    NINJA_PAGINATION_MAX_LIMIT, i.e. SOLVENT_API_MAX_PAGE)."""

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_PAGE_OFFSET)


class ValidationIssueOut(Schema):
    type: str = Field(description="the kind of problem, e.g. missing, string_too_long")
    loc: list[str | int] = Field(description='where: ["body", "payload", "source"], ["query", "q"]')
    msg: str


class ApiErrorOut(Schema):
    """Every error the API answers: JSON with ``detail``, and a stable ``code`` when one applies."""

    code: str = Field(
        "", description="stable machine-readable code, e.g. not_found, invalid_kind, invalid_json"
    )
    detail: str | list[ValidationIssueOut] = Field(
        description="what went wrong: a sentence, or (422) every invalid field with its location"
    )
    errors: list[dict[str, Any]] = Field(
        default_factory=list, description="several problems of one request, when there are"
    )
