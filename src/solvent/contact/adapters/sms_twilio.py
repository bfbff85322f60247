"""SMS through Twilio's REST API (Messages resource), with the standard library's HTTP client.

Twilio's create-message call is not idempotent, so the idempotency key travels in the status
callback URL: a delivery receipt names the outbox message it belongs to even after a duplicate.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings

from solvent.contact.ports import (
    OutgoingMessage,
    PermanentProviderError,
    ProviderError,
    SendReceipt,
)

# Twilio error codes that no retry will fix: invalid 'To', unreachable, opted out, blacklisted.
_PERMANENT_CODES = frozenset({21211, 21214, 21610, 21612, 21614, 30003, 30005, 30006})


class TwilioSmsSender:
    channel = "sms"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str,
        api_base: str = "https://api.twilio.com",
        status_callback: str = "",
        timeout: float = 10.0,
    ) -> None:
        self.account_sid = account_sid
        self.from_number = from_number
        self.url = f"{api_base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.status_callback = status_callback
        self.timeout = timeout
        credentials = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self._authorization = f"Basic {credentials}"

    @classmethod
    def from_settings(cls) -> TwilioSmsSender:
        base = settings.SOLVENT_PUBLIC_URL.rstrip("/")
        return cls(
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            from_number=settings.TWILIO_FROM_NUMBER,
            api_base=settings.TWILIO_API_BASE,
            status_callback=f"{base}/contact/webhooks/twilio/status",
        )

    def open(self) -> None:
        return None

    def send(self, message: OutgoingMessage) -> SendReceipt:
        form = {"To": message.to, "From": self.from_number, "Body": message.body}
        if self.status_callback:
            form["StatusCallback"] = f"{self.status_callback}?key={message.idempotency_key}"
        request = urllib.request.Request(  # noqa: S310 - the URL is built from settings, https in production
            self.url,
            data=urllib.parse.urlencode(form).encode(),
            headers={
                "Authorization": self._authorization,
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = _json(response.read())
        except urllib.error.HTTPError as exc:
            payload = _json(exc.read(), strict=False)
            code = payload.get("code")
            text = f"Twilio HTTP {exc.code}: {payload.get('message', exc.reason)}"
            if exc.code < 500 and exc.code != 429 and (code in _PERMANENT_CODES or exc.code == 400):
                raise PermanentProviderError(text) from exc
            raise ProviderError(text) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ProviderError(f"Twilio unreachable: {exc}") from exc
        sid = payload.get("sid")
        if not isinstance(sid, str) or not sid:
            raise ProviderError(f"malformed Twilio response: no sid in {str(payload)[:200]}")
        return SendReceipt(provider_message_id=sid)

    def close(self) -> None:
        return None


def _json(raw: bytes, *, strict: bool = True) -> dict[str, Any]:
    try:
        data = json.loads(raw or b"{}")
    except ValueError as exc:
        if strict:
            raise ProviderError(f"malformed Twilio response: {raw[:200]!r}") from exc
        return {}
    if not isinstance(data, dict):
        if strict:
            raise ProviderError(f"malformed Twilio response: {raw[:200]!r}")
        return {}
    return data
