from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from solvent.core.services import api_token_authenticate

pytestmark = pytest.mark.django_db


def test_token_create_prints_a_working_token() -> None:
    user = User.objects.create_user(username="integrator", password="x-password-123")
    out = StringIO()
    call_command("token", "create", "integrator", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("slv_")
    assert api_token_authenticate(raw_token=token) == user


def test_token_for_unknown_user_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        call_command("token", "create", "ghost")


def test_a_token_prefix_never_reads_as_a_command_line_option() -> None:
    from solvent.core.services import api_token_create

    user = User.objects.create_user(username="integrator", password="x-password-123")
    for n in range(200):
        raw = api_token_create(user=user, name=f"t{n}")
        assert raw[4:12].isalnum(), raw[4:12]
