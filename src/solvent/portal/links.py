"""Links to the debtor's page: made one per message, verified when opened.

A link is ``<SOLVENT_PUBLIC_URL>/my/l/<token>/`` with a random token (``secrets.token_urlsafe(24)``,
192 bits). Only a keyed hash of the token is stored (HMAC-SHA256 under the SECRET_KEY), so a copy of
the database opens nothing. A link lasts ``SOLVENT_PORTAL_LINK_DAYS`` (14 by default; a letter's,
which takes days to arrive, ``SOLVENT_PORTAL_LETTER_LINK_DAYS``, 45) and opens the page once.

``portal_url_for_message`` is what message_variables puts in ``{{ portal_url }}``: a link row is
written only when a template actually prints it (a limited-content voicemail never does).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

from solvent.core import clock
from solvent.portal.models import PortalLink

DEFAULT_LINK_DAYS = 14
DEFAULT_LETTER_LINK_DAYS = 45
_TOKEN_SALT = "solvent.portal.link"  # noqa: S105 (a salt naming the hash, not a secret)
_ADDRESS_SALT = "solvent.portal.address"


def _setting_int(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name) or default
    return int(value)


def link_days(channel: str) -> int:
    if channel == "letter":
        return _setting_int("SOLVENT_PORTAL_LETTER_LINK_DAYS", DEFAULT_LETTER_LINK_DAYS)
    return _setting_int("SOLVENT_PORTAL_LINK_DAYS", DEFAULT_LINK_DAYS)


def token_hash(token: str) -> str:
    return salted_hmac(_TOKEN_SALT, token, algorithm="sha256").hexdigest()


def address_hash(address: str) -> str:
    """A keyed hash of the client's network address: counted, never kept in clear."""
    return salted_hmac(_ADDRESS_SALT, address or "unknown", algorithm="sha256").hexdigest()


def public_base() -> str:
    return str(getattr(settings, "SOLVENT_PUBLIC_URL", "http://localhost:8000")).rstrip("/")


# Links made inside ``portal_links_batch`` wait here and are inserted together when it ends.
_batch: ContextVar[list[PortalLink] | None] = ContextVar("portal_link_batch", default=None)


@contextmanager
def portal_links_batch() -> Iterator[None]:
    """Within it, links are collected and inserted in one statement when it ends without error
    (the outbox queues thousands of messages at once: one INSERT each would be most of its time).
    Use it inside the transaction that stores the messages, so links and messages commit together.
    """
    pending: list[PortalLink] = []
    reset = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(reset)
    PortalLink.objects.bulk_create(pending, batch_size=500)


def portal_link_create(
    *, debtor_id: int, account_id: int | None, channel: str = "", source: str = ""
) -> tuple[PortalLink, str]:
    """A new link for this debtor (about this account); returns the row and the full URL, the
    only place the token ever appears. Inside ``portal_links_batch`` the row is inserted when the
    batch ends (it has no primary key until then)."""
    token = secrets.token_urlsafe(24)
    now = clock.now()
    link = PortalLink(
        debtor_id=debtor_id,
        account_id=account_id,
        token_hash=token_hash(token),
        source=source[:80],
        created_at=now,
        expires_at=now + timedelta(days=link_days(channel)),
    )
    pending = _batch.get()
    if pending is None:
        link.save()
    else:
        pending.append(link)
    return link, f"{public_base()}{reverse('portal:open', args=[token])}"


def portal_link_find(token: str, *, lock: bool = False) -> PortalLink | None:
    """The link this token names, or None (never made, or forged)."""
    if not token or len(token) > 64:
        return None
    links = PortalLink.objects.select_for_update() if lock else PortalLink.objects
    return links.select_related("debtor").filter(token_hash=token_hash(token)).first()


# What a preview prints instead of a token (as long as a real one: 32 characters).
PREVIEW_TOKEN = "link-made-when-the-message-sends"  # noqa: S105 (a stand-in, opens nothing)


class PortalUrl(str):
    """``{{ portal_url }}`` for one message: the base URL until a template prints it; then a link
    is made (once, on first print) and its full URL is what the template shows.

    A ``str`` so message_variables keeps its type; ``render`` prints values with ``str()``, which is
    the moment a link is needed. Links are made only while the outbox queues messages
    (``portal_links_batch``), inside its transaction: they roll back with the messages if that
    fails, and a preview of a message makes none."""

    _debtor_id: int
    _account_id: int | None
    _channel: str
    _source: str
    _url: str

    def __new__(
        cls, *, debtor_id: int, account_id: int | None, channel: str, contact_point: str
    ) -> PortalUrl:
        value = super().__new__(cls, public_base())
        value._debtor_id = debtor_id
        value._account_id = account_id
        value._channel = channel
        value._source = f"{channel}:{contact_point}"
        value._url = ""
        return value

    def __str__(self) -> str:
        if _batch.get() is None:
            # Not being queued (the desk's preview of a message): no link is made; a stand-in of
            # the same length shows where it goes, so the preview's length is the message's.
            return f"{public_base()}{reverse('portal:open', args=[PREVIEW_TOKEN])}"
        if not self._url:
            _, self._url = portal_link_create(
                debtor_id=self._debtor_id,
                account_id=self._account_id,
                channel=self._channel,
                source=self._source,
            )
        return self._url


def portal_url_for_message(
    *, debtor_id: int, account_id: int | None, channel: str, contact_point: str
) -> str:
    return PortalUrl(
        debtor_id=debtor_id, account_id=account_id, channel=channel, contact_point=contact_point
    )
