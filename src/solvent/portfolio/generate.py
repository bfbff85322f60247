"""Realistic generated placement files for the demo, the tests and the import benchmark.

Debtors live in real US, Canadian and UK cities with real postal-code prefixes and area codes; names
come from Faker's locale lists; balances, ages of debt and the share of co-signers, attorneys,
bankruptcies and cease requests follow what agencies typically see. Generation is seeded, so the same
seed gives the same file, and fast enough for a million rows (pools drawn once, rows assembled with
one random stream).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from faker import Faker

from solvent.portfolio.domain.placement_columns import COLUMN_NAMES
from solvent.portfolio.geography import CURRENCY_BY_COUNTRY, PLACES_BY_COUNTRY, Place

_PRODUCTS = (
    ("credit_card", 40, (300, 12000)),
    ("personal_loan", 15, (1000, 25000)),
    ("medical", 15, (80, 6000)),
    ("telecom", 10, (60, 1500)),
    ("utility", 8, (50, 2500)),
    ("auto_loan", 6, (2000, 30000)),
    ("student_loan", 6, (3000, 60000)),
)
_ORIGINAL_CREDITORS = {
    "credit_card": ("Northwind Card Services", "Harbor Bank", "Bluebird Credit"),
    "personal_loan": ("Lakeside Lending", "Summit Finance"),
    "medical": ("St. Anne Regional Hospital", "Valley Medical Group"),
    "telecom": ("Orbit Mobile", "Beacon Telecom"),
    "utility": ("Metro Power & Light", "Cascade Water"),
    "auto_loan": ("Roadway Auto Finance",),
    "student_loan": ("Scholar Loan Servicing",),
}
_STREETS_SUFFIX = ("St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Ct", "Way")
_GB_STREETS_SUFFIX = ("Road", "Street", "Lane", "Close", "Avenue", "Gardens")
_COUNTRY_MIX = {
    "US": (("US", 88), ("CA", 7), ("GB", 5)),
    "CA": (("CA", 90), ("US", 10)),
    "GB": (("GB", 95), ("US", 5)),
}


class _Pools:
    """Names and streets drawn once from Faker; rows combine them at random."""

    def __init__(self, seed: int) -> None:
        pools: dict[str, tuple[list[str], list[str], list[str]]] = {}
        for country, locale in (("US", "en_US"), ("CA", "en_CA"), ("GB", "en_GB")):
            fake = Faker(locale)
            fake.seed_instance(seed)
            pools[country] = (
                [fake.first_name() for _ in range(600)],
                [fake.last_name() for _ in range(900)],
                [fake.street_name().split(" ")[0] for _ in range(400)],
            )
        self.by_country = pools


def weighted_choice(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    """One option drawn with its weight: the shares demo data should show."""
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _phone(rng: random.Random, place: Place, *, mobile: bool) -> str:
    if place.country == "GB":
        if mobile:
            return f"07{rng.choice((400, 500, 800, 900))} {rng.randrange(1000000):06d}"
        code = rng.choice(place.area_codes)
        return f"0{code}{rng.randrange(1000):03d}"
    area = rng.choice(place.area_codes)
    exchange = rng.randrange(201, 999)
    while exchange % 100 == 11 or exchange == 555:
        exchange = rng.randrange(201, 999)
    return f"({area}) {exchange}-{rng.randrange(10000):04d}"


def _postal_code(rng: random.Random, place: Place) -> str:
    prefix = rng.choice(place.postal_prefixes)
    if place.country == "US":
        return f"{prefix}{rng.randrange(100):02d}"[:5]
    if place.country == "CA":
        letters = "ABCEGHJKLMNPRSTVWXYZ"
        return f"{prefix}{rng.choice(letters)} {rng.randrange(10)}{rng.choice(letters)}{rng.randrange(10)}"
    return f"{prefix} {rng.randrange(1, 10)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


# HMRC never issues these National Insurance prefixes.
_NINO_NEVER_ISSUED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def _national_id(rng: random.Random, country: str) -> str:
    if country == "US":
        area = rng.randrange(1, 900)
        while area == 666:
            area = rng.randrange(1, 900)
        return f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"
    if country == "CA":
        digits = [rng.randrange(1, 8)] + [rng.randrange(10) for _ in range(7)]
        total = sum(
            d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits)
        )
        digits.append((10 - total % 10) % 10)
        text = "".join(map(str, digits))
        return f"{text[:3]} {text[3:6]} {text[6:]}"
    prefix = "BG"
    while prefix in _NINO_NEVER_ISSUED:
        prefix = rng.choice("ABCEGHJKLMNOPRSTWXYZ") + rng.choice("ABCEGHJKLMNPRSTWXYZ")
    return f"{prefix}{rng.randrange(1000000):06d}{rng.choice('ABCD')}"


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    # Balances are right-skewed: most debts are small, a few are large.
    value = low + (high - low) * (rng.random() ** 2.2)
    return Decimal(f"{value:.2f}")


def placement_rows(
    *,
    rows: int,
    seed: int = 7,
    client_country: str = "US",
    as_of: date | None = None,
    account_prefix: str = "ACC",
) -> Iterator[dict[str, str]]:
    """Yield `rows` placement rows as dicts keyed by the placement columns."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    pools = _Pools(seed)
    as_of = as_of or date(2026, 11, 1)
    mix = _COUNTRY_MIX.get(client_country, ((client_country, 100),))
    product_options = tuple((name, weight) for name, weight, _ in _PRODUCTS)
    ranges = {name: bounds for name, _, bounds in _PRODUCTS}
    for index in range(rows):
        country = weighted_choice(rng, mix)
        place = rng.choice(PLACES_BY_COUNTRY[country])
        first_names, last_names, streets = pools.by_country[country]
        product = weighted_choice(rng, product_options)
        principal = _amount(rng, *ranges[product])
        days_delinquent = int(30 + 1400 * rng.random() ** 1.6)
        delinquency = as_of - timedelta(days=days_delinquent)
        charged_off = delinquency + timedelta(days=180) if days_delinquent > 180 else None
        paid_recently = rng.random() < 0.35
        first, last = rng.choice(first_names), rng.choice(last_names)
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 52))
        suffix = rng.choice(_GB_STREETS_SUFFIX if country == "GB" else _STREETS_SUFFIX)
        # One in ten mobiles keeps an area code from elsewhere: people move and keep their numbers.
        phone_place = rng.choice(PLACES_BY_COUNTRY[country]) if rng.random() < 0.1 else place
        row = dict.fromkeys(COLUMN_NAMES, "")
        row.update(
            account_number=f"{account_prefix}{index + 1:08d}",
            original_creditor=rng.choice(_ORIGINAL_CREDITORS[product]),
            original_account_number=f"{rng.randrange(10**11, 10**12)}",
            product=product,
            currency=CURRENCY_BY_COUNTRY[country]
            if country == client_country
            else CURRENCY_BY_COUNTRY[client_country],
            principal=str(principal),
            interest=str((principal * Decimal(rng.uniform(0, 0.25))).quantize(Decimal("0.01"))),
            fees=str(Decimal(rng.choice((0, 0, 0, 25, 35, 39))).quantize(Decimal("0.01"))),
            open_date=(delinquency - timedelta(days=rng.randrange(200, 3000))).isoformat(),
            delinquency_date=delinquency.isoformat(),
            charge_off_date=charged_off.isoformat() if charged_off else "",
            last_payment_date=min(
                delinquency + timedelta(days=rng.randrange(1, 60)), as_of - timedelta(days=1)
            ).isoformat()
            if paid_recently
            else "",
            last_payment_amount=str(_amount(rng, 20, 300)) if paid_recently else "",
            first_name=first,
            middle_name=rng.choice(first_names)[0] if rng.random() < 0.3 else "",
            last_name=last,
            date_of_birth=birth.isoformat(),
            national_id=_national_id(rng, country) if rng.random() < 0.9 else "",
            language="es"
            if country == "US" and rng.random() < 0.12
            else ("fr" if place.region == "QC" else "en"),
            address_line1=f"{rng.randrange(1, 9900)} {rng.choice(streets)} {suffix}",
            address_line2=f"Apt {rng.randrange(1, 40)}" if rng.random() < 0.2 else "",
            city=place.city,
            region=place.region,
            postal_code=_postal_code(rng, place),
            country=country,
            phone_home=_phone(rng, place, mobile=False) if rng.random() < 0.45 else "",
            phone_mobile=_phone(rng, phone_place, mobile=True) if rng.random() < 0.85 else "",
            phone_work=_phone(rng, place, mobile=False) if rng.random() < 0.1 else "",
            email=f"{first}.{last}{rng.randrange(100)}@example.{rng.choice(('com', 'org', 'net'))}".lower().replace(
                "'", ""
            )
            if rng.random() < 0.6
            else "",
            deceased="true" if rng.random() < 0.003 else "",
            bankruptcy="true" if rng.random() < 0.005 else "",
            cease_communication="true" if rng.random() < 0.005 else "",
        )
        if rng.random() < 0.01:
            row["attorney_name"] = f"{rng.choice(first_names)} {rng.choice(last_names)}, Esq."
            row["attorney_phone"] = _phone(rng, place, mobile=False)
        if rng.random() < 0.05:
            row["cosigner_first_name"] = rng.choice(first_names)
            row["cosigner_last_name"] = last if rng.random() < 0.6 else rng.choice(last_names)
            row["cosigner_date_of_birth"] = (
                birth + timedelta(days=rng.randrange(-3000, 3000))
            ).isoformat()
            row["cosigner_phone"] = _phone(rng, place, mobile=True)
        yield row


def write_placement_csv(
    path: Path | str,
    *,
    rows: int,
    seed: int = 7,
    client_country: str = "US",
    as_of: date | None = None,
    account_prefix: str = "ACC",
) -> None:
    """Write a UTF-8 CSV placement file with a header row."""
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMN_NAMES)
        writer.writeheader()
        writer.writerows(
            placement_rows(
                rows=rows,
                seed=seed,
                client_country=client_country,
                as_of=as_of,
                account_prefix=account_prefix,
            )
        )
