"""What the debtor said about being contacted: consents given and revoked, stated times and places."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Q

from solvent.compliance.domain.localtime import is_known_zone
from solvent.compliance.engine_input import (
    PHONE_CHANNELS,
    debtor_accounts,
    normalise_contact_point,
)
from solvent.compliance.models import Consent, Hold, TimePreference
from solvent.compliance.services.common import (
    CHANNELS,
    CONSENT_SCOPES,
    TIME_PREFERENCE_KINDS,
    audit,
    aware,
    debtor_or_404,
    owed_accounts_check,
    require,
)
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.portfolio.models import Account, Debtor


def consent_grant(
    *,
    debtor_id: int,
    channel: str,
    contact_point: str,
    source: str,
    scope: str = "autodialled",
    account_ids: Sequence[int] = (),
    at: datetime | None = None,
    evidence: str = "",
    actor_id: int | None = None,
) -> Consent:
    """Record consent given at ``at`` (when the debtor gave it, not when it was keyed in).

    ``account_ids``: the debts the consent is about. Consent to more calls (1006.14(b)(3)(i)) is
    about a particular debt (comment 14(b)(3)(i)-2): a debtor who owes several accounts must say
    which (all of them is an answer); one who owes one gives it for that one. Other consents
    without accounts cover every debt.

    A consent given after an opt-out of the same channel at the same point reopens it: the latest
    word of the debtor wins. An older consent recorded late (a client file re-sending the original
    application) does not undo a later STOP: an automated-contact consent older than a revocation
    at that number is recorded as revoked by it.
    """
    require(channel, CHANNELS, "channel")
    require(scope, CONSENT_SCOPES, "scope")
    point = normalise_contact_point(channel, contact_point)
    given_at = aware(at) or clock.now()
    with transaction.atomic():
        debtor = debtor_or_404(debtor_id)
        accounts = _consent_accounts(debtor, scope, account_ids)
        revocation = _later_revocation(debtor, scope, channel, point, given_at)
        consent = Consent.objects.create(
            debtor=debtor,
            channel=channel,
            contact_point=point,
            scope=scope,
            source=source,
            evidence=evidence,
            given_at=given_at,
            granted_by_id=actor_id,
            revoked_at=revocation.placed_at if revocation else None,
            revocation_source=revocation.source if revocation else "",
            revocation_evidence=f"opt-out recorded before this consent (hold {revocation.pk})"
            if revocation
            else "",
        )
        consent.accounts.set(accounts)
        reopened = list(
            Hold.objects.filter(
                debtor=debtor,
                kind=Hold.Kind.MEDIUM_OPT_OUT,
                contact_point=point,
                channels=[channel],
                placed_at__lt=given_at,
                released_at__isnull=True,
            ).values_list("pk", flat=True)
        )
        Hold.objects.filter(pk__in=reopened).update(
            released_at=given_at,
            release_reason=f"consent given again ({source})",
            released_by_id=actor_id,
        )
        data = {
            "debtor_id": debtor_id,
            "channel": channel,
            "scope": scope,
            "source": source,
            "account_ids": [account.pk for account in accounts],
            "opt_outs_released": reopened,
            "revoked_by_earlier_opt_out": revocation.pk if revocation else None,
        }
        audit("compliance.consent_granted", consent, data, actor_id)
    return consent


def _consent_accounts(debtor: Debtor, scope: str, account_ids: Sequence[int]) -> list[Account]:
    """The accounts a new consent is about (see ``consent_grant``); refuses an ambiguous one."""
    owed = debtor_accounts(debtor=debtor)
    if account_ids:
        wanted = set(owed_accounts_check(debtor.pk, account_ids, owed))
        return [account for account in owed if account.pk in wanted]
    if scope != Consent.Scope.ADDITIONAL_CALLS:
        return []
    if len(owed) > 1:
        raise ValidationError(
            "consent to more calls is about a particular debt: give the account_ids it was given "
            f"for (the debtor owes {len(owed)} accounts)",
            code="account_ids_required",
        )
    return owed


def _later_revocation(
    debtor: Debtor, scope: str, channel: str, point: str, given_at: datetime
) -> Hold | None:
    """The latest revocation at a number after ``given_at``, for a consent to automated contact.

    Every revocation leaves a medium opt-out hold (``consent_revoke``), kept after its release.
    """
    if scope != Consent.Scope.AUTODIALLED or channel not in PHONE_CHANNELS:
        return None
    opt_outs = Hold.objects.filter(
        debtor=debtor, kind=Hold.Kind.MEDIUM_OPT_OUT, contact_point=point, placed_at__gt=given_at
    ).order_by("-placed_at", "-pk")
    return next((hold for hold in opt_outs if PHONE_CHANNELS & set(hold.channels)), None)


def consent_revoke(
    *,
    debtor_id: int,
    channel: str,
    contact_point: str,
    source: str,
    at: datetime | None = None,
    evidence: str = "",
    actor_id: int | None = None,
) -> None:
    """Takes effect at once: the consumer's consents for the channel and point end.

    At a phone number it also ends every consent to automated contact there, for calls, texts and
    ringless voicemail alike: a revocation by any reasonable means, in answer to any kind of
    message, covers every robocall and robotext (47 CFR 64.1200(a)(10); FCC 24-24; ADR 0009).
    Consents given after ``at`` are untouched. The refusal of the medium itself is a
    ``medium_opt_out`` hold on that point and channel only, so the channel stays closed there even
    for contacts that never needed consent (Reg F 1006.14(h)). Only a consent given after it
    (``consent_grant``, for that channel) or ``hold_release`` reopens the channel.
    """
    require(channel, CHANNELS, "channel")
    point = normalise_contact_point(channel, contact_point)
    moment = aware(at) or clock.now()
    revokes = Q(channel=channel)
    if channel in PHONE_CHANNELS:
        revokes |= Q(scope=Consent.Scope.AUTODIALLED, channel__in=PHONE_CHANNELS)
    with transaction.atomic():
        debtor = debtor_or_404(debtor_id)
        revoked = list(
            Consent.objects.filter(
                revokes,
                debtor=debtor,
                contact_point=point,
                revoked_at__isnull=True,
                given_at__lte=moment,
            ).values_list("pk", flat=True)
        )
        Consent.objects.filter(pk__in=revoked).update(
            revoked_at=moment,
            revocation_source=source,
            revocation_evidence=evidence,
            revoked_by_id=actor_id,
        )
        hold = Hold.objects.create(
            debtor=debtor,
            kind=Hold.Kind.MEDIUM_OPT_OUT,
            source=source,
            contact_point=point,
            channels=[channel],
            evidence=evidence,
            placed_at=moment,
            placed_by_id=actor_id,
        )
        audit(
            "compliance.consent_revoked",
            hold,
            {
                "debtor_id": debtor_id,
                "channel": channel,
                "consents_revoked": len(revoked),
                "consent_ids": revoked,
            },
            actor_id,
        )


def time_preference_set(
    *,
    debtor_id: int,
    kind: str,
    source: str,
    days: Sequence[int] = (),
    start: time | None = None,
    end: time | None = None,
    time_zone: str = "",
    valid_from: date | None = None,
    valid_until: date | None = None,
    evidence: str = "",
    at: datetime | None = None,
    actor_id: int | None = None,
) -> TimePreference:
    """Record a time or place the debtor stated: "only after 6 p.m.", "never at work".

    ``inconvenient``/``convenient`` take weekly local-time ranges (``days`` Monday = 0, empty = every
    day; ``start``/``end`` absent = the whole day; ``time_zone`` absent = every zone the debtor may
    be in). ``not_at_work``/``not_at_home`` need no times. "Only after 6 p.m." is
    ``kind="inconvenient", end=time(18)``; a range across midnight is two preferences.
    """
    require(kind, TIME_PREFERENCE_KINDS, "kind")
    weekdays = sorted(set(days))
    if any(day not in range(7) for day in weekdays):
        raise ValidationError("days must be weekday numbers 0 (Monday) to 6", code="invalid_days")
    if start is not None and end is not None and start >= end:
        raise ValidationError("start must be before end", code="invalid_range")
    if time_zone and not is_known_zone(time_zone):
        raise ValidationError(f"unknown IANA time zone {time_zone!r}", code="invalid_time_zone")
    with transaction.atomic():
        debtor = debtor_or_404(debtor_id)
        preference = TimePreference.objects.create(
            debtor=debtor,
            kind=kind,
            days=weekdays,
            start=start,
            end=end,
            time_zone=time_zone,
            valid_from=valid_from,
            valid_until=valid_until,
            source=source,
            evidence=evidence,
            stated_at=aware(at) or clock.now(),
            stated_by_id=actor_id,
        )
        audit(
            "compliance.time_preference_set",
            preference,
            {"debtor_id": debtor_id, "kind": kind, "days": weekdays},
            actor_id,
        )
    return preference


def time_preference_withdraw(
    *, preference_id: int, at: datetime | None = None, actor_id: int | None = None
) -> None:
    """The debtor takes a stated time back (e.g. "you may call me at work now")."""
    with transaction.atomic():
        preference = TimePreference.objects.select_for_update().filter(pk=preference_id).first()
        if preference is None:
            raise NotFoundError(f"time preference {preference_id} not found")
        if preference.withdrawn_at is not None:
            return
        preference.withdrawn_at = aware(at) or clock.now()
        preference.save(update_fields=["withdrawn_at"])
        audit(
            "compliance.time_preference_withdrawn",
            preference,
            {"debtor_id": preference.debtor_id, "kind": preference.kind},
            actor_id,
        )
