"""Links to the debtor's page and the check that opens it: made per message, hashed at rest, refused
when forged, expired, used or locked, and guessing limited per link and per network address.

The debtor is Pat Doe in Columbus, Ohio (born 2 April 1980, SSN ending 6789); the clock is Tuesday
9 June 2026 at noon there.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client as HttpClient
from hypothesis import given
from hypothesis import strategies as st

from solvent.audit.models import AuditEntry
from solvent.contact.models import OutboxMessage
from solvent.contact.services import MessageRequest, message_enqueue, message_enqueue_many
from solvent.portal import links, services
from solvent.portal.domain.check import (
    ADDRESS_FAILURES_ALLOWED,
    FAILURES_BEFORE_LOCK,
    LinkState,
    answer_matches,
    date_answer,
    failure_after,
    link_state,
)
from solvent.portal.domain.form_keys import Keys, KeyState, key_issue, key_spend
from solvent.portal.models import PortalCheckFailure, PortalLink
from solvent.portal.session import portal_session
from tests.compliance.services.compliance_fixtures import MOBILE, NOON, ohio_debtor_create

DOB = "1980-04-02"
LAST4 = "6789"
URL = re.compile(r"https?://\S+/my/l/([A-Za-z0-9_-]+)/")

# --- the rules (no database) -------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["1980-04-02", "4/2/1980", "04/02/1980", "04-02-1980", " 4.2.1980 "]
)
def test_a_date_of_birth_is_read_as_people_type_it(typed: str) -> None:
    assert date_answer(typed) == DOB


@pytest.mark.parametrize("typed", ["", "1980", "13/40/1980", "02 April 1980", "abcd"])
def test_what_is_not_a_date_reads_as_nothing(typed: str) -> None:
    assert date_answer(typed) == ""


def test_the_check_passes_on_the_date_or_the_last_four_and_never_on_nothing() -> None:
    def check(date_of_birth: str = "", last4: str = "", known_dob: str = DOB, known: str = LAST4):
        return answer_matches(
            date_of_birth=date_of_birth,
            last4=last4,
            known_date_of_birth=known_dob,
            known_last4=known,
        )

    assert check(date_of_birth="4/2/1980")
    assert check(last4="6789")
    assert check(last4="67-89")
    assert not check(date_of_birth="1980-04-03")
    assert not check(last4="6788")
    assert not check()
    # A debtor we hold neither fact for cannot be opened by empty answers.
    assert not check(known_dob="", known="")


@given(st.text(max_size=12), st.text(max_size=12))
def test_no_answer_matches_facts_we_do_not_hold(date_of_birth: str, last4: str) -> None:
    assert not answer_matches(
        date_of_birth=date_of_birth, last4=last4, known_date_of_birth="", known_last4=""
    )


def test_the_fifth_wrong_answer_in_a_row_locks_and_starts_the_count_again() -> None:
    counts = []
    failed = 0
    for _ in range(FAILURES_BEFORE_LOCK):
        failure = failure_after(failed)
        counts.append((failure.failed_checks, failure.locks))
        failed = failure.failed_checks
    assert counts == [(1, False), (2, False), (3, False), (4, False), (0, True)]


@given(st.integers(min_value=1, max_value=60))
def test_a_run_of_wrong_answers_locks_once_every_fifth(wrong: int) -> None:
    failed, locks = 0, 0
    for _ in range(wrong):
        failure = failure_after(failed)
        failed, locks = failure.failed_checks, locks + failure.locks
        assert 0 <= failed < FAILURES_BEFORE_LOCK
    assert locks == wrong // FAILURES_BEFORE_LOCK


@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=30))
def test_however_forms_are_sent_each_issued_key_acts_at_most_once(sent: list[str]) -> None:
    keys = Keys()
    for key in ("a", "b", "c"):
        keys = key_issue(keys, key)
    acted: list[str] = []
    for key in sent:
        state, keys = key_spend(keys, key)
        if state is KeyState.FRESH:
            acted.append(key)
    assert len(acted) == len(set(acted))
    assert set(acted) <= {"a", "b", "c"}
    assert set(acted) == set(sent) & {"a", "b", "c"}


def test_a_used_link_says_used_before_expired_and_expired_before_locked() -> None:
    later = NOON + timedelta(days=30)
    assert link_state(now=NOON, expires_at=later, used_at=None, locked_until=None) is LinkState.OPEN
    assert link_state(now=later, expires_at=later, used_at=NOON, locked_until=later) is (
        LinkState.USED
    )
    assert link_state(now=later, expires_at=later, used_at=None, locked_until=later + timedelta(1))
    assert link_state(
        now=NOON, expires_at=later, used_at=None, locked_until=NOON + timedelta(minutes=1)
    ) is (LinkState.LOCKED)
    assert link_state(now=NOON, expires_at=later, used_at=None, locked_until=NOON) is (
        LinkState.OPEN
    )


def test_every_word_of_the_page_exists_in_english_and_spanish_with_the_same_placeholders() -> None:
    from string import Formatter

    from solvent.portal.domain.texts import EN, ES

    assert EN.keys() == ES.keys()

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in Formatter().parse(text) if name}

    assert {k: fields(v) for k, v in EN.items()} == {k: fields(v) for k, v in ES.items()}


def test_money_reads_in_the_debts_currency() -> None:
    from decimal import Decimal

    from solvent.portal.domain.texts import money

    assert money(Decimal("1245.5"), "USD") == "$1,245.50"
    assert money(Decimal("80"), "GBP") == "£80.00"
    assert money(Decimal("-3"), "chf") == "-3.00 CHF"


def test_a_form_key_acts_once_and_a_second_send_is_recognised() -> None:
    keys = key_issue(Keys(), "k1")
    state, keys = key_spend(keys, "k1")
    assert state is KeyState.FRESH
    state, keys = key_spend(keys, "k1")
    assert state is KeyState.SPENT
    assert key_spend(keys, "never-issued")[0] is KeyState.UNKNOWN
    assert key_spend(keys, "")[0] is KeyState.UNKNOWN


# --- links in messages ---------------------------------------------------------------------------


@pytest.fixture
def pat(db, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON)
    call_command("contact_templates_install", verbosity=0)
    world = ohio_debtor_create()
    world.debtor.date_of_birth = DOB
    world.debtor.national_id_last4 = LAST4
    world.debtor.save()
    return world


def _text(pat) -> OutboxMessage:
    return message_enqueue(
        request=MessageRequest(
            debtor_id=pat.debtor.pk,
            channel="sms",
            contact_point=MOBILE,
            account_ids=(pat.card.pk,),
            template_code="payment_reminder",
        )
    )


def _token(message: OutboxMessage) -> str:
    found = URL.search(message.body)
    assert found is not None, message.body
    return found.group(1)


def test_every_message_carries_its_own_link_and_only_the_hash_is_kept(pat) -> None:
    first, second = _text(pat), _text(pat)
    tokens = {_token(first), _token(second)}
    assert len(tokens) == 2
    stored = PortalLink.objects.filter(debtor=pat.debtor)
    assert stored.count() == 2
    for token in tokens:
        link = stored.get(token_hash=links.token_hash(token))
        assert token not in link.token_hash
        assert link.account_id == pat.card.pk
        assert link.source == f"sms:{MOBILE}"
        assert link.expires_at == NOON + timedelta(days=links.DEFAULT_LINK_DAYS)


def test_a_batch_of_messages_inserts_its_links_in_one_statement(pat) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    requests = [
        MessageRequest(
            debtor_id=pat.debtor.pk,
            channel="sms",
            contact_point=MOBILE,
            account_ids=(account.pk,),
            template_code="payment_reminder",
        )
        for account in (pat.card, pat.loan, pat.card)
    ]
    with CaptureQueriesContext(connection) as queries:
        messages = message_enqueue_many(requests=requests)
    inserts = [q for q in queries.captured_queries if 'INTO "portal_portallink"' in q["sql"]]
    assert len(inserts) == 1
    assert len({_token(message) for message in messages}) == 3
    assert sorted(PortalLink.objects.values_list("account_id", flat=True)) == sorted(
        [pat.card.pk, pat.loan.pk, pat.card.pk]
    )


def test_a_message_that_does_not_print_the_link_makes_none(pat) -> None:
    message_enqueue(
        request=MessageRequest(
            debtor_id=pat.debtor.pk,
            channel="voicemail",
            contact_point=MOBILE,
            account_ids=(pat.card.pk,),
            template_code="limited_content_voicemail",
        )
    )
    assert not PortalLink.objects.exists()


def test_a_preview_of_a_message_makes_no_link(pat) -> None:
    from solvent.contact.domain.templates import render
    from solvent.contact.services import message_variables

    variables = message_variables(
        debtor=pat.debtor, accounts=[pat.card], channel="sms", contact_point=MOBILE, language="en"
    )
    shown = render("See {{ portal_url }}", variables)
    assert shown == f"See http://localhost:8000/my/l/{links.PREVIEW_TOKEN}/"
    assert len(links.PREVIEW_TOKEN) == len(links.secrets.token_urlsafe(24))
    assert not PortalLink.objects.exists()


def test_a_letters_link_lasts_longer_and_the_days_are_a_setting(pat, settings) -> None:
    settings.SOLVENT_PORTAL_LINK_DAYS = 3
    link, _ = links.portal_link_create(debtor_id=pat.debtor.pk, account_id=None, channel="sms")
    assert link.expires_at == NOON + timedelta(days=3)
    letter, _ = links.portal_link_create(debtor_id=pat.debtor.pk, account_id=None, channel="letter")
    assert letter.expires_at == NOON + timedelta(days=links.DEFAULT_LETTER_LINK_DAYS)


# --- opening a link --------------------------------------------------------------------------------


def _open(http: HttpClient, token: str, **answer: str):
    return http.post(f"/my/l/{token}/", answer)


def test_the_right_date_of_birth_opens_the_page_once(pat) -> None:
    token = _token(_text(pat))
    http = HttpClient()
    shown = http.get(f"/my/l/{token}/")
    assert shown.status_code == 200
    assert b"date of birth" in shown.content
    opened = _open(http, token, date_of_birth="04/02/1980")
    assert opened.status_code == 302 and opened["Location"] == "/my/"
    link = PortalLink.objects.get()
    assert link.used_at == NOON
    page = http.get("/my/")
    assert page.status_code == 200
    assert b"CARD-1"[-4:] in page.content
    session = portal_session(page.wsgi_request)
    assert session is not None
    assert (session.debtor_id, session.account_id, session.link_id) == (
        pat.debtor.pk,
        pat.card.pk,
        link.pk,
    )
    assert AuditEntry.objects.filter(action="portal.link_opened", object_id=str(link.pk)).exists()
    # One link opens once: again, even with the right answer, it is refused and offers a new one.
    again = HttpClient().get(f"/my/l/{token}/")
    assert again.status_code == 410
    assert b"already been used" in again.content
    assert f"/my/l/{token}/new/".encode() in again.content
    assert _open(HttpClient(), token, last4=LAST4).status_code == 410


def test_the_last_four_digits_open_the_page_too(pat) -> None:
    token = _token(_text(pat))
    assert _open(HttpClient(), token, last4=LAST4)["Location"] == "/my/"


def test_a_forged_or_unknown_link_is_refused_with_what_to_do(pat) -> None:
    forged = "A" * 32
    answer = HttpClient().get(f"/my/l/{forged}/")
    assert answer.status_code == 404
    assert b"cannot find this link" in answer.content
    assert b"+1 800 555 0100" in answer.content
    assert _open(HttpClient(), forged, last4=LAST4).status_code == 404
    assert HttpClient().get("/my/").status_code == 403


def test_an_expired_link_is_refused_and_offers_a_new_one(pat, monkeypatch) -> None:
    token = _token(_text(pat))
    later = NOON + timedelta(days=links.DEFAULT_LINK_DAYS)
    monkeypatch.setattr("solvent.core.clock.now", lambda: later)
    answer = HttpClient().get(f"/my/l/{token}/")
    assert answer.status_code == 410
    assert b"expired" in answer.content
    assert _open(HttpClient(), token, date_of_birth=DOB).status_code == 410


def test_the_fifth_wrong_answer_locks_the_link_and_the_sixth_is_refused_even_if_right(pat) -> None:
    token = _token(_text(pat))
    http = HttpClient()
    for left in (4, 3, 2, 1):
        wrong = _open(http, token, date_of_birth="1999-01-01")
        assert wrong.status_code == 400
        assert f"You have {left} more tries".encode() in wrong.content
        assert b'aria-invalid="true"' in wrong.content
    fifth = _open(http, token, last4="0000")
    assert fifth.status_code == 429
    assert b"locked for 15 minutes" in fifth.content
    sixth = _open(http, token, date_of_birth=DOB)
    assert sixth.status_code == 429
    link = PortalLink.objects.get()
    assert link.used_at is None
    assert link.locked_until == NOON + timedelta(minutes=15)
    assert AuditEntry.objects.filter(action="portal.link_locked").count() == 1
    assert PortalCheckFailure.objects.filter(link=link).count() == FAILURES_BEFORE_LOCK


def test_after_the_lock_the_right_answer_opens_it(pat, monkeypatch) -> None:
    token = _token(_text(pat))
    for _ in range(FAILURES_BEFORE_LOCK):
        _open(HttpClient(), token, last4="0000")
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON + timedelta(minutes=15))
    assert _open(HttpClient(), token, last4=LAST4)["Location"] == "/my/"


def test_an_address_that_guesses_too_much_across_links_is_refused(pat) -> None:
    hashed = links.address_hash("127.0.0.1")
    PortalCheckFailure.objects.bulk_create(
        PortalCheckFailure(address_hash=hashed, at=NOON - timedelta(minutes=5))
        for _ in range(ADDRESS_FAILURES_ALLOWED)
    )
    token = _token(_text(pat))
    refused = _open(HttpClient(), token, date_of_birth=DOB)
    assert refused.status_code == 429
    assert b"connection" in refused.content
    assert PortalLink.objects.get().used_at is None
    # Another address is not held back; failures older than an hour no longer count.
    other = HttpClient(REMOTE_ADDR="10.0.0.9")
    assert _open(other, token, date_of_birth=DOB)["Location"] == "/my/"


def test_the_twentieth_wrong_answer_from_an_address_refuses_it_at_once(pat) -> None:
    hashed = links.address_hash("127.0.0.1")
    PortalCheckFailure.objects.bulk_create(
        PortalCheckFailure(address_hash=hashed, at=NOON - timedelta(minutes=5))
        for _ in range(ADDRESS_FAILURES_ALLOWED - 1)
    )
    token = _token(_text(pat))
    refused = _open(HttpClient(), token, last4="0000")
    assert refused.status_code == 429
    assert AuditEntry.objects.filter(action="portal.address_refused").count() == 1


def test_failures_older_than_the_window_do_not_count(pat) -> None:
    hashed = links.address_hash("127.0.0.1")
    PortalCheckFailure.objects.bulk_create(
        PortalCheckFailure(address_hash=hashed, at=NOON - timedelta(minutes=61))
        for _ in range(ADDRESS_FAILURES_ALLOWED)
    )
    token = _token(_text(pat))
    assert _open(HttpClient(), token, date_of_birth=DOB)["Location"] == "/my/"


def test_an_empty_answer_is_asked_again_without_counting(pat) -> None:
    token = _token(_text(pat))
    answer = _open(HttpClient(), token)
    assert answer.status_code == 400
    assert PortalLink.objects.get().failed_checks == 0


def test_a_used_link_sends_a_new_one_through_the_outbox_once_in_a_while(pat, monkeypatch) -> None:
    token = _token(_text(pat))
    _open(HttpClient(), token, last4=LAST4)
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOON + timedelta(minutes=11))
    sent = HttpClient().post(f"/my/l/{token}/new/")
    assert sent.status_code == 200
    assert b"sending a new link" in sent.content
    message = OutboxMessage.objects.order_by("-pk").first()
    assert message is not None
    assert (message.channel, message.contact_point) == ("sms", MOBILE)
    assert message.cause.startswith("portal_link_resend:")
    new_token = _token(message)
    assert new_token != token
    # The new one opens; asking again at once is refused kindly.
    again = HttpClient().post(f"/my/l/{token}/new/")
    assert b"a few minutes ago" in again.content
    assert OutboxMessage.objects.filter(cause__startswith="portal_link_resend:").count() == 1
    assert _open(HttpClient(), new_token, date_of_birth=DOB)["Location"] == "/my/"


def test_an_open_or_forged_link_sends_nothing(pat) -> None:
    token = _token(_text(pat))
    assert services.portal_link_resend(token=token) is services.ResendOutcome.REFUSED
    assert services.portal_link_resend(token="nope") is services.ResendOutcome.REFUSED


def test_the_page_speaks_spanish_to_a_spanish_speaker(pat) -> None:
    pat.debtor.language = "es"
    pat.debtor.save()
    token = _token(_text(pat))
    http = HttpClient()
    check = http.get(f"/my/l/{token}/")
    assert b'lang="es"' in check.content
    assert b"fecha de nacimiento" in check.content
    _open(http, token, date_of_birth=DOB)
    page = http.get("/my/")
    assert b'lang="es"' in page.content
    assert b"Lo que usted debe" in page.content
    assert "Esta comunicación proviene de un cobrador de deudas.".encode() in page.content
    switched = http.post("/my/language/", {"language": "en", "next": "/my/"})
    assert switched["Location"] == "/my/"
    assert b"What you owe" in http.get("/my/").content
