"""Staff pages of the people registry (namespace `people_office`), mounted at /office/people/."""

from django.urls import path

from sotong.people.views import office, office_export, office_import, office_message, office_person

app_name = "people_office"
urlpatterns = [
    path("", office.index, name="index"),
    path("segments/", office.segment_save, name="segment_save"),
    path("segments/<int:pk>/delete/", office.segment_delete, name="segment_delete"),
    path("lists/", office.list_add, name="list_add"),
    path("import/", office_import.upload, name="import"),
    path("import/mapping/", office_import.mapping, name="import_mapping"),
    path("import/<int:job_id>/", office_import.job_page, name="import_job"),
    path("import/<int:job_id>/status/", office_import.job_status, name="import_status"),
    path("import/<int:job_id>/confirm/", office_import.confirm, name="import_confirm"),
    path("import/<int:job_id>/resume/", office_import.resume, name="import_resume"),
    path("import/<int:job_id>/report/<slug:phase>.csv", office_import.report_download, name="import_report"),
    path("export/", office_export.export, name="export"),
    path("export/<int:job_id>/", office_export.export_job, name="export_job"),
    path("export/<int:job_id>/status/", office_export.export_status, name="export_status"),
    path("export/<int:job_id>/download/", office_export.export_download, name="export_download"),
    path("summary/", office_export.summary, name="summary"),
    path("message/", office_message.compose, name="message"),
    path("<int:pk>/", office_person.detail, name="person"),
    path("<int:pk>/contact/", office_person.unmask, name="unmask"),
    path("<int:pk>/edit/", office_person.edit, name="edit"),
    path("<int:pk>/consents/", office_person.consent_give, name="consent_give"),
    path(
        "<int:pk>/consents/<int:consent_id>/withdraw/",
        office_person.consent_withdraw,
        name="consent_withdraw",
    ),
    path("<int:pk>/merge/", office_person.merge, name="merge"),
]
