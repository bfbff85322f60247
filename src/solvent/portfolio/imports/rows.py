"""From a raw row of text to validated records for one account and its debtors, or to row errors.

Every problem in a row is reported (not only the first), each naming the row, the column, the value
and the reason. Debtor match keys are computed here: a keyed hash of the national id when there is
one, else of the normalised name, date of birth and postal code; the hash function comes in as an
argument so this module stays free of Django and of secrets.

Values are read as the placement's profile says (`context.spec`: date formats, separators, currency
signs, the phones' region), compiled once per file, and errors name the column as the file names
it (`layout.label`), so the creditor can find it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import TypeVar

from solvent.portfolio.domain.placement_profile import ProfileSpec
from solvent.portfolio.imports import values as v
from solvent.portfolio.imports.layout import Layout, columns_read
from solvent.portfolio.imports.phones import parse_phone
from solvent.portfolio.imports.records import (
    AccountRecord,
    AddressRecord,
    ImportContext,
    PersonRecord,
    PhoneRecord,
    PlacementRow,
)
from solvent.portfolio.imports.report import MASKED_COLUMNS, error_masked
from solvent.portfolio.imports.source import RawRow, RowError

PRODUCTS = v.codes(
    "credit_card personal_loan auto_loan student_loan medical utility telecom mortgage other"
)
LANGUAGES = frozenset({"en", "es", "fr"})
_PHONE_COLUMNS = (("phone_home", "home"), ("phone_mobile", "mobile"), ("phone_work", "work"))
_EARLIEST_BIRTH = date(1900, 1, 1)
T = TypeVar("T")
_BEFORE_PLACEMENT = frozenset({"open_date", "delinquency_date"})


def header_check(header: list[str], *, row: int = 1) -> dict[str, int]:
    """Our own format's header: each known column's position; unknown, repeated or missing
    columns are fatal (PlacementFileError)."""
    positions, _ = columns_read(header, ProfileSpec.default(), row=row)
    return positions


@dataclass(frozen=True, slots=True)
class _Formats:
    """A profile's value formats, compiled once per file (not once per row)."""

    date: Callable[[str], date | None]
    amounts: v.AmountFormat
    phone_region: str


_FORMATS: dict[tuple[int, date], tuple[ProfileSpec, _Formats]] = {}


def _formats(context: ImportContext) -> _Formats:
    spec = context.spec
    key = (id(spec), context.today)
    cached = _FORMATS.get(key)
    if cached is not None and cached[0] is spec:  # the same spec object, not a reused id
        return cached[1]
    if len(_FORMATS) >= 32:
        _FORMATS.clear()
    dates = v.DateFormats(spec.date_formats, today=context.today)
    formats = _Formats(
        date=partial(v.parse_date, formats=dates),
        amounts=v.AmountFormat(
            decimal=spec.decimal_separator,
            thousands=spec.thousands_separator,
            signs=spec.currency_symbols,
        ),
        phone_region=spec.phone_region,
    )
    _FORMATS[key] = (spec, formats)
    return formats


class _Row:
    """Reads one raw row by column name and collects the errors found along the way."""

    __slots__ = ("errors", "fields", "labels", "number")

    def __init__(self, raw: RawRow, layout: Layout) -> None:
        self.number = raw.number
        self.labels = layout.labels
        values = raw.values
        count = len(values)
        self.fields = {name: values[i].strip() for name, i in layout.positions.items() if i < count}
        if layout.constants:
            for name, value in layout.constants.items():
                self.fields.setdefault(name, value)
        self.errors: list[RowError] = []

    def text(self, column: str) -> str:
        return self.fields.get(column, "")

    def fail(self, column: str, value: str, reason: str) -> None:
        error = RowError(self.number, column, value, reason)
        if column in MASKED_COLUMNS:
            # Masked here, by our field's name: the report masks by column, and the file may call
            # the column "DOB" or "SSN".
            error = error_masked(error)
        label = self.labels.get(column, column)
        if label != column:
            error = RowError(error.row, label, error.value, error.reason)
        self.errors.append(error)

    def amount(self, column: str, formats: _Formats, currency: str, rounds: bool) -> Decimal | None:
        text = self.fields.get(column, "")
        if not text:
            return None
        try:
            return v.parse_amount(
                text,
                formats=formats.amounts,
                places=v.currency_places(currency),
                round_excess=rounds,
                currency=currency,
            )
        except v.InvalidValue as problem:
            self.fail(column, text, str(problem))
            return None

    def parse(self, column: str, parser: Callable[[str], T], fallback: T) -> T:
        text = self.text(column)
        try:
            return parser(text)
        except v.InvalidValue as problem:
            self.fail(column, text, str(problem))
            return fallback

    def required(self, column: str, max_length: int) -> str:
        text = self.text(column)
        if not text:
            self.fail(column, text, "required, but empty")
        return self.optional(column, max_length)

    def optional(self, column: str, max_length: int) -> str:
        # The commonest check of a row, so written out rather than through parse().
        text = self.fields.get(column, "")
        if len(text) > max_length:
            self.fail(column, text, f"longer than {max_length} characters ({len(text)})")
            return ""
        return text


