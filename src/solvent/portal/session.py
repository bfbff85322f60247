"""Who is on the debtor's page: the debtor a verified link opened it for, in the browser session.

A session opens only after the link's check passed (views of the portal); it names the debtor, the
account the link was about and the page's language, and lapses after ``IDLE`` without a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import HttpRequest

from solvent.core import clock

IDLE = timedelta(minutes=30)

_KEY = "solvent_portal"


@dataclass(frozen=True, slots=True)
class PortalSession:
    debtor_id: int
    account_id: int
    language: str
    link_id: int


def portal_session_start(
    request: HttpRequest, *, debtor_id: int, account_id: int, language: str, link_id: int
) -> PortalSession:
    """Open the page for this debtor (a new session key: nothing from before carries over)."""
    request.session.cycle_key()
    request.session[_KEY] = {
        "debtor_id": debtor_id,
        "account_id": account_id,
        "language": language,
        "link_id": link_id,
        "seen": clock.now().isoformat(),
    }
    return PortalSession(debtor_id, account_id, language, link_id)


def portal_session(request: HttpRequest, *, touch: bool = True) -> PortalSession | None:
    """The debtor on this page, or None (never opened, ended, or idle longer than ``IDLE``).

    ``touch`` marks the debtor as seen now, which writes the browser session. The chat's own
    background requests (its load and its 2-second poll) pass ``touch=False``: they run while the
    debtor opens a form, and a session they saved from a copy read before the form's one-time key
    was stored would lose that key (the form then says it is stale). Nor do they keep an unattended
    page open: only what the debtor does counts as being there.
    """
    data = request.session.get(_KEY)
    if not isinstance(data, dict):
        return None
    now = clock.now()
    try:
        seen = datetime.fromisoformat(str(data["seen"]))
        found = PortalSession(
            int(data["debtor_id"]),
            int(data["account_id"]),
            str(data["language"]),
            int(data["link_id"]),
        )
    except (KeyError, TypeError, ValueError):
        return None
    if now - seen > IDLE:
        portal_session_end(request)
        return None
    if touch:
        data["seen"] = now.isoformat()
        request.session[_KEY] = data
    return found


def portal_language_set(request: HttpRequest, language: str) -> None:
    data = request.session.get(_KEY)
    if isinstance(data, dict):
        data["language"] = language
        request.session[_KEY] = data


def portal_session_end(request: HttpRequest) -> None:
    request.session.pop(_KEY, None)
