"""URLs of the cases app (namespace `cases`), mounted at /cases/.

The citizen portal's pages live here; the staff back office has its own module, `urls_office.py`, mounted
at /office/cases/. Office URLs that must sit under /cases/ go in the marked section below.
"""

from django.urls import path

from sotong.cases.views import portal, portal_session

app_name = "cases"

# --- citizen portal ------------------------------------------------------------------------------------
urlpatterns = [
    path("new/", portal.submit_content, name="portal_submit"),
    path("new/contact/", portal.submit_contact, name="portal_submit_contact"),
    path("new/consent/", portal.submit_consent, name="portal_submit_consent"),
    path("new/confirm/", portal.submit_confirm, name="portal_submit_confirm"),
    path("new/done/", portal.submit_done, name="portal_submit_done"),
    path("lookup/", portal.lookup, name="portal_lookup"),
    path("lookup/end/", portal.lookup_end, name="portal_lookup_end"),
    path("session/extend/", portal_session.session_extend, name="portal_session_extend"),
    path("session/end/", portal_session.session_end, name="portal_session_end"),
    path("session/expired/", portal_session.session_expired, name="portal_session_expired"),
]

# --- staff back office (if any must live under /cases/; see urls_office.py) ------------------------------
urlpatterns += []

# --- the citizen's case page last: its receipt-number segment would match any word above ---------------
urlpatterns += [
    path("<str:receipt_no>/", portal.case_detail, name="portal_case"),
    path("<str:receipt_no>/rate/", portal.case_rate, name="portal_case_rate"),
    path("<str:receipt_no>/additional-answer/", portal.case_additional_answer, name="portal_case_additional"),
    path("<str:receipt_no>/files/<int:pk>/", portal.case_attachment, name="portal_case_attachment"),
]