def row_validate(
    raw: RawRow, *, layout: Layout, context: ImportContext
) -> PlacementRow | list[RowError]:
    """Validate one row; the records to write, or every error found in it."""
    if raw.problem is not None:
        return [raw.problem]
    width = layout.width
    if len(raw.values) > width and any(x.strip() for x in raw.values[width:]):
        return [
            RowError(
                raw.number,
                "",
                "",
                f"the row has {len(raw.values)} values but the header has {width} columns",
            )
        ]
    row = _Row(raw, layout)
    joined = "".join(row.fields.values())  # one join for both whole-row scans of a clean row
    _check_nul(row, joined)
    _check_encoding(row, joined)
    if row.errors:
        return row.errors
    formats = _formats(context)
    account = _account(row, context, formats, layout.rounds_money)
    country = row.parse(
        "country",
        lambda t: v.parse_country(t, default=context.client_country),
        context.client_country,
    )
    debtor = _debtor(row, context, formats, country=country, account_number=account.account_number)
    cosigner = _cosigner(
        row, context, formats, country=country, account_number=account.account_number
    )
    if row.errors:
        return row.errors
    return PlacementRow(raw.number, account, debtor, cosigner)


def _check_nul(row: _Row, joined: str) -> None:
    # PostgreSQL text cannot hold NUL: left in, one such cell failed the whole file at COPY time.
    if "\x00" not in joined:  # one scan for the common, clean row
        return
    for column, text in row.fields.items():
        if "\x00" in text:
            row.fail(
                column,
                text.replace("\x00", "\u2400"),
                "contains a NUL byte (binary data pasted into the cell?): remove it and send the row again",
            )


def _check_encoding(row: _Row, joined: str) -> None:
    if joined.isascii():
        return
    for column, text in row.fields.items():
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                shown = text.encode("utf-8", "surrogateescape").decode("latin-1")
                row.fail(
                    column,
                    shown,
                    "not UTF-8 text (is the file saved as Latin-1 or Windows-1252?); save it as 'CSV UTF-8'",
                )


def _account(row: _Row, context: ImportContext, formats: _Formats, rounds: bool) -> AccountRecord:
    number = row.required("account_number", 64)
    if number in context.duplicates:
        row.fail(
            "account_number",
            number,
            f"the account number appears {context.duplicates[number]} times in this file; none of "
            "those rows is imported, so that neither overwrites the other",
        )
    zero = Decimal("0.00")
    currency = row.parse(
        "currency", lambda t: v.parse_currency(t, default=context.client_currency), ""
    )
    principal = row.amount("principal", formats, currency, rounds)
    if principal is None and not row.text("principal"):
        row.fail("principal", "", "required, but empty")
    dates = {
        name: row.parse(name, formats.date, None)
        for name in ("open_date", "delinquency_date", "charge_off_date", "last_payment_date")
    }
    for name, value in dates.items():
        # The account's own history ends at the placement; a charge-off or a payment to the
        # client may still follow it, but nothing lies in the future.
        limit = context.placed_on if name in _BEFORE_PLACEMENT else context.today
        if value is not None and value > limit:
            what = "the placement date" if name in _BEFORE_PLACEMENT else "today"
            row.fail(name, value.isoformat(), f"after {what} ({limit.isoformat()})")
    opened, delinquent = dates["open_date"], dates["delinquency_date"]
    if opened and delinquent and delinquent < opened:
        row.fail(
            "delinquency_date", delinquent.isoformat(), f"before the open date {opened.isoformat()}"
        )
    return AccountRecord(
        account_number=number,
        original_creditor=row.optional("original_creditor", 200),
        original_account_number=row.optional("original_account_number", 64),
        product=row.parse("product", _product, "other"),
        currency=currency,
        principal=principal or zero,
        interest=row.amount("interest", formats, currency, rounds) or zero,
        fees=row.amount("fees", formats, currency, rounds) or zero,
        open_date=opened,
        delinquency_date=delinquent,
        charge_off_date=dates["charge_off_date"],
        last_payment_date=dates["last_payment_date"],
        last_payment_amount=row.amount("last_payment_amount", formats, currency, rounds),
    )


def _product(text: str) -> str:
    # "Credit Card" and "credit-card" are how people write credit_card.
    return v.parse_choice(text.replace(" ", "_").replace("-", "_"), PRODUCTS, default="other")


def _birth_date(row: _Row, column: str, context: ImportContext, formats: _Formats) -> str:
    born = row.parse(column, formats.date, None)
    if born is None:
        return ""
    if not _EARLIEST_BIRTH <= born < context.today:
        row.fail(column, born.isoformat(), "not a plausible date of birth")
    return born.isoformat()


def _phone(row: _Row, column: str, country: str) -> str:
    """The E.164 form of a phone column, or "" when blank or invalid (the error is recorded)."""
    text = row.text(column)
    if not text:
        return ""
    try:
        return parse_phone(text, country=country).e164
    except v.InvalidValue as problem:
        row.fail(column, text, str(problem))
        return ""


