from django.urls import path

from tenders import views

app_name = "tenders"

urlpatterns = [
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path(
        "accounts/<int:pk>/instruct/",
        views.InstructionFormView.as_view(),
        name="instruction_new",
    ),
    path(
        "accounts/<int:pk>/amend/",
        views.InstructionAmendView.as_view(),
        name="instruction_amend",
    ),
    path(
        "accounts/<int:pk>/withdraw/",
        views.instruction_withdraw_view,
        name="instruction_withdraw",
    ),
    path("accounts/<int:pk>/history/", views.account_history, name="account_history"),
    path("accounts/<int:pk>/reveal-tin/", views.account_reveal_tin_view, name="reveal_tin"),
    path("instruction-form/", views.blank_instruction_form, name="blank_form"),
    path("documents/<int:pk>/", views.document_download, name="document_download"),
]
