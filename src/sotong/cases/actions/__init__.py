"""Every state change of a case, as typed functions in transactions (see each module).

lifecycle     intake, assignment, transfer, avoidance, extension, notes, answer, close, reopen,
              merge, link, repeated closure, flags, satisfaction
reports       진행사항 보고: request, submit, approve, return, missed
verification  SMS codes proving an anonymous citizen holds the phone
"""

from sotong.cases.actions.lifecycle import *  # noqa: F403
from sotong.cases.actions.reports import *  # noqa: F403
from sotong.cases.actions.verification import *  # noqa: F403
