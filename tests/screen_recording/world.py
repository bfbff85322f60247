"""Screen recordings on the dialer floor of tests/desk (Acme: supervisor sue, agents ann and abe,
client viewer cora; Globex: supervisor gil; agency-wide: cleo and ada), with a connected call of
ann's on Acme's account whose debtor has personal data on file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from solvent.dialer.models import Call
from solvent.portfolio.models import Address, Email, Phone
from tests.desk.dialer_supervision_world import Floor, call_create, floor_build

NOW = datetime(2026, 6, 9, 16, 0, tzinfo=UTC)
NOW_MS = int(NOW.timestamp() * 1000)
DEBTOR_PHONE = "+16142250101"
DEBTOR_EMAIL = "pat.secret@example.com"


@dataclass
class ScreenWorld:
    floor: Floor
    call: Call  # ann's call on floor.account, still not wrapped up


def screen_world_build() -> ScreenWorld:
    floor = floor_build(NOW)
    debtor = floor.account.debtors.get()
    debtor.date_of_birth = "1980-04-02"
    debtor.national_id = "123456789"
    debtor.save()
    Phone.objects.create(debtor=debtor, e164=DEBTOR_PHONE)
    Email.objects.create(debtor=debtor, address=DEBTOR_EMAIL)
    Address.objects.create(
        debtor=debtor, line1="77 Quiet Lane", city="Columbus", region="OH", postal_code="43215"
    )
    call = call_create(
        floor.acme_campaign,
        floor.account,
        started_at=NOW - timedelta(minutes=2),
        agent=floor.ann,
        state=Call.State.CONNECTED,
    )
    return ScreenWorld(floor=floor, call=call)


def events(text: str, at_ms: int = NOW_MS) -> list[dict[str, object]]:
    """A meta event and a full snapshot whose only text is ``text``."""
    return [
        {"type": 4, "timestamp": at_ms, "data": {"href": "http://desk/accounts/1/", "width": 1}},
        {
            "type": 2,
            "timestamp": at_ms + 1,
            "data": {
                "node": {"type": 0, "id": 1, "childNodes": [{"type": 3, "textContent": text}]}
            },
        },
    ]
