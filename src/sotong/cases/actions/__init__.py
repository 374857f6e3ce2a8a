"""Every state change of a case, as typed functions in transactions (see each module).

_common       who may act, locking, snapshots and Events shared by the modules below
intake        meeting registration, submission from every channel, attachments
routing       assignment, officer, transfer, 핑퐁 designation, 기피신청, deadline extension
handling      notes, processing, answer, close, reopen, withdrawal, rating, additional answer
duplicates    merge, link, repeated closure (법 §23), flags
bulk          bulk reassignment and bulk extension with per-case results
reports       진행사항 보고: request, submit, approve, return, missed
verification  SMS codes proving an anonymous citizen holds the phone
"""

from sotong.cases.actions import reports, verification
from sotong.cases.actions._common import CITIZEN, FLAG_FIELDS
from sotong.cases.actions.bulk import BulkResult, bulk_extend, bulk_reassign
from sotong.cases.actions.duplicates import close_as_repeated, link_cases, merge_cases, set_flags
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
    request_avoidance,
    set_officer,
    transfer_case,
)
from sotong.cases.actions.verification import *  # noqa: F403

__all__ = [
    "CITIZEN",
    "FLAG_FIELDS",
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
    "extend_deadline",
    "link_cases",
    "merge_cases",
    "rate_case",
    "register_meeting",
    "reopen_case",
    "request_additional_answer",
    "request_avoidance",
    "set_flags",
    "set_officer",
    "start_processing",
    "submit_case",
    "transfer_case",
    "withdraw_case",
]
__all__ += reports.__all__
__all__ += verification.__all__
