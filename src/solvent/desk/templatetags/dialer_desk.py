"""The account screen's question to the dialer: has the signed-in agent a live call on it?"""

from __future__ import annotations

from typing import Any

from django import template

from solvent.dialer.models import Call
from solvent.dialer.services.agents import agent_live_call

register = template.Library()


@register.simple_tag(takes_context=True)
def dialer_live_call(context: dict[str, Any], account_id: int) -> Call | None:
    """The agent's dialer call on this account not yet wrapped up: one indexed query, so the
    account screen of an account without one costs one query more and shows nothing."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return agent_live_call(agent_id=int(user.pk), account_id=int(account_id))
