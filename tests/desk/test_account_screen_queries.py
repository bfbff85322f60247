"""The account screen costs a bounded number of SQL queries, whatever the size of the history.

An account with three debtors (one of them also owing another client), phones, e-mails, addresses,
holds and 500 interactions (each with its ledger row) is opened as an agent: the page and every
panel it loads with ``hx-get`` (found by reading the page, so a panel added later is counted too)
must each stay within the budget, and none may cost more than it does for the same account with 5
interactions.

The budget is a fixed part plus a part per debtor on the account: the screen shows each debtor's
contact points, holds and what the law allows now, read per debtor (about 25 queries each today).
An account has one to three debtors; its history may have thousands of rows, and costs nothing
per row.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from solvent.compliance.models import ContactAttempt, Hold
from solvent.contact.models import Interaction
from solvent.core import clock
from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.models import (
    Account,
    AccountDebtor,
    Address,
    Client,
    Debtor,
    Email,
    Phone,
    Team,
)

pytestmark = pytest.mark.django_db

# The page itself and each panel: a fixed budget per debtor, whatever the account's history.
BASE_QUERIES = 20
QUERIES_PER_DEBTOR = 25
DEBTORS = 3
SMALL_HISTORY = 5
LARGE_HISTORY = 500
_HX_GET = re.compile(r"""hx-get\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _debtor(number: int, client: Client, *, shared_with: Client | None = None) -> Debtor:
    debtor = Debtor.objects.create(first_name=f"Ada{number}", last_name="Stone")
    Address.objects.create(
        debtor=debtor,
        line1=f"{number} Main St",
        city="Boston",
        region="MA",
        postal_code="02110",
        country="US",
    )
    Address.objects.create(
        debtor=debtor,
        kind="work",
        line1=f"{number} Harbor Way",
        city="Albany",
        region="NY",
        postal_code="12207",
        country="US",
    )
    for index, (kind, line_type) in enumerate(
        (("mobile", "mobile"), ("home", "landline"), ("work", "voip"))
    ):
        Phone.objects.create(
            debtor=debtor,
            e164=f"+1617555{number:02d}{index:02d}",
            kind=kind,
            line_type=line_type,
            region_code="US",
            time_zones=["America/New_York"],
        )
    Email.objects.create(debtor=debtor, address=f"ada{number}@example.com")
    Email.objects.create(debtor=debtor, address=f"ada{number}@work.example.com")
    if shared_with is not None:
        other = Account.objects.create(
            client=shared_with, account_number=f"GX-{number}", currency="USD"
        )
        AccountDebtor.objects.create(account=other, debtor=debtor)
    return debtor


def _history(debtor: Debtor, account: Account, agent: User, count: int) -> None:
    """``count`` interactions over the last 60 days, each with the ledger row the engine reads."""
    now = clock.now()
    phone = debtor.phones.order_by("pk").first()
    assert phone is not None
    moments = [now - timedelta(hours=3 * index + 1) for index in range(count)]
    attempts = ContactAttempt.objects.bulk_create(
        ContactAttempt(
            debtor=debtor,
            channel="call",
            contact_point=phone.e164,
            at=moment,
            status=ContactAttempt.Status.COMPLETED,
            outcome=ContactAttempt.Outcome.NO_ANSWER,
            outcome_at=moment,
        )
        for moment in moments
    )
    ContactAttempt.accounts.through.objects.bulk_create(
        ContactAttempt.accounts.through(contactattempt_id=attempt.pk, account_id=account.pk)
        for attempt in attempts
    )
    Interaction.objects.bulk_create(
        Interaction(
            debtor=debtor,
            channel="call",
            direction="outbound",
            contact_point=phone.e164,
            account_ids=[account.pk],
            occurred_at=moment,
            agent=agent if index % 2 else None,
            disposition="no_answer",
            summary=f"call {index}",
            compliance_attempt_id=attempt.pk,
        )
        for index, (moment, attempt) in enumerate(zip(moments, attempts, strict=True))
    )


def _budget(debtors: int) -> int:
    return BASE_QUERIES + QUERIES_PER_DEBTOR * debtors


