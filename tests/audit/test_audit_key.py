"""The audit key fails closed: production without SOLVENT_AUDIT_KEY appends nothing and says why."""

from __future__ import annotations

import pytest
from django.conf import settings

from solvent.audit.checks import audit_key_check
from solvent.audit.keys import AuditKeyMissingError, audit_key, development_audit_key
from solvent.audit.models import AuditEntry
from solvent.audit.services import audit_chain_check, audit_record


@pytest.mark.django_db
def test_production_without_an_audit_key_refuses_to_append(
    audit_key_environment: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(AuditKeyMissingError, match="SOLVENT_AUDIT_KEY is not set"):
        audit_record(action="a", object_type="t")
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_production_without_an_audit_key_refuses_to_verify(
    audit_key_environment: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(AuditKeyMissingError):
        audit_chain_check()


def test_a_short_audit_key_is_refused(audit_key_environment: pytest.MonkeyPatch) -> None:
    audit_key_environment.setenv("SOLVENT_AUDIT_KEY", "too-short")
    with pytest.raises(AuditKeyMissingError, match="shorter than 32"):
        audit_key()


def test_the_environment_key_is_used_as_given(audit_key_environment: pytest.MonkeyPatch) -> None:
    audit_key_environment.setenv("SOLVENT_AUDIT_KEY", "x" * 40)
    key = audit_key()
    assert (key.secret, key.derived) == (b"x" * 40, False)


def test_the_test_suite_and_the_demo_derive_a_key_from_their_development_secret_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SOLVENT_AUDIT_KEY", raising=False)
    for source in ("tests", "demo"):
        monkeypatch.setattr(settings, "SOLVENT_KEY_SOURCE", source, raising=False)
        assert audit_key().derived
    # The one `solvent demo` hands its server and worker: a SOLVENT_DEBUG=1 command on the demo's
    # var dir seals the same chain with the same key.
    derived = audit_key()
    monkeypatch.setenv("SOLVENT_AUDIT_KEY", development_audit_key(settings.SECRET_KEY))
    assert audit_key().id == derived.id


def test_check_deploy_reports_a_missing_audit_key(
    audit_key_environment: pytest.MonkeyPatch,
) -> None:
    assert [message.id for message in audit_key_check()] == ["solvent.audit.E001"]
    audit_key_environment.setenv("SOLVENT_AUDIT_KEY", "y" * 32)
    assert audit_key_check() == []
