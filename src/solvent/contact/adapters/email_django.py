"""E-mail through Django's mail backends (SMTP in production), one connection per worker batch."""

from __future__ import annotations

import contextlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from solvent.contact.ports import (
    OutgoingMessage,
    PermanentProviderError,
    ProviderError,
    SendReceipt,
)


class DjangoEmailSender:
    channel = "email"

    def __init__(self, *, backend: str, from_email: str | None = None) -> None:
        self.backend = backend
        self.from_email = from_email or settings.DEFAULT_FROM_EMAIL
        self._connection: BaseEmailBackend | None = None

    def open(self) -> None:
        if self._connection is None:
            # fail_silently=False: a provider error must reach the outbox so it can retry.
            self._connection = get_connection(self.backend, fail_silently=False)
            self._connection.open()

    def send(self, message: OutgoingMessage) -> SendReceipt:
        try:
            self.open()
        except (smtplib.SMTPException, OSError) as exc:
            self._connection = None
            raise ProviderError(f"cannot reach the mail server: {exc}") from exc
        assert self._connection is not None
        headers = {
            "Message-ID": message.message_id,
            "X-Solvent-Idempotency-Key": message.idempotency_key,
        }
        unsubscribe = message.extras.get("unsubscribe_url")
        if unsubscribe:
            headers["List-Unsubscribe"] = f"<{unsubscribe}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=self.from_email,
            to=[message.to],
            headers=headers,
            connection=self._connection,
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentProviderError(f"recipient refused: {exc.recipients}") from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            # The connection may be half-dead: drop it so the next send opens a fresh one.
            self.close()
            raise ProviderError(f"{type(exc).__name__}: {exc}") from exc
        return SendReceipt(provider_message_id=message.message_id)

    def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with contextlib.suppress(smtplib.SMTPException, OSError):
                connection.close()
