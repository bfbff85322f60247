"""Training the best-time model on a ledger with a known hour-of-week effect: what counts as reached,
local hours of week, the out-of-time validation, the recorded run and the one active model."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from django.contrib.auth.models import User

from solvent.analytics.domain.reach_synthetic import synthetic_attempts
from solvent.analytics.models import ModelRun
from solvent.analytics.reach import TEST_DAYS, reach_local_counts, reach_model_train
from solvent.analytics.selectors_reach import (
    debtor_segments,
    debtor_zones,
    reach_attempts,
    reach_run_active,
    reach_shrinkage_active,
)
from solvent.audit.models import AuditEntry
from solvent.compliance.models import ContactAttempt
from solvent.portfolio.models import Account, AccountDebtor, Client, Debtor, Phone
from solvent.strategy.domain.timing import Shrinkage
from solvent.strategy.features import HISTORY_DAYS
from solvent.strategy.models import PlanItem, PlanRun

pytestmark = pytest.mark.django_db
SEED = 20261130
ZONE = "America/New_York"
AS_OF = date(2026, 11, 30)
FIRST_DAY = AS_OF - timedelta(days=TEST_DAYS + HISTORY_DAYS)
RPC = ContactAttempt.Outcome.RIGHT_PARTY_CONVERSATION


def debtor(zone: str = ZONE) -> int:
    person = Debtor.objects.create(first_name="Pat", last_name="Reach")
    Phone.objects.create(debtor=person, e164="+12125550100", time_zones=[zone])
    return person.pk


def attempt(debtor_id: int, channel: str, at: datetime, **fields: object) -> ContactAttempt:
    values: dict[str, object] = {
        "direction": "outbound",
        "status": "completed",
        "outcome": "no_answer" if channel == "call" else "delivered",
        **fields,
    }
    return ContactAttempt(
        debtor_id=debtor_id, channel=channel, contact_point="+12125550100", at=at, **values
    )


@pytest.fixture
def history() -> int:
    """A ledger of ~20,000 attempts over the 118 local days before AS_OF; returns how many of them
    fall in the UTC days the training reads (the last local evening is AS_OF in UTC)."""
    print(f"synthetic ledger seed {SEED}")  # noqa: T201 - the seed of what is random
    rng = random.Random(SEED)
    debtors = 420
    ids = [debtor() for _ in range(debtors)]
    zone = ZoneInfo(ZONE)
    rows: list[ContactAttempt] = []
    for each in synthetic_attempts(
        seed=SEED, debtors=debtors, days=(AS_OF - FIRST_DAY).days, first_weekday=FIRST_DAY.weekday()
    ):
        local = datetime.combine(
            FIRST_DAY + timedelta(days=each.day),
            time(each.hour_of_week % 24, rng.randrange(60)),
            tzinfo=zone,
        )
        at = local.astimezone(UTC)
        debtor_id = ids[each.debtor_id - 1]
        if each.channel == "call":
            rows.append(
                attempt(debtor_id, "call", at, outcome=RPC if each.reached else "no_answer")
            )
            continue
        rows.append(attempt(debtor_id, "sms", at))
        if each.reached:  # the debtor texts back two hours later
            rows.append(attempt(debtor_id, "sms", at + timedelta(hours=2), direction="inbound"))
    ContactAttempt.objects.bulk_create(rows, batch_size=2000)
    end = datetime.combine(AS_OF, time.min, tzinfo=UTC)
    return sum(1 for row in rows if row.direction == "outbound" and row.at < end)


def test_training_validates_out_of_time_records_the_run_and_makes_it_active(
    history, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("solvent.analytics.selectors_reach.CHUNK_ROWS", 997)  # many chunks

    run = reach_model_train(as_of=AS_OF)

    figures = run.validation
    print({name: round(model["log_loss"], 4) for name, model in figures["models"].items()})  # noqa: T201
    assert run.kind == ModelRun.Kind.REACH and run.active
    assert (run.history_from, run.cutoff, run.history_to) == (
        FIRST_DAY,
        AS_OF - timedelta(days=TEST_DAYS),
        AS_OF,
    )
    assert run.rows_train + run.rows_test == history
    assert figures["beats_flat"], figures["models"]
    models = figures["models"]
    assert models["hour_of_week"]["log_loss"] < models["flat"]["log_loss"]
    assert models["hour_of_week"]["brier"] < models["flat"]["brier"]
    assert set(figures["by_channel"]) == {"call", "sms"}
    shrinkage = run.parameters["shrinkage"]
    assert set(shrinkage) == {"channel", "hour", "week", "segment_hour", "segment_week", "debtor"}
    assert run.parameters["counts"]["by_channel"]["call"]["attempts"] > 0
    assert reach_shrinkage_active() == Shrinkage.from_dict(shrinkage)
    entry = AuditEntry.objects.filter(action="analytics.model_trained").order_by("-pk").first()
    assert entry is not None and entry.object_id == str(run.pk)
    assert entry.data["kind"] == "reach" and entry.data["active"] is True


def test_a_new_training_replaces_the_active_one_and_names_who_trained_it(history) -> None:
    first = reach_model_train(as_of=AS_OF)
    manager = User.objects.create_user("strategy-manager")

    second = reach_model_train(as_of=AS_OF, actor_id=manager.pk)

    first.refresh_from_db()
    assert not first.active and second.active
    assert reach_run_active() == second and second.trained_by == manager


def test_with_no_history_the_run_is_recorded_inactive_and_the_plan_keeps_the_defaults() -> None:
    run = reach_model_train(as_of=AS_OF)

    assert not run.active and "flat baseline" in run.note
    assert run.rows_train == run.rows_test == 0
    assert reach_run_active() is None
    assert reach_shrinkage_active() == Shrinkage()


def test_a_text_is_reached_when_the_debtor_answers_within_24_hours_and_a_call_only_by_a_conversation():
    who = debtor()
    noon = datetime(2026, 11, 2, 17, tzinfo=UTC)
    answered, late, ignored = noon, noon + timedelta(days=3), noon + timedelta(days=6)
    ContactAttempt.objects.bulk_create(
        [
            attempt(who, "sms", answered),
            attempt(who, "chat", answered + timedelta(hours=23), direction="inbound"),
            attempt(who, "email", late),
            attempt(who, "email", late + timedelta(hours=25), direction="inbound"),
            attempt(who, "call", ignored),  # a call back is not a conversation on this call
            attempt(who, "call", ignored + timedelta(hours=1), direction="inbound"),
            attempt(who, "call", ignored + timedelta(hours=2), outcome=RPC),
            attempt(who, "call", ignored + timedelta(hours=3), status="cancelled", outcome=""),
            attempt(who, "letter", ignored),  # letters are not timed
        ]
    )

    found = reach_attempts(start=noon - timedelta(days=1), end=noon + timedelta(days=30))

    rows = sorted(
        zip(found["channel"], found["at"], found["reached"], strict=True), key=lambda r: r[1]
    )
    assert [(channel, reached) for channel, _at, reached in rows] == [
        ("sms", True),
        ("email", False),
        ("call", False),
        ("call", True),
    ]


def test_each_attempt_is_counted_in_its_debtor_s_local_hour_of_week_across_a_dst_change() -> None:
    attempts = pl.DataFrame(
        {
            "debtor_id": [1, 1, 2, 3],
            "channel": ["call"] * 4,
            # Monday 23:30 UTC in summer and in winter: 19:30 EDT and 18:30 EST in New York.
            "at": [
                datetime(2026, 10, 26, 23, 30, tzinfo=UTC),
                datetime(2026, 11, 2, 23, 30, tzinfo=UTC),
                datetime(2026, 11, 2, 23, 30, tzinfo=UTC),  # Tuesday 10:30 in Sydney
                datetime(2026, 11, 2, 23, 30, tzinfo=UTC),  # no zone known: UTC
            ],
            "reached": [True, False, True, False],
        },
        schema_overrides={"at": pl.Datetime("us", "UTC")},
    )

    counts = reach_local_counts(attempts, {1: ZONE, 2: "Australia/Sydney"}, {1: "early"})

    found = {
        (row["debtor_id"], row["hour_of_week"]): (row["segment"], row["reached"])
        for row in counts.iter_rows(named=True)
    }
    assert found == {
        (1, 19): ("early", 1),
        (1, 18): ("early", 0),
        (2, 24 + 10): (None, 1),
        (3, 23): (None, 0),
    }


def test_a_debtor_s_segment_is_the_one_of_the_latest_plan_on_or_before_the_day() -> None:
    client = Client.objects.create(code="acme", name="Acme")
    who = debtor()
    account = Account.objects.create(client=client, account_number="A-1", currency="USD")
    AccountDebtor.objects.create(account=account, debtor_id=who)
    first = date(2026, 10, 1)
    for day, segment in ((first, "early"), (first + timedelta(days=30), "late")):
        run = PlanRun.objects.create(
            plan_date=day, client=client, started_at=datetime.combine(day, time.min, tzinfo=UTC)
        )
        PlanItem.objects.create(
            run=run,
            plan_date=day,
            client=client,
            account=account,
            debtor_id=who,
            segment_key=segment,
            status="skipped",
            reason="waiting",
        )

    assert debtor_segments(debtor_ids=[who], as_of=first - timedelta(days=1)) == {}
    assert debtor_segments(debtor_ids=[who], as_of=first + timedelta(days=29)) == {who: "early"}
    assert debtor_segments(debtor_ids=None, as_of=first + timedelta(days=30)) == {who: "late"}


def test_zones_are_read_in_chunks_of_debtors_and_a_debtor_without_one_is_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("solvent.analytics.selectors_reach.CHUNK_IDS", 2)
    zones = ["America/New_York", "America/Chicago", "Europe/London", "Asia/Kolkata", "UTC"]
    ids = [debtor(zone) for zone in zones]
    nowhere = Debtor.objects.create(first_name="No", last_name="Phone").pk

    assert debtor_zones(debtor_ids=[*ids, nowhere]) == dict(zip(ids, zones, strict=True))
