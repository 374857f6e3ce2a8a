"""Shared by the registry's staff pages: the permission decorator and the filtered set of people."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.http import QueryDict
from django.utils.translation import gettext_lazy

from sotong.accounts.decorators import View, rule_required
from sotong.accounts.decorators import can as can  # re-exported for the registry views
from sotong.accounts.decorators import user_of as user_of
from sotong.people.errors import PeopleError
from sotong.people.forms_office import PeopleFilterForm
from sotong.people.models import Person, PersonList, PersonQuerySet, Segment
from sotong.people.queries import search_people

PEOPLE_PER_PAGE = 50


def registry_page(perm: str) -> Callable[[View], View]:
    """Signed in and holding the registry permission `perm` (the rule itself, as in the actions)."""
    return rule_required(perm, gettext_lazy("정책고객 명부를 다룰 권한이 없습니다."))


def segment_query(segment: Segment) -> QueryDict:
    """A segment's filters as the list page's query string."""
    query = QueryDict(mutable=True)
    for name, value in PeopleFilterForm.initial_from_segment(segment).items():
        if isinstance(value, list):
            query.setlist(name, value)
        elif value:
            query[name] = value
    return query


class Filtered:
    """The filter form bound to a query (GET of the list, or the query string of a form posted from it),
    and the people it selects; `error` holds a search refusal in Korean."""

    def __init__(self, query: QueryDict) -> None:
        self.segment: Segment | None = None
        self.person_list: PersonList | None = None
        list_id = query.get("list", "")
        if list_id.isdigit():
            self.person_list = PersonList.objects.filter(pk=list_id).first()
        segment_id = query.get("segment", "")
        if segment_id.isdigit():
            self.segment = Segment.objects.filter(pk=segment_id).first()
        filter_keys = [name for name in PeopleFilterForm.base_fields if query.get(name)]
        self.from_segment = self.segment is not None and not filter_keys
        if self.segment is not None and not filter_keys:
            query = segment_query(self.segment)
            filter_keys = [name for name in PeopleFilterForm.base_fields if query.get(name)]
        self.form = PeopleFilterForm(query if filter_keys else None)
        self.bound = bool(filter_keys)
        self.error = ""
        self.people: PersonQuerySet = Person.objects.active()
        if self.person_list is not None:
            self.people = self.people.filter(list_entries__person_list=self.person_list)
        if self.bound and not self.form.is_valid():
            self.people = Person.objects.none()
            return
        if not self.bound:
            return
        self.people = self.people.filter(self.form.segment_filter().q())
        terms = self.form.search_terms() if self.bound else {}
        if terms:
            try:
                self.people = search_people(**terms, people=self.people)
            except PeopleError as error:
                self.error = error.message
                self.people = Person.objects.none()

    def query(self) -> str:
        """The query string that selects the same people (for paging, export, summaries, lists)."""
        query = QueryDict(mutable=True)
        if self.bound and not self.from_segment:
            query = cast(QueryDict, self.form.data).copy()
        for name in ("page", "csrfmiddlewaretoken"):
            query.pop(name, None)
        if self.segment is not None:
            query["segment"] = str(self.segment.pk)
        if self.person_list is not None:
            query["list"] = str(self.person_list.pk)
        return str(query.urlencode())

    @property
    def searching(self) -> bool:
        return self.bound and bool(self.form.is_valid() and self.form.search_terms())
