"""Staff pages for cases under /office/cases/ (namespace `cases_office`)."""

from django.urls import path

from sotong.cases.views import office
from sotong.cases.views.office.files import attachment_download
from sotong.cases.views.office.queues import case_list_export

app_name = "cases_office"
urlpatterns = [
    path("", office.case_queues, name="queues"),
    path("bulk/", office.bulk_action, name="bulk"),
    path("export.xlsx", case_list_export, name="export"),
    path("new/", office.case_new, name="new"),
    path("import/", office.import_upload, name="import"),
    path("import/commit/", office.import_commit, name="import_commit"),
    path("import/template.xlsx", office.import_template, name="import_template"),
    path("<str:receipt_no>/", office.case_detail, name="detail"),
    path("<str:receipt_no>/contact/", office.unmask_contact, name="unmask_contact"),
    path("<str:receipt_no>/files/<int:pk>/", attachment_download, name="attachment"),
    path("<str:receipt_no>/actions/<slug:action>/", office.case_action, name="action"),
]
