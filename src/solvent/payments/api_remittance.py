"""REST endpoints: api_remittance (issue 13). Thin: parse, call one service or selector, answer."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["payments"])
