"""Webhook signatures: Twilio's HMAC-SHA1 scheme and our own HMAC-SHA256 for e-mail events."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping


def twilio_signature(*, auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """Twilio signs the full URL followed by every POST parameter, sorted, name then value."""
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_signature_valid(
    *, auth_token: str, url: str, params: Mapping[str, str], signature: str
) -> bool:
    if not auth_token or not signature:
        return False
    expected = twilio_signature(auth_token=auth_token, url=url, params=params)
    return hmac.compare_digest(expected, signature)


def body_signature(*, secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body_signature_valid(*, secret: str, body: bytes, signature: str) -> bool:
    if not secret or not signature:
        return False
    return hmac.compare_digest(body_signature(secret=secret, body=body), signature.strip().lower())
