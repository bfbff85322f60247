"""Channel adapters. Imported only by ``solvent.contact.sender`` (tests/architecture enforces it)."""

from __future__ import annotations

from django.conf import settings

from solvent.contact.ports import ChannelSender


def channel_sender_for(channel: str) -> ChannelSender:
    """The configured provider for a channel; the embedded demo needs no outside service."""
    if channel == "email":
        from solvent.contact.adapters.email_django import DjangoEmailSender

        return DjangoEmailSender(backend=settings.EMAIL_BACKEND)
    if channel == "sms":
        provider = getattr(settings, "SOLVENT_SMS_PROVIDER", "console")
        if provider == "twilio":
            from solvent.contact.adapters.sms_twilio import TwilioSmsSender

            return TwilioSmsSender.from_settings()
        from solvent.contact.adapters.sms_console import ConsoleSmsSender

        return ConsoleSmsSender(path=getattr(settings, "SOLVENT_SMS_FILE", ""))
    if channel == "letter":
        from solvent.contact.adapters.letter_pdf import PdfLetterSender

        return PdfLetterSender(spool_dir=settings.VAR_DIR / "letters" / "spool")
    if channel == "voicemail":
        from solvent.contact.adapters.fakes import FakeChannelSender

        # Ringless voicemail drops go through the dialer's telephony; until a provider is
        # configured they are recorded as sent by the fake.
        return FakeChannelSender(channel="voicemail")
    raise ValueError(f"no sender for channel {channel!r}")