def _account_screen(history: int, debtors: int = DEBTORS) -> tuple[HttpClient, Account]:
    client = Client.objects.create(code=f"harbor{history}", name="Harbor Bank")
    other = Client.objects.create(code=f"globex{history}", name="Globex")
    team = Team.objects.create(name=f"Floor {history}")
    team.clients.add(client)
    agent = User.objects.create_user(username=f"agent{history}", password="agent-password-1")
    staff_role_set(user=agent, role=Role.AGENT)
    team.members.add(agent)
    account = Account.objects.create(
        client=client,
        account_number=f"HB-{history}",
        currency="USD",
        principal=Decimal("1500.00"),
        interest=Decimal("12.34"),
    )
    people = [
        _debtor(history % 100 * 3 + index, client, shared_with=other if index == 1 else None)
        for index in range(debtors)
    ]
    for index, debtor in enumerate(people):
        AccountDebtor.objects.create(
            account=account, debtor=debtor, role="primary" if index == 0 else "co_signer"
        )
        hold = Hold.objects.create(
            debtor=debtor,
            kind="medium_opt_out",
            source="inbound_call",
            channels=["sms"],
            contact_point=debtor.phones.order_by("pk").first().e164,  # type: ignore[union-attr]
            evidence="asked for no texts",
            placed_at=clock.now() - timedelta(days=2),
        )
        hold.accounts.add(account)
    Hold.objects.create(
        debtor=people[-1],
        kind="hardship",
        source="inbound_call",
        evidence="lost job",
        placed_at=clock.now() - timedelta(days=1),
    )
    # Most of the history is the primary debtor's; the co-signers have a little each.
    _history(people[0], account, agent, history)
    for debtor in people[1:]:
        _history(debtor, account, agent, 3)
    http = HttpClient()
    http.force_login(agent)
    return http, account


def _panel_urls(html: str) -> list[str]:
    """Every URL the page loads or offers with hx-get (its panels and the timeline's next page)."""
    urls = []
    for match in _HX_GET.finditer(html):
        url = unescape(match.group(1) or match.group(2) or "")
        if url.startswith("/") and url not in urls:
            urls.append(url)
    return urls


def _queries(http: HttpClient, url: str, *, htmx: bool) -> int:
    headers = {"HX-Request": "true"} if htmx else {}
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured.captured_queries)


def _costs(history: int, debtors: int = DEBTORS) -> dict[str, int]:
    """Queries per URL: the account screen, then each panel it loads, keyed without the ids."""
    http, account = _account_screen(history, debtors)
    page = f"/accounts/{account.pk}/"
    response = http.get(page)
    assert response.status_code == 200
    costs = {"page": _queries(http, page, htmx=False)}
    for url in _panel_urls(response.content.decode()):
        costs[url.replace(str(account.pk), "<id>")] = _queries(http, url, htmx=True)
    return costs


def test_the_account_screen_and_each_panel_stay_under_the_budget_with_500_interactions() -> None:
    costs = _costs(LARGE_HISTORY)
    assert any("timeline" in url for url in costs), costs  # the page offers older contacts
    budget = _budget(DEBTORS)
    over = {url: count for url, count in costs.items() if count > budget}
    assert not over, f"over {budget} queries: {over} (all: {costs})"


def test_no_query_count_grows_with_the_history() -> None:
    small = _costs(SMALL_HISTORY)
    large = _costs(LARGE_HISTORY)
    grown = {
        url: (small[url], large[url]) for url in small if url in large and large[url] > small[url]
    }
    assert not grown, f"queries grew from {SMALL_HISTORY} to {LARGE_HISTORY} interactions: {grown}"
    assert large["page"] == small["page"]


def test_each_further_debtor_costs_at_most_its_share() -> None:
    one = _costs(SMALL_HISTORY, debtors=1)
    three = _costs(SMALL_HISTORY + 1, debtors=3)
    assert one["page"] <= _budget(1)
    assert three["page"] - one["page"] <= 2 * QUERIES_PER_DEBTOR, (one, three)


def test_the_panel_finder_reads_both_quotes_and_entities() -> None:
    html = (
        '<div hx-get="/accounts/7/calls/?a=1&amp;b=2" hx-trigger="load"></div>'
        "<button hx-get='/accounts/7/timeline/?page=2'>Older</button>"
        '<a hx-get="https://elsewhere.example/x">x</a>'
    )
    assert _panel_urls(html) == ["/accounts/7/calls/?a=1&b=2", "/accounts/7/timeline/?page=2"]
