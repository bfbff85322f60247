"""Login throttling: after N failures per user, or per address, even the right password is refused.

Both password logins are covered: the desk's /login/ and the back office's /admin/login/. Each
failure and each refusal is in the audit log. Times are injected with time-machine.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.test import override_settings

from solvent.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
PASSWORD = "right-password-1"


@pytest.fixture
def staff() -> User:
    return User.objects.create_user(
        username="carol", password=PASSWORD, is_staff=True, is_superuser=True
    )


def _login(path: str, username: str, password: str, address: str = "203.0.113.7") -> bool:
    """True when the login succeeded (a session was opened)."""
    client = HttpClient(REMOTE_ADDR=address)
    client.post(path, {"username": username, "password": password})
    return "_auth_user_id" in client.session


@override_settings(SOLVENT_LOGIN_FAILURES_PER_USER=3, SOLVENT_LOGIN_FAILURES_PER_ADDRESS=100)
@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_after_three_failures_for_a_user_even_the_right_password_is_refused(
    staff: User, path: str
) -> None:
    with time_machine.travel(NOW, tick=False):
        assert _login(path, "carol", PASSWORD)
        for attempt in range(3):
            assert not _login(path, "carol", f"wrong-{attempt}", address=f"198.51.100.{attempt}")

        assert not _login(path, "carol", PASSWORD, address="192.0.2.99")

    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions == ["login.failed"] * 3 + ["login.throttled"]


@override_settings(SOLVENT_LOGIN_FAILURES_PER_USER=100, SOLVENT_LOGIN_FAILURES_PER_ADDRESS=4)
def test_after_four_failures_from_one_address_every_user_there_is_refused(staff: User) -> None:
    with time_machine.travel(NOW, tick=False):
        for attempt in range(4):
            assert not _login("/login/", f"guess{attempt}", "wrong-password")

        assert not _login("/admin/login/", "carol", PASSWORD)
        assert _login("/admin/login/", "carol", PASSWORD, address="192.0.2.99")


@override_settings(
    SOLVENT_LOGIN_FAILURES_PER_USER=2,
    SOLVENT_LOGIN_FAILURES_PER_ADDRESS=100,
    SOLVENT_LOGIN_WINDOW_SECONDS=900,
)
def test_the_throttle_lifts_once_the_failures_are_older_than_the_window(staff: User) -> None:
    with time_machine.travel(NOW, tick=False):
        for _ in range(2):
            assert not _login("/login/", "carol", "wrong-password")
        assert not _login("/login/", "carol", PASSWORD)

    with time_machine.travel(NOW + timedelta(seconds=901), tick=False):
        assert _login("/login/", "carol", PASSWORD)


@override_settings(SOLVENT_LOGIN_FAILURES_PER_USER=3, SOLVENT_LOGIN_FAILURES_PER_ADDRESS=100)
def test_a_failed_login_is_audited_with_the_username_and_address(staff: User) -> None:
    with time_machine.travel(NOW, tick=False):
        _login("/login/", "carol", "wrong-password", address="198.51.100.5")

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.data) == (
        "login.failed",
        {"username": "carol", "address": "198.51.100.5"},
    )
