"""Django's admin finds an app's admin in `tenders.admin`: each concern registers its own, and
the pages that several concerns make up are registered by `tenders.pages.admin`."""

from tenders.accounts import admin as accounts_admin
from tenders.approvals import admin as approvals_admin
from tenders.bulk_runs import admin as bulk_runs_admin
from tenders.documents import admin as documents_admin
from tenders.instructions import admin as instructions_admin
from tenders.ledger import admin as ledger_admin
from tenders.letters import admin as letters_admin
from tenders.notices import admin as notices_admin
from tenders.offers import admin as offers_admin
from tenders.online import admin as online_admin
from tenders.outbox import admin as outbox_admin
from tenders.pages import admin as pages_admin
from tenders.payments import admin as payments_admin
from tenders.positions import admin as positions_admin
from tenders.submissions import admin as submissions_admin

__all__ = [
    "accounts_admin",
    "approvals_admin",
    "bulk_runs_admin",
    "documents_admin",
    "instructions_admin",
    "ledger_admin",
    "letters_admin",
    "notices_admin",
    "offers_admin",
    "online_admin",
    "outbox_admin",
    "pages_admin",
    "payments_admin",
    "positions_admin",
    "submissions_admin",
]
