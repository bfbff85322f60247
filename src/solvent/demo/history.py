"""Past contact history for the demo, made the lawful way: each past attempt is authorised by the
compliance engine at its own moment, then recorded as an interaction with its outcome. An attempt the
engine refuses (too late in the debtor's evening, a cap reached, a hold) is simply not made, so the
demo's history is itself lawful and the desk's caps and cool-downs show real numbers."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from solvent.audit.services import audit_system
from solvent.compliance.services import contact_attempt_authorize, notice_record
from solvent.contact.services import interaction_record
from solvent.portfolio.generate import weighted_choice
from solvent.portfolio.models import Account, Debtor

# Dialler outcomes in the proportions a collections floor sees on aged debt.
_CALL_OUTCOMES: tuple[tuple[str, int], ...] = (
    ("no_answer", 45),
    ("answering_machine", 15),
    ("voicemail_left", 12),
    ("busy", 6),
    ("right_party_contact", 12),
    ("third_party", 4),
    ("promise_to_pay", 4),
    ("callback_requested", 2),
)


@dataclass(frozen=True, slots=True)
class HistoryCounts:
    attempted: int
    recorded: int
    refused: int


def _local_moment(rng: random.Random, day: datetime, zone: str) -> datetime:
    local = day.astimezone(ZoneInfo(zone)).replace(
        hour=rng.randrange(9, 19), minute=rng.randrange(60), second=0, microsecond=0
    )
    return local.astimezone(ZoneInfo("UTC"))


@audit_system("solvent demo: making past contact history")
def demo_history_create(
    *, now: datetime, share: float = 0.15, seed: int = 99, agent_ids: Sequence[int] = ()
) -> HistoryCounts:
    """Give a share of debtors a few calls, texts and e-mails over the last 30 days; the calls
    are made by the named agents (``agent_ids``), the messages by the system."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    attempted = recorded = refused = 0
    debtors = Debtor.objects.prefetch_related("phones", "emails", "addresses").order_by("id")
    for debtor in debtors.iterator(chunk_size=500):
        if rng.random() >= share:
            continue
        account_ids = list(Account.objects.filter(debtors=debtor).values_list("pk", flat=True)[:1])
        phones = [p for p in debtor.phones.all() if p.status == "valid"]
        emails = list(debtor.emails.all())
        if not account_ids or not (phones or emails):
            continue
        # The validation notice (and Ontario's written notice) went out with the first letter.
        notice_day = (now - timedelta(days=40)).date()
        in_ontario = any(a.region == "ON" for a in debtor.addresses.all())
        for kind in (
            ("validation_notice", "ontario_notice") if in_ontario else ("validation_notice",)
        ):
            notice_record(
                account_id=account_ids[0], kind=kind, sent_on=notice_day, source="demo:letter"
            )
        # Day 0 is today (so the wallboard has a day under way); a moment still ahead is skipped.
        days_ago = sorted(rng.sample(range(31), k=rng.randrange(1, 6)), reverse=True)
        for days in days_ago:
            channel = "call" if phones and (not emails or rng.random() < 0.75) else "email"
            if channel == "call":
                phone = rng.choice(phones)
                point, zones = phone.e164, phone.time_zones or ["America/New_York"]
            else:
                point, zones = rng.choice(emails).address, ["America/New_York"]
            moment = _local_moment(rng, now - timedelta(days=days), zones[0])
            if moment >= now:
                continue
            attempted += 1
            authorization = contact_attempt_authorize(
                debtor_id=debtor.pk,
                channel=channel,
                contact_point=point,
                account_ids=account_ids,
                at=moment,
            )
            if not authorization.allowed:
                refused += 1
                continue
            disposition = (
                weighted_choice(rng, _CALL_OUTCOMES) if channel == "call" else "message_sent"
            )
            interaction_record(
                debtor_id=debtor.pk,
                channel=channel,
                direction="outbound",
                contact_point=point,
                disposition=disposition,
                account_ids=account_ids,
                occurred_at=moment,
                duration_seconds=rng.randrange(40, 600)
                if disposition in {"right_party_contact", "promise_to_pay"}
                else None,
                summary="Demo history",
                agent_id=rng.choice(agent_ids) if channel == "call" and agent_ids else None,
                attempt_id=authorization.attempt_id,
                decision_log_id=authorization.decision_log_id,
            )
            recorded += 1
    return HistoryCounts(attempted=attempted, recorded=recorded, refused=refused)
