"""Reads about what awaits a second person."""

from uuid import UUID

from django.contrib.auth.models import User as AuthUser
from django.db.models import QuerySet

from exchange_office import clock
from notes.models import ExchangeOffer
from tenders.accounts import permissions
from tenders.accounts.models import BrokerFirm, ClientAccount
from tenders.accounts.permissions import User
from tenders.accounts.selectors import firm_people_to_email
from tenders.approvals.models import ApprovalStatus, HeldInstruction, Proposal, ProposalKind
from tenders.approvals.permissions import may_decide_held


def held_for_supervisor(*, user: User, offer: ExchangeOffer) -> QuerySet[HeldInstruction]:
    """Instructions awaiting a supervisor that the user may see, oldest first; none once the
    offer has expired (as extended), which makes them meaningless."""
    if clock.now() >= offer.expiration:
        return HeldInstruction.objects.none()
    return (
        permissions.visible_by_account(
            user=user,
            rows=HeldInstruction.objects.filter(offer=offer, status=ApprovalStatus.AWAITING),
            account_path="account",
        )
        .select_related("account__firm", "entered_by")
        .prefetch_related("account__owners")
        .order_by("entered_at", "pk")
    )


def held_deciders_to_email(*, held: HeldInstruction) -> list[AuthUser]:
    """The supervisors of the held instruction's firm who may decide on it (not the one who
    entered it) and can be e-mailed."""
    return [
        user
        for user in firm_people_to_email(firm=held.account.firm)
        if may_decide_held(user=user, held=held)
    ]


def awaiting_held(*, account: ClientAccount, offer: ExchangeOffer) -> HeldInstruction | None:
    """The account's instruction awaiting a supervisor, if any (at most one: a constraint)."""
    return (
        HeldInstruction.objects.filter(account=account, offer=offer, status=ApprovalStatus.AWAITING)
        .select_related("entered_by")
        .first()
    )


def awaiting_held_by_account(*, user: User, offer: ExchangeOffer) -> dict[int, HeldInstruction]:
    """The instructions awaiting a supervisor on the accounts the user may see, by account
    (one query, a few rows): the account list shows that a newer version is held while the
    account's instruction is still the old one. None once the offer has expired."""
    if clock.now() >= offer.expiration:
        return {}
    rows = permissions.visible_by_account(
        user=user,
        rows=HeldInstruction.objects.filter(offer=offer, status=ApprovalStatus.AWAITING),
        account_path="account",
    )
    return {held.account_id: held for held in rows.order_by("pk")}


def held_by_token(token: UUID) -> HeldInstruction | None:
    """The held instruction a form posted with this token became (a double click)."""
    return HeldInstruction.objects.filter(submission_token=token).first()


def account_held(*, account: ClientAccount, offer: ExchangeOffer) -> QuerySet[HeldInstruction]:
    return (
        HeldInstruction.objects.filter(account=account, offer=offer)
        .select_related("entered_by", "decided_by", "instruction")
        .order_by("-entered_wall_at", "-pk")
    )


def approved_tin_reveal(*, account: ClientAccount, by: User) -> Proposal | None:
    """The user's approved, unused request to see the account's full TIN, if still valid."""
    return (
        Proposal.objects.filter(
            kind=ProposalKind.REVEAL_TIN,
            account=account,
            proposed_by_id=by.pk,
            status=ApprovalStatus.APPROVED,
            used_at__isnull=True,
            expires_at__gt=clock.now(),
        )
        .order_by("-proposed_wall_at")
        .first()
    )


def firm_control_changes(*, firm: BrokerFirm) -> QuerySet[Proposal]:
    """Every proposed change of the firm's cutoff or threshold, newest first, with who
    proposed and who decided it: the firm's record of them."""
    return (
        Proposal.objects.filter(kind=ProposalKind.FIRM_CONTROLS, firm=firm)
        .select_related("proposed_by", "decided_by")
        .order_by("-proposed_wall_at", "-pk")
    )
