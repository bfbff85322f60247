"""The desk frame's screen recorder: ``{% screen_recorder %}`` in ``desk/base.html``'s head.

It loads rrweb and ``desk/screen_recorder.js`` on the pages an agent works a call on (the dialer
page and the account screen) for the roles whose desk is recorded, and nowhere else: a
supervisor's wallboard or a compliance officer's review are not recorded. The recorder reads
where to start and which account the page shows from the ``<meta>`` it renders (the CSP allows
no inline script).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from solvent.screen_recording.services import RECORDED_ROLES

register = template.Library()

RECORDED_PAGES = frozenset({"desk:account_detail", "desk:dialer_home"})
RRWEB = "vendor/rrweb-2.2.2/rrweb.min.js"
RECORDER = "desk/screen_recorder.js"


@register.simple_tag(takes_context=True)
def screen_recorder(context: dict[str, Any]) -> SafeString | str:
    if not getattr(settings, "SOLVENT_SCREEN_RECORDING", True):
        return ""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in RECORDED_PAGES:
        return ""
    if context.get("desk_role") not in RECORDED_ROLES:
        return ""
    account_id = match.kwargs.get("account_id", "")
    return format_html(
        '<meta name="solvent-screen-recording" data-start-url="{}" data-account-id="{}">'
        '<script src="{}" defer></script><script src="{}" defer></script>',
        reverse("desk:screen_start"),
        account_id,
        static(RRWEB),
        static(RECORDER),
    )
