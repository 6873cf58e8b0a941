from django.urls import path

from .views import forms, lists, submissions, transfer

app_name = "reporting"
urlpatterns = [
    path("", lists.inbox, name="inbox"),
    path("review/", lists.review_queue, name="review_queue"),
    path("review/next/", submissions.submission_next, name="submission_next"),
    path("board/", lists.board, name="board"),
    path("periods/open/", lists.period_open, name="period_open"),
    path("periods/<int:pk>/remind/", lists.board_remind, name="board_remind"),
    path("periods/<int:pk>/close/", lists.period_close, name="period_close"),
    path("flags/<int:pk>/review/", lists.flag_review, name="flag_review"),
    path("submissions/<int:pk>/", submissions.submission_detail, name="submission_detail"),
    path("submissions/<int:pk>/check/", submissions.submission_check, name="submission_check"),
    path("submissions/<int:pk>/approve/", submissions.submission_approve, name="submission_approve"),
    path("submissions/<int:pk>/return/", submissions.submission_return, name="submission_return"),
    path("submissions/<int:pk>/correct/", submissions.submission_correct, name="submission_correct"),
    path("forms/", forms.form_list, name="form_list"),
    path("forms/<slug:code>/", forms.form_detail, name="form_detail"),
    path("rules/<int:pk>/toggle/", forms.rule_toggle, name="rule_toggle"),
    path("import/", transfer.period_import, name="period_import"),
    path("export/", transfer.period_export, name="period_export"),
]
