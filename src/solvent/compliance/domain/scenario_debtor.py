"""Parsing of a scenario's ``debtor`` object: locations, contact points, holds, consents, debts."""

from __future__ import annotations

from typing import Any

import phonenumbers

from solvent.compliance.domain.localtime import is_known_zone
from solvent.compliance.domain.model import (
    WEEKDAY_NAMES,
    Address,
    Channel,
    Consent,
    ConsentKind,
    ContactPoint,
    ContactPointKind,
    Debt,
    DebtorProfile,
    Hold,
    HoldKind,
    Place,
    TimeRange,
)
from solvent.compliance.domain.scenario_reader import Reader


def _keys(*names: str) -> frozenset[str]:
    return frozenset(names)


DEBTOR_KEYS = _keys(
    "time_zones", "addresses", "contact_points", "holds", "consents", "inconvenient_times",
    "convenient_times", "debts", "jurisdictions",
)  # fmt: skip
ADDRESS_KEYS = _keys("id", "country", "region", "city", "postal_code", "place", "time_zone")
POINT_KEYS = _keys(
    "id", "kind", "value", "place", "employer_provided", "wrong_number", "reassigned"
)
HOLD_KEYS = _keys("kind", "received_at", "debt_ids", "contact_point_id", "channels", "released_at")
CONSENT_KEYS = _keys("kind", "given_at", "contact_point_id", "debt_ids", "revoked_at", "expires_at")
RANGE_KEYS = _keys("days", "start", "end", "valid_from", "valid_until", "time_zone")
DEBT_KEYS = _keys(
    "id", "kind", "balance", "currency", "student_loan_account", "validation_notice_sent_on",
    "time_barred", "ontario_notice_sent_on",
)  # fmt: skip
PHONE_KINDS = (ContactPointKind.MOBILE, ContactPointKind.LANDLINE)


def read_debtor(reader: Reader, data: Any, path: str) -> DebtorProfile:
    root = reader.obj(data, path, frozenset(), DEBTOR_KEYS)
    if root is None:
        return DebtorProfile()
    zones = reader.strings(root.get("time_zones"), f"{path}.time_zones")
    for index, name in enumerate(zones):
        if name and not is_known_zone(name):
            reader.error(f"{path}.time_zones[{index}]", f"unknown IANA time zone {name!r}")
    addresses = tuple(
        _address(reader, item, p)
        for p, item in reader.items(root.get("addresses"), f"{path}.addresses")
    )
    points = tuple(
        _point(reader, item, p)
        for p, item in reader.items(root.get("contact_points"), f"{path}.contact_points")
    )
    debts = tuple(
        _debt(reader, item, p) for p, item in reader.items(root.get("debts"), f"{path}.debts")
    )
    _unique(reader, [(f"{path}.contact_points[{i}].id", p.id) for i, p in enumerate(points)])
    _unique(reader, [(f"{path}.debts[{i}].id", d.id) for i, d in enumerate(debts)])
    profile = DebtorProfile(
        time_zones=zones,
        addresses=addresses,
        contact_points=points,
        debts=debts,
        jurisdictions=reader.strings(root.get("jurisdictions"), f"{path}.jurisdictions"),
        inconvenient_times=tuple(
            _range(reader, item, p)
            for p, item in reader.items(
                root.get("inconvenient_times"), f"{path}.inconvenient_times"
            )
        ),
        convenient_times=tuple(
            _range(reader, item, p)
            for p, item in reader.items(root.get("convenient_times"), f"{path}.convenient_times")
        ),
    )
    holds = tuple(
        _hold(reader, item, p, profile)
        for p, item in reader.items(root.get("holds"), f"{path}.holds")
    )
    consents = tuple(
        _consent(reader, item, p, profile)
        for p, item in reader.items(root.get("consents"), f"{path}.consents")
    )
    return DebtorProfile(
        time_zones=profile.time_zones,
        addresses=profile.addresses,
        contact_points=profile.contact_points,
        holds=holds,
        consents=consents,
        inconvenient_times=profile.inconvenient_times,
        convenient_times=profile.convenient_times,
        debts=profile.debts,
        jurisdictions=profile.jurisdictions,
    )


def _unique(reader: Reader, pairs: list[tuple[str, str]]) -> None:
    seen: set[str] = set()
    for path, value in pairs:
        if value in seen:
            reader.error(path, f"duplicate id {value!r}")
        seen.add(value)


def _zone(reader: Reader, value: Any, path: str) -> str | None:
    name = reader.opt_string(value, path)
    if name and not is_known_zone(name):
        reader.error(path, f"unknown IANA time zone {name!r}")
    return name


def _address(reader: Reader, data: Any, path: str) -> Address:
    root = reader.obj(data, path, _keys("country"), ADDRESS_KEYS - {"country"}) or {}
    country = reader.string(root.get("country"), f"{path}.country")
    if country and (len(country) != 2 or not country.isalpha()):
        reader.error(f"{path}.country", f"expected an ISO 3166-1 alpha-2 code, got {country!r}")
    return Address(
        id=reader.opt_string(root.get("id"), f"{path}.id") or path,
        country=country.upper(),
        region=reader.opt_string(root.get("region"), f"{path}.region"),
        city=reader.opt_string(root.get("city"), f"{path}.city"),
        postal_code=reader.opt_string(root.get("postal_code"), f"{path}.postal_code"),
        place=reader.choice(root.get("place"), f"{path}.place", Place, Place.HOME),
        time_zone=_zone(reader, root.get("time_zone"), f"{path}.time_zone"),
    )


