"""Staff pages of organizations and committees (namespace `communities_office`), at /office/communities/."""

from django.urls import path

from sotong.communities.views import office, office_change

app_name = "communities_office"
urlpatterns = [
    path("", office.organization_list, name="organizations"),
    path("new/", office_change.organization_new, name="organization_new"),
    path("<int:pk>/", office.organization_detail, name="organization"),
    path("<int:pk>/edit/", office_change.organization_edit, name="organization_edit"),
    path("<int:pk>/activities/", office_change.activity_add, name="activity_add"),
    path("<int:pk>/minutes/", office_change.minutes_add, name="minutes_add"),
    path("committees/", office.committee_list, name="committees"),
    path("committees/new/", office_change.committee_new, name="committee_new"),
    path("committees/<int:pk>/", office.committee_detail, name="committee"),
    path("committees/<int:pk>/edit/", office_change.committee_edit, name="committee_edit"),
    path("committees/<int:pk>/meetings/", office_change.meeting_add, name="meeting_add"),
    path("experts/", office.experts, name="experts"),
    path("<slug:kind>/<int:pk>/members/", office_change.member_add, name="member_add"),
    path(
        "<slug:kind>/<int:pk>/members/<int:membership_id>/end/",
        office_change.member_end,
        name="member_end",
    ),
    path("files/<slug:kind>/<int:pk>/", office.download, name="download"),
]
