"""TCPA pack (47 U.S.C. 227; 47 CFR 64.1200): consent for automated calls and texts to mobiles.

An autodialled or prerecorded call, ringless voicemail or automated text to a wireless number needs
prior express consent for that number, given for that channel (consent to calls covers ringless
voicemail; consent to texts covers no call) and, when given about debts, about the debt in
question. A revocation by any reasonable means takes effect the moment it is recorded (the
10-business-day outer limit is not a grace period) and, whatever channel it came by, ends every
consent at that number given before it (revoke-all, 64.1200(a)(10)); a consent given afterwards
reopens its own channels only (ADR 0009). A Reassigned Numbers Database "yes" voids the consent.
A ringless voicemail is always treated as a prerecorded call (FCC 22-85, 2022).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from solvent.compliance.domain.context import DecisionContext
from solvent.compliance.domain.model import (
    Channel,
    Consent,
    ConsentKind,
    ContactPointKind,
    Purpose,
    Severity,
)
from solvent.compliance.domain.packs.common import consents_for_point, is_contact
from solvent.compliance.domain.rules import RuleHit, RuleInfo, RulePack

C_CONSENT = "47 U.S.C. 227(b)(1)(A)(iii); 47 CFR 64.1200(a)(1)(iii); FCC 07-232"
C_REVOCATION = "47 CFR 64.1200(a)(10)-(11); FCC 24-24"
C_REASSIGNED = "47 CFR 64.1200(l)-(m); FCC 18-177"
C_CONFIRMATION = "47 CFR 64.1200(a)(12); SoundBite Communications (FCC 12-143)"

AUTOMATABLE = frozenset({Channel.CALL, Channel.VOICEMAIL, Channel.SMS})


def check_automated_consent(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    proposed = ctx.proposed
    # A ringless voicemail is a prerecorded call (FCC 22-85), whatever the caller declares.
    automated = (
        proposed.autodialled or proposed.prerecorded or proposed.channel is Channel.VOICEMAIL
    )
    if not automated or proposed.channel not in AUTOMATABLE:
        return []
    if not is_contact(ctx):
        return []
    point = ctx.point
    # An unknown number, and any text, is treated as wireless: the conservative reading.
    wireless = (
        point is None or point.kind is ContactPointKind.MOBILE or proposed.channel is Channel.SMS
    )
    if not wireless:
        return []
    if point is not None and point.reassigned:
        message = "The number was reassigned since consent was given; consent no longer holds."
        return [RuleHit("tcpa.reassigned_number", message, C_REASSIGNED, never=True)]
    active, revoked = consents_for_point(ctx, ConsentKind.TCPA_PRIOR_EXPRESS, at)
    if revoked:
        # Revoke-all (47 CFR 64.1200(a)(10); FCC 24-24): a revocation at this number, whatever
        # channel or debt its consent was for, ends every consent given before it. Only a
        # consent given afterwards holds, and only for its own channels.
        revoked_at = max(consent.revoked_at for consent in revoked if consent.revoked_at)
        active = [consent for consent in active if consent.given_at > revoked_at]
    if active:
        return []
    if revoked and proposed.purpose is Purpose.OPT_OUT_CONFIRMATION:
        return _confirmation_hits(revoked, at)
    if revoked:
        message = (
            "The consumer revoked consent to automated calls and texts at this number; "
            "only manual, live calls remain possible."
        )
        return [RuleHit("tcpa.revocation", message, C_REVOCATION, never=True)]
    message = (
        "Autodialled or prerecorded calls and texts to a mobile need the consumer's prior "
        "express consent for this number; dial manually instead."
    )
    return [RuleHit("tcpa.autodial_wireless_requires_consent", message, C_CONSENT, never=True)]


CONFIRMATION_WINDOW = timedelta(minutes=5)


def _confirmation_hits(revoked: list[Consent], at: datetime) -> list[RuleHit]:
    """One confirmation text after an opt-out is presumed within consent if sent within 5 minutes."""
    latest = max(consent.revoked_at for consent in revoked if consent.revoked_at is not None)
    if at - latest <= CONFIRMATION_WINDOW:
        message = "One opt-out confirmation text, with no marketing, within 5 minutes."
        return [
            RuleHit("tcpa.revocation.confirmation_text", message, C_CONFIRMATION, Severity.WARN)
        ]
    message = "The opt-out confirmation text is no longer within 5 minutes of the revocation."
    return [RuleHit("tcpa.revocation.confirmation_text", message, C_CONFIRMATION, never=True)]


TCPA_PACK = RulePack(
    pack_id="tcpa",
    version="2025-04-11",
    title="United States: Telephone Consumer Protection Act",
    effective_from=date(1992, 12, 20),
    effective_until=None,
    jurisdictions=frozenset({"US"}),
    rules=(
        RuleInfo(
            "tcpa.autodial_wireless_requires_consent",
            "Automated calls and texts to mobiles need prior express consent",
            C_CONSENT,
            "An autodialled or prerecorded call, ringless voicemail (always prerecorded, "
            "FCC 22-85) or automated text to a mobile (or to a number of unknown type) is "
            "denied without consent for that number and channel (consent to texts is no "
            "consent to calls; consent to calls covers ringless voicemail) and, for a consent "
            "given about some debts, about that debt. Manual calls are not affected.",
            "T",
        ),
        RuleInfo(
            "tcpa.revocation",
            "Revoked consent takes effect at once",
            C_REVOCATION,
            "Consent revoked by any reasonable means, by any channel (a STOP text, a spoken "
            "'stop calling'), stops every automated call, ringless voicemail and text at that "
            "number from the moment the revocation is recorded; only a consent given after it "
            "reopens automated contact, for the channels it names.",
            "S",
        ),
        RuleInfo(
            "tcpa.revocation.confirmation_text",
            "One confirmation text after an opt-out",
            C_CONFIRMATION,
            "Purpose opt_out_confirmation by automated text is allowed (with this warning) within "
            "5 minutes of the revocation, denied afterwards.",
            "S",
        ),
        RuleInfo(
            "tcpa.reassigned_number",
            "Reassigned number",
            C_REASSIGNED,
            "A number reassigned since consent (Reassigned Numbers Database 'yes') gets no "
            "automated contact.",
            "S",
        ),
    ),
    checks=(check_automated_consent,),
)
