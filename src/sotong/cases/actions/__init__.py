"""Every state change of a case, as typed functions in transactions (see each module).

_common       who may act, locking, snapshots and Events shared by the modules below
intake        meeting registration, submission from every channel, attachments
routing       assignment, officer, transfer, 핑퐁 designation, 기피신청, deadline extension, and the
              transfer time limits (법 §16, 령 §13)
handling      notes, processing, answer, close, reopen, withdrawal, rating, additional answer
duplicates    merge, merge at receipt (령 §6), link, repeated closure (법 §23), flags
grievance     고충민원 현지조사: start, extend once, end (its days not counted)
bulk          bulk reassignment and bulk extension with per-case results
reports       진행사항 보고: request, submit, approve, return, missed, cancelled when the case finishes
_finish       what every finishing action does besides its own change
verification  SMS codes proving an anonymous citizen holds the phone
"""

from sotong.cases.actions import reports, verification
from sotong.cases.actions._common import CITIZEN, FLAG_FIELDS
from sotong.cases.actions.bulk import BulkResult, bulk_extend, bulk_reassign
from sotong.cases.actions.duplicates import (
    MERGE_AT_RECEIPT_MIN,
    close_as_repeated,
    link_cases,
    merge_at_receipt,
    merge_cases,
    set_flags,
)
from sotong.cases.actions.grievance import (
    ONSITE_EXTENSION_MAX_DAYS,
    ONSITE_MAX_DAYS,
    end_onsite_investigation,
    extend_onsite_investigation,
    start_onsite_investigation,
)
from sotong.cases.actions.handling import (
    add_note,
    answer_case,
    close_case,
    rate_case,
    reopen_case,
    request_additional_answer,
    start_processing,
    withdraw_case,
)
from sotong.cases.actions.intake import add_attachment, register_meeting, submit_case
from sotong.cases.actions.reports import *  # noqa: F403
from sotong.cases.actions.routing import (
    assign_case,
    decide_avoidance,
    designate_department,
    extend_deadline,
    initial_route_due,
    is_route_late,
    request_avoidance,
    route_due,
    set_officer,
    transfer_case,
)
from sotong.cases.actions.verification import *  # noqa: F403

__all__ = [
    "CITIZEN",
    "FLAG_FIELDS",
    "MERGE_AT_RECEIPT_MIN",
    "ONSITE_EXTENSION_MAX_DAYS",
    "ONSITE_MAX_DAYS",
    "BulkResult",
    "add_attachment",
    "add_note",
    "answer_case",
    "assign_case",
    "bulk_extend",
    "bulk_reassign",
    "close_as_repeated",
    "close_case",
    "decide_avoidance",
    "designate_department",
    "end_onsite_investigation",
    "extend_deadline",
    "extend_onsite_investigation",
    "initial_route_due",
    "is_route_late",
    "link_cases",
    "merge_at_receipt",
    "merge_cases",
    "rate_case",
    "register_meeting",
    "reopen_case",
    "request_additional_answer",
    "request_avoidance",
    "route_due",
    "set_flags",
    "set_officer",
    "start_onsite_investigation",
    "start_processing",
    "submit_case",
    "transfer_case",
    "withdraw_case",
]
__all__ += reports.__all__
__all__ += verification.__all__
