"""The dialer's REST API (slot: filled by the dialer work, issue 14)."""

from ninja import Router

router = Router(tags=["dialer"])
