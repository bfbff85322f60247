"""The contact history's player for a recorded call: ``{% recording_player interaction %}``.

Only for a row with a recording reference (one query each, so a page without recordings costs
nothing more). The player is shown to who may listen (``recording_may_listen``; the account is
already one the reader sees, or the row would not be on their screen); others read "recorded".
The ``<audio>`` keeps its id and ``hx-preserve`` so the timeline's poll every 10 s does not stop a
recording being played.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from solvent.dialer.models import Recording
from solvent.dialer.services.recordings import recording_may_listen

register = template.Library()


@register.simple_tag(takes_context=True)
def recording_player(context: dict[str, Any], interaction: Any) -> SafeString | str:
    ref = getattr(interaction, "recording_ref", "")
    if not ref:
        return ""
    row = (
        Recording.objects.filter(ref=ref)
        .values_list("pk", "deleted_at", "call__agent_id", "seconds")
        .first()
    )
    if row is None:
        return ""
    recording_id, deleted_at, agent_id, seconds = row
    if deleted_at is not None:
        return mark_safe(
            '<div class="muted small" data-testid="recording-deleted">Recording deleted after '
            "its retention period.</div>"
        )
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not recording_may_listen(user=user, call_agent_id=agent_id):
        return mark_safe('<div class="muted small" data-testid="recording-kept">Recorded.</div>')
    return format_html(
        '<div class="recording"><audio id="recording-{}" hx-preserve controls preload="none" '
        'src="{}" data-testid="recording-player" aria-label="Recording of this call, {} s">'
        '<a href="{}">Listen to the recording</a></audio></div>',
        recording_id,
        reverse("desk:recording_play", args=[recording_id]),
        round(seconds),
        reverse("desk:recording_play", args=[recording_id]),
    )
