"""Access to compliance records by id: holds, ledger rows, decisions. Built on ``portfolio.access``.

Each returns the record or raises the same NotFoundError for "missing" and "not yours"; with
``for_write``, a role that reads only gets PermissionDeniedError once the record is known to be
visible. A record belongs to a person, and through its accounts to their clients (ADR 0022):

- a record about accounts is visible when one of them is; to change it (an outcome, a release) the
  user must see every account it is about (or, for a person-wide record, every account of the
  debtor), or they would change another client's caps;
- a record about no account in particular is the person's: a hold is visible (its effect on contact
  is the person's, and the desk must say why a call is refused), a ledger row or a decision only to
  users who see every account of the debtor.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from solvent.compliance.models import ContactAttempt, DecisionLog, Hold
from solvent.core.domain.errors import NotFoundError
from solvent.portfolio.access import DebtorAccess, access_debtor_by_id, access_write_require


def access_hold_by_id(
    *, user: User | AnonymousUser, hold_id: int, for_write: bool = False
) -> tuple[Hold, DebtorAccess]:
    hold = Hold.objects.filter(pk=hold_id).first()
    not_found = NotFoundError(f"hold {hold_id} not found")
    if hold is None:
        raise not_found
    access = _debtor_or(not_found, user=user, debtor_id=hold.debtor_id)
    account_ids = [account.pk for account in hold.accounts.all()]
    if account_ids and not access.scope.shows(hold.debtor_id, account_ids):
        raise not_found
    if for_write:
        # Which roles may lift which kinds is the hold service's rule (its refusals are audited,
        # with their own codes): here only that the hold is wholly this user's to act on.
        _all_visible_or(not_found, access, account_ids)
    return hold, access


def access_attempt_by_id(
    *, user: User | AnonymousUser, attempt_id: int, for_write: bool = False
) -> tuple[ContactAttempt, DebtorAccess]:
    attempt = ContactAttempt.objects.filter(pk=attempt_id).first()
    not_found = NotFoundError(f"contact attempt {attempt_id} not found")
    if attempt is None:
        raise not_found
    access = _debtor_or(not_found, user=user, debtor_id=attempt.debtor_id)
    account_ids = [account.pk for account in attempt.accounts.all()]
    if not access.scope.shows(attempt.debtor_id, account_ids):
        raise not_found
    if for_write:
        _all_visible_or(not_found, access, account_ids)
        access_write_require(user=user)
    return attempt, access


def access_decision_by_id(
    *, user: User | AnonymousUser, decision_log_id: int
) -> tuple[DecisionLog, DebtorAccess]:
    decision = DecisionLog.objects.filter(pk=decision_log_id).first()
    not_found = NotFoundError(f"decision {decision_log_id} not found")
    if decision is None:
        raise not_found
    access = _debtor_or(not_found, user=user, debtor_id=decision.debtor_id)
    if not access.scope.shows(decision.debtor_id, decision.account_ids):
        raise not_found
    return decision, access


def _debtor_or(
    not_found: NotFoundError, *, user: User | AnonymousUser, debtor_id: int
) -> DebtorAccess:
    try:
        return access_debtor_by_id(user=user, debtor_id=debtor_id)
    except NotFoundError:
        raise not_found from None


def _all_visible_or(
    not_found: NotFoundError,
    access: DebtorAccess,
    account_ids: list[int],
) -> None:
    """To change a record the user must see all it is about: every account, or the whole person.

    So a person-wide hold on a debtor shared with another client is lifted by an agency-wide role
    (a compliance officer), never by one client's supervisor."""
    if account_ids:
        if not set(account_ids) <= access.account_ids:
            raise not_found
    elif not access.whole:
        raise not_found
