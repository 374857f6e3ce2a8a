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
    path("import/preview/", office_import.preview, name="import_preview"),
    path("import/commit/", office_import.commit, name="import_commit"),
    path("import/<int:batch_id>/", office_import.result, name="import_result"),
    path("import/report/<slug:token>.csv", office_import.report_download, name="import_report"),
    path("export/", office_export.export, name="export"),
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