def _point(reader: Reader, data: Any, path: str) -> ContactPoint:
    root = reader.obj(data, path, _keys("id", "kind", "value"), POINT_KEYS) or {}
    kind = reader.choice(root.get("kind"), f"{path}.kind", ContactPointKind)
    value = reader.string(root.get("value"), f"{path}.value")
    if value and kind in PHONE_KINDS and not _valid_phone(value):
        reader.error(f"{path}.value", f"not a valid E.164 phone number: {value!r}")
    default_place = (
        Place.HOME
        if kind in (ContactPointKind.LANDLINE, ContactPointKind.POSTAL)
        else Place.PERSONAL
    )
    return ContactPoint(
        id=reader.string(root.get("id"), f"{path}.id"),
        kind=kind,
        value=value,
        place=reader.choice(root.get("place"), f"{path}.place", Place, default_place),
        employer_provided=reader.boolean(
            root.get("employer_provided"), f"{path}.employer_provided"
        ),
        wrong_number=reader.boolean(root.get("wrong_number"), f"{path}.wrong_number"),
        reassigned=reader.boolean(root.get("reassigned"), f"{path}.reassigned"),
    )


def _valid_phone(value: str) -> bool:
    if not value.startswith("+"):
        return False
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(value, None))
    except phonenumbers.NumberParseException:
        return False


def read_debt_refs(
    reader: Reader, value: Any, path: str, profile: DebtorProfile
) -> tuple[str, ...]:
    ids = reader.strings(value, path)
    known = {debt.id for debt in profile.debts}
    for index, debt_id in enumerate(ids):
        if debt_id and debt_id not in known:
            reader.error(f"{path}[{index}]", f"unknown debt id {debt_id!r}")
    return ids


def read_point_ref(reader: Reader, value: Any, path: str, profile: DebtorProfile) -> str | None:
    point_id = reader.opt_string(value, path)
    if point_id and profile.contact_point(point_id) is None:
        reader.error(path, f"unknown contact point id {point_id!r}")
    return point_id


def _hold(reader: Reader, data: Any, path: str, profile: DebtorProfile) -> Hold:
    root = reader.obj(data, path, _keys("kind", "received_at"), HOLD_KEYS) or {}
    return Hold(
        kind=reader.choice(root.get("kind"), f"{path}.kind", HoldKind),
        received_at=reader.moment(root.get("received_at"), f"{path}.received_at"),
        debt_ids=read_debt_refs(reader, root.get("debt_ids"), f"{path}.debt_ids", profile),
        contact_point_id=read_point_ref(
            reader, root.get("contact_point_id"), f"{path}.contact_point_id", profile
        ),
        channels=tuple(
            reader.choice(item, p, Channel)
            for p, item in reader.items(root.get("channels"), f"{path}.channels")
        ),
        released_at=reader.opt_moment(root.get("released_at"), f"{path}.released_at"),
    )


def _consent(reader: Reader, data: Any, path: str, profile: DebtorProfile) -> Consent:
    root = reader.obj(data, path, _keys("kind", "given_at"), CONSENT_KEYS) or {}
    return Consent(
        kind=reader.choice(root.get("kind"), f"{path}.kind", ConsentKind),
        given_at=reader.moment(root.get("given_at"), f"{path}.given_at"),
        contact_point_id=read_point_ref(
            reader, root.get("contact_point_id"), f"{path}.contact_point_id", profile
        ),
        debt_ids=read_debt_refs(reader, root.get("debt_ids"), f"{path}.debt_ids", profile),
        revoked_at=reader.opt_moment(root.get("revoked_at"), f"{path}.revoked_at"),
        expires_at=reader.opt_moment(root.get("expires_at"), f"{path}.expires_at"),
    )


def _range(reader: Reader, data: Any, path: str) -> TimeRange:
    root = reader.obj(data, path, frozenset(), RANGE_KEYS) or {}
    days: list[int] = []
    for item_path, item in reader.items(root.get("days"), f"{path}.days"):
        if isinstance(item, str) and item in WEEKDAY_NAMES:
            days.append(WEEKDAY_NAMES.index(item))
        else:
            reader.error(
                item_path, f"unknown day {item!r}; expected one of: {', '.join(WEEKDAY_NAMES)}"
            )
    start = reader.clock(root.get("start"), f"{path}.start")
    end = reader.clock(root.get("end"), f"{path}.end")
    if start is not None and end is not None and end <= start:
        reader.error(f"{path}.end", "must be later than start")
    return TimeRange(
        days=tuple(days) if "days" in root else (0, 1, 2, 3, 4, 5, 6),
        start=start,
        end=end,
        valid_from=reader.day(root.get("valid_from"), f"{path}.valid_from"),
        valid_until=reader.day(root.get("valid_until"), f"{path}.valid_until"),
        time_zone=_zone(reader, root.get("time_zone"), f"{path}.time_zone"),
    )


def _debt(reader: Reader, data: Any, path: str) -> Debt:
    root = reader.obj(data, path, _keys("id"), DEBT_KEYS) or {}
    return Debt(
        id=reader.string(root.get("id"), f"{path}.id"),
        kind=reader.opt_string(root.get("kind"), f"{path}.kind") or "other",
        balance=reader.money(root.get("balance"), f"{path}.balance"),
        currency=reader.opt_string(root.get("currency"), f"{path}.currency"),
        student_loan_account=reader.opt_string(
            root.get("student_loan_account"), f"{path}.student_loan_account"
        ),
        validation_notice_sent_on=reader.day(
            root.get("validation_notice_sent_on"), f"{path}.validation_notice_sent_on"
        ),
        time_barred=reader.boolean(root.get("time_barred"), f"{path}.time_barred"),
        ontario_notice_sent_on=reader.day(
            root.get("ontario_notice_sent_on"), f"{path}.ontario_notice_sent_on"
        ),
    )
