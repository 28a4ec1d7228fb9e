"""The representative's pages (namespace `tenders`)."""

from django.urls import path

from tenders.accounts import views as accounts
from tenders.approvals import views as approvals
from tenders.documents import views as documents
from tenders.instructions import views as instructions
from tenders.letters import views as letters
from tenders.online import views as online

app_name = "tenders"

urlpatterns = [
    path("accounts/", accounts.account_list, name="account_list"),
    path("accounts/<int:pk>/", accounts.account_detail, name="account_detail"),
    path(
        "accounts/<int:pk>/instruct/",
        instructions.InstructionFormView.as_view(),
        name="instruction_new",
    ),
    path(
        "accounts/<int:pk>/amend/",
        instructions.InstructionAmendView.as_view(),
        name="instruction_amend",
    ),
    path(
        "accounts/<int:pk>/withdraw/",
        instructions.instruction_withdraw_view,
        name="instruction_withdraw",
    ),
    path("accounts/<int:pk>/history/", accounts.account_history, name="account_history"),
    path("accounts/<int:pk>/reveal-tin/", accounts.account_reveal_tin_view, name="reveal_tin"),
    path("accounts/<int:pk>/letter/", letters.client_letter_print, name="client_letter"),
    path("reviews/", online.review_queue_view, name="review_queue"),
    # The account's client submission awaiting review (at most one), and its locked links.
    path("accounts/<int:pk>/online/approve/", online.submission_approve, name="submission_approve"),
    path("accounts/<int:pk>/online/reject/", online.submission_reject, name="submission_reject"),
    path("accounts/<int:pk>/online/unlock/", online.link_unlock, name="link_unlock"),
    # The account's instruction held for a supervisor of the firm (four eyes).
    path("accounts/<int:pk>/held/approve/", approvals.held_approve, name="held_approve"),
    path("accounts/<int:pk>/held/reject/", approvals.held_reject, name="held_reject"),
    path("instruction-form/", instructions.blank_instruction_form, name="blank_form"),
    path("documents/<int:pk>/", documents.document_download, name="document_download"),
]
