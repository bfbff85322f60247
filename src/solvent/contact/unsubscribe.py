"""Signed unsubscribe links: the token names the debtor and the address, and cannot be forged."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

_SALT = "solvent.contact.unsubscribe"


def unsubscribe_token(*, debtor_id: int, address: str) -> str:
    return signing.dumps({"d": debtor_id, "a": address.lower()}, salt=_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    """The (debtor id, address) a token was made for, or None when it was tampered with."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), int):
        return None
    return int(data["d"]), str(data.get("a", ""))


def unsubscribe_url_for(*, debtor_id: int, address: str) -> str:
    base = getattr(settings, "SOLVENT_PUBLIC_URL", "http://localhost:8000").rstrip("/")
    path = reverse(
        "contact:unsubscribe", args=[unsubscribe_token(debtor_id=debtor_id, address=address)]
    )
    return f"{base}{path}"
