"""The roles a user can hold besides a firm membership, as groups: operations staff, and the
right to reveal a full taxpayer ID (`grant_operations`).

Each role's permissions are declared here, once. Every `migrate` makes the groups hold exactly
these (`roles_sync`, on post_migrate): a new model or action adds a line here, not a migration,
and tests/tenders/test_roles.py fails while a model's view permission is missing.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction

from tenders.accounts.permissions import firm_for_user

OPERATIONS_GROUP = "Operations"
TIN_REVEAL_GROUP = "Taxpayer ID reveal"

# Operations see every model of both sides, and the users (to pick a firm membership's user).
SEEN = {
    "auth": ["user"],
    "notes": [
        "agentreport",
        "exchangeoffer",
        "excludedjurisdiction",
        "feeinstallment",
        "historicalexchangeoffer",
        "historicalexcludedjurisdiction",
        "historicalfeeinstallment",
        "historicaloffercondition",
        "issuer",
        "offercondition",
        "offerevent",
        "ratestep",
        "security",
    ],
    "tenders": [
        "accountowner",
        "agentmovement",
        "agentreply",
        "agentreplyfile",
        "agentsubmission",
        "agentsubmissionitem",
        "asset",
        "brokerfirm",
        "bulkrun",
        "bulkrunitem",
        "clientaccount",
        "clientcheck",
        "clientlink",
        "clientsubmission",
        "clientsubmissionsigner",
        "dataversion",
        "document",
        "documentsnapshot",
        "heldinstruction",
        "historicalaccountowner",
        "historicalclientaccount",
        "historicalclientcheck",
        "historicalclientlink",
        "historicalclientsubmission",
        "historicalheldinstruction",
        "historicalinstruction",
        "historicalposition",
        "historicalproposal",
        "instruction",
        "instructionsigner",
        "instructiontransition",
        "journalentry",
        "ledgeraccount",
        "leg",
        "letterdispatch",
        "nontenderreportoffer",
        "outboxmessage",
        "paymentrun",
        "pendingimport",
        "position",
        "proposal",
        "reminder",
        "representative",
        "submissionalert",
        "tallyaccount",
        "tallyfirm",
        "tallygroup",
        "tallyline",
        "tallynote",
        "tallystate",
        "tinreveal",
        "withdrawalnotice",
        "withdrawalnoticesigner",
        "workerheartbeat",
    ],
}
# The terms, reference data and accounts: operations keep them up to date (add and change).
EDITED = {
    "notes": [
        "issuer",
        "security",
        "ratestep",
        "exchangeoffer",
        "feeinstallment",
        "offercondition",
        "excludedjurisdiction",
    ],
    "tenders": ["brokerfirm", "representative", "clientaccount", "accountowner", "position"],
}
# The offer's actions: act after a firm's cutoff and submit to the agent (instructions), issue
# a new revision of a document, queue an e-mail again or record one as sent, start and resume
# bulk runs, enter the agent's reported total, import the agent's files, correct the books by
# reversing an entry. Nothing is ever deleted, and documents, audit rows and the books' entries
# are never changed.
ACTIONS = [
    "notes.add_agentreport",
    "tenders.change_instruction",
    "tenders.override_cutoff",
    "tenders.add_document",
    "tenders.add_outboxmessage",
    "tenders.mark_outboxmessage_sent",
    "tenders.change_bulkrun",
    "tenders.add_agentreplyfile",
    "tenders.reverse_journalentry",
]

ROLES: dict[str, frozenset[str]] = {
    OPERATIONS_GROUP: frozenset(
        [f"{app}.view_{model}" for app, models in SEEN.items() for model in models]
        + [
            f"{app}.{verb}_{model}"
            for app, models in EDITED.items()
            for model in models
            for verb in ("add", "change")
        ]
        + ACTIONS
    ),
    TIN_REVEAL_GROUP: frozenset(["tenders.reveal_tin"]),
}


@transaction.atomic
def roles_sync(*, using: str = "default") -> None:
    """Make each role's group hold exactly its declared permissions (made if missing). A
    declared permission that does not exist is a mistake in this file: refused by name."""
    for name, codes in ROLES.items():
        found = {
            f"{p.content_type.app_label}.{p.codename}": p
            for p in Permission.objects.using(using)
            .select_related("content_type")
            .filter(content_type__app_label__in={code.split(".")[0] for code in codes})
        }
        unknown = sorted(codes - set(found))
        if unknown:
            raise ImproperlyConfigured(
                f"The {name} role names permissions that do not exist: {', '.join(unknown)}."
            )
        group, _ = Group.objects.using(using).get_or_create(name=name)
        group.permissions.set([found[code] for code in sorted(codes)])


def roles_sync_after_migrate(*, using: str = "default", **kwargs: Any) -> None:
    """post_migrate, once the permissions of every model exist (auth's own handler made them)."""
    roles_sync(using=using)


def _group(name: str) -> Group:
    try:
        return Group.objects.get(name=name)
    except Group.DoesNotExist:
        raise ValidationError(
            f"The {name} group does not exist: run `manage.py migrate` first."
        ) from None


@transaction.atomic
def operations_role_grant(*, user: User, reveal_tin: bool = False) -> None:
    """Make a user operations staff (staff, in the Operations group); with `reveal_tin`,
    also allowed to reveal full taxpayer IDs. A firm's representative cannot be an operator:
    operations see every firm."""
    firm = firm_for_user(user=user)
    if firm is not None:
        raise ValidationError(
            f"{user.get_username()} is a representative of {firm.name}: an operator belongs "
            "to no firm. Remove the firm membership first."
        )
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(_group(OPERATIONS_GROUP))
    if reveal_tin:
        user.groups.add(_group(TIN_REVEAL_GROUP))


@transaction.atomic
def operations_role_revoke(*, user: User, reveal_tin_only: bool = False) -> None:
    """Take the right to reveal TINs away; unless `reveal_tin_only`, the operations role too
    (a superuser stays staff)."""
    user.groups.remove(_group(TIN_REVEAL_GROUP))
    if reveal_tin_only:
        return
    user.groups.remove(_group(OPERATIONS_GROUP))
    if not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
