"""The representative's pages (namespace `tenders`)."""

from django.urls import path

from tenders.documents import views as documents
from tenders.intake import views as intake
from tenders.pages import views as pages

app_name = "tenders"

urlpatterns = [
    path("accounts/", pages.account_list, name="account_list"),
    path("accounts/<int:pk>/", pages.account_detail, name="account_detail"),
    path(
        "accounts/<int:pk>/instruct/",
        intake.InstructionFormView.as_view(),
        name="instruction_new",
    ),
    path(
        "accounts/<int:pk>/amend/",
        intake.InstructionAmendView.as_view(),
        name="instruction_amend",
    ),
    path(
        "accounts/<int:pk>/withdraw/",
        intake.instruction_withdraw_view,
        name="instruction_withdraw",
    ),
    path("accounts/<int:pk>/history/", pages.account_history, name="account_history"),
    path("accounts/<int:pk>/reveal-tin/", pages.account_reveal_tin_view, name="reveal_tin"),
    path("accounts/<int:pk>/letter/", pages.client_letter_print, name="client_letter"),
    path("accounts/<int:pk>/statement/", pages.account_statement, name="statement"),
    path("reviews/", pages.review_queue_view, name="review_queue"),
    # The account's client submission awaiting review (at most one), and its locked links.
    path("accounts/<int:pk>/online/approve/", pages.submission_approve, name="submission_approve"),
    path("accounts/<int:pk>/online/reject/", pages.submission_reject, name="submission_reject"),
    path("accounts/<int:pk>/online/unlock/", pages.link_unlock, name="link_unlock"),
    # The account's instruction held for a supervisor of the firm (four eyes).
    path("accounts/<int:pk>/held/approve/", intake.held_approve, name="held_approve"),
    path("accounts/<int:pk>/held/reject/", intake.held_reject, name="held_reject"),
    path("instruction-form/", intake.blank_instruction_form, name="blank_form"),
    path("documents/<int:pk>/", documents.document_download, name="document_download"),
]
