"""API tokens are scoped and revocable: a revoked token gets 401, a read-only token 403 on a write."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client as HttpClient

from solvent.audit.models import AuditEntry
from solvent.core.models import ApiToken, Role, TokenScope
from solvent.core.services import api_token_create, api_token_revoke, staff_role_set

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
# Any write will do: the scope is checked before the endpoint reads its body or its ids.
WRITE_PATH = "/api/compliance/debtors/999999/holds"
READ_PATH = "/api/compliance/decisions"


@pytest.fixture
def agent() -> User:
    user = User.objects.create_user(username="integrator", password="agent-password-1")
    staff_role_set(user=user, role=Role.AGENT)
    return user


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_revoked_token_gets_401_where_it_got_200_before(agent: User) -> None:
    token = api_token_create(user=agent, name="integration", scope=TokenScope.READ)
    assert HttpClient().get(READ_PATH, **_bearer(token)).status_code == 200

    assert api_token_revoke(prefix=token[4:12], now=NOW) == 1

    assert HttpClient().get(READ_PATH, **_bearer(token)).status_code == 401
    assert ApiToken.objects.get().revoked_at == NOW


def test_a_read_only_token_gets_403_on_a_write_and_a_read_write_token_does_not(
    agent: User,
) -> None:
    read_only = api_token_create(user=agent, name="reader", scope=TokenScope.READ)
    read_write = api_token_create(user=agent, name="writer", scope=TokenScope.READ_WRITE)

    refused = HttpClient().post(
        WRITE_PATH, data={}, content_type="application/json", **_bearer(read_only)
    )
    allowed = HttpClient().post(
        WRITE_PATH, data={}, content_type="application/json", **_bearer(read_write)
    )

    assert refused.status_code == 403
    assert refused.json() == {"detail": "this token is read-only"}
    assert allowed.status_code not in {401, 403}


def test_the_token_command_makes_read_only_tokens_unless_asked(agent: User) -> None:
    out = StringIO()
    call_command("token", "create", "integrator", stdout=out)
    call_command("token", "create", "integrator", "--scope", "read_write", stdout=out)

    assert list(ApiToken.objects.order_by("id").values_list("scope", flat=True)) == [
        "read",
        "read_write",
    ]


def test_the_token_command_revokes_by_prefix_and_both_are_audited(agent: User) -> None:
    out = StringIO()
    call_command("token", "create", "integrator", stdout=out)
    prefix = out.getvalue().strip()[4:12]

    call_command("token", "revoke", prefix, stdout=out)

    assert ApiToken.objects.get().revoked_at is not None
    assert list(AuditEntry.objects.values_list("action", flat=True)) == [
        "api_token.create",
        "api_token.revoke",
    ]


def test_revoking_an_unknown_prefix_is_a_clear_error() -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="no live token with prefix 'nothing1'"):
        call_command("token", "revoke", "nothing1")