def _debtor(
    row: _Row, context: ImportContext, formats: _Formats, *, country: str, account_number: str
) -> PersonRecord:
    first = row.required("first_name", 100)
    last = row.required("last_name", 100)
    born = _birth_date(row, "date_of_birth", context, formats)
    region = formats.phone_region or country
    national_id = row.parse(
        "national_id", lambda t: v.parse_national_id(t, country=country) if t else "", ""
    )
    address = _address(row, country)
    phones: list[PhoneRecord] = []
    for column, kind in _PHONE_COLUMNS:
        text = row.text(column)
        if not text:
            continue
        try:
            info = parse_phone(text, country=region)
        except v.InvalidValue as problem:
            row.fail(column, text, str(problem))
            continue
        if all(p.e164 != info.e164 for p in phones):
            phones.append(
                PhoneRecord(
                    info.e164,
                    kind,
                    info.line_type,
                    info.region_code,
                    info.time_zones,
                    info.extension,
                )
            )
    email = row.parse("email", lambda t: v.parse_email(t) if t else "", "")
    postal = address.postal_code if address else ""
    return PersonRecord(
        national_id_hash=_national_hash(context, country, national_id),
        identity_hash=_identity_hash(context, first, last, born, postal, account_number, "primary"),
        first_name=first,
        middle_name=row.optional("middle_name", 100),
        last_name=last,
        date_of_birth=born,
        national_id=national_id,
        language=row.parse("language", lambda t: v.parse_choice(t, LANGUAGES, default="en"), "en"),
        is_deceased=row.parse("deceased", v.parse_bool, False),
        in_bankruptcy=row.parse("bankruptcy", v.parse_bool, False),
        cease_communication=row.parse("cease_communication", v.parse_bool, False),
        attorney_name=row.optional("attorney_name", 200),
        attorney_phone=_phone(row, "attorney_phone", region),
        phones=phones,
        emails=[email] if email else [],
        address=address,
    )


def _address(row: _Row, country: str) -> AddressRecord | None:
    line1 = row.optional("address_line1", 200)
    city = row.optional("city", 100)
    postal_text = row.text("postal_code")
    if not (line1 or city or postal_text):
        return None
    for column, value in (("address_line1", line1), ("city", city), ("postal_code", postal_text)):
        if not value:
            row.fail(column, "", "required when an address is given")
    return AddressRecord(
        line1=line1,
        line2=row.optional("address_line2", 200),
        city=city,
        region=row.parse("region", lambda t: v.parse_region(t, country=country), ""),
        postal_code=row.parse(
            "postal_code",
            lambda t: v.parse_postal_code(t, country=country, pad_lost_zeros=True),
            "",
        )
        if postal_text
        else "",
        country=country,
    )


def _cosigner(
    row: _Row, context: ImportContext, formats: _Formats, *, country: str, account_number: str
) -> PersonRecord | None:
    columns = (
        "cosigner_first_name",
        "cosigner_last_name",
        "cosigner_date_of_birth",
        "cosigner_national_id",
        "cosigner_phone",
    )
    if not any(row.text(c) for c in columns):
        return None
    first = row.required("cosigner_first_name", 100)
    last = row.required("cosigner_last_name", 100)
    born = _birth_date(row, "cosigner_date_of_birth", context, formats)
    national_id = row.parse(
        "cosigner_national_id", lambda t: v.parse_national_id(t, country=country) if t else "", ""
    )
    phone = row.text("cosigner_phone")
    phones = []
    if phone:
        try:
            info = parse_phone(phone, country=formats.phone_region or country)
            phones.append(
                PhoneRecord(
                    info.e164,
                    "other",
                    info.line_type,
                    info.region_code,
                    info.time_zones,
                    info.extension,
                )
            )
        except v.InvalidValue as problem:
            row.fail("cosigner_phone", phone, str(problem))
    # The file gives no address for a co-signer, so the identity key uses name and birth date only.
    return PersonRecord(
        national_id_hash=_national_hash(context, country, national_id),
        identity_hash=_identity_hash(context, first, last, born, "", account_number, "co_signer"),
        first_name=first,
        middle_name="",
        last_name=last,
        date_of_birth=born,
        national_id=national_id,
        phones=phones,
    )


def _national_hash(context: ImportContext, country: str, national_id: str) -> str:
    return context.hasher(f"nid:{country}:{national_id}") if national_id else ""


def _identity_hash(
    context: ImportContext,
    first: str,
    last: str,
    born: str,
    postal: str,
    account_number: str,
    role: str,
) -> str:
    if born:
        return context.hasher(
            f"who:{name_key(last)}|{name_key(first)}|{born}|{postal.replace(' ', '')}"
        )
    # Without a birth date a name is not an identity: the debtor is keyed to this account, so a
    # re-import finds them again but two John Smiths on two accounts are never merged.
    return context.hasher(f"acct:{context.client_id}:{account_number}:{role}")


def name_key(name: str) -> str:
    """Case, accents, spaces and punctuation do not make a different person: O'Brien = obrien."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())
