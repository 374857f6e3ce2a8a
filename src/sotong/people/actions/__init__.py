"""정책고객 use cases: every change to the registry goes through one of these (transaction + Event)."""

from sotong.people.actions._common import CITIZEN, SCHEDULER, SYSTEM
from sotong.people.actions.consents import (
    add_months,
    give_consent,
    may_contact,
    reconfirm_consent,
    withdraw_consent,
)
from sotong.people.actions.lists import (
    add_to_list,
    create_list,
    delete_segment,
    remove_from_list,
    save_segment,
)
from sotong.people.actions.persons import (
    DuplicatePerson,
    add_membership,
    anonymise_person,
    end_membership,
    merge_persons,
    register_person,
    update_person,
)

__all__ = [
    "CITIZEN",
    "SCHEDULER",
    "SYSTEM",
    "DuplicatePerson",
    "add_membership",
    "add_months",
    "add_to_list",
    "anonymise_person",
    "create_list",
    "delete_segment",
    "end_membership",
    "give_consent",
    "may_contact",
    "merge_persons",
    "reconfirm_consent",
    "register_person",
    "remove_from_list",
    "save_segment",
    "update_person",
    "withdraw_consent",
]
