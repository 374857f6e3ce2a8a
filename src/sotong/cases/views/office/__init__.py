"""Staff pages for cases: queues, the case page and its action forms, intake and bulk import.

Scoping: every case is looked up in `Case.objects.visible_to(user)` (a case of another department is a
404); which action forms a page offers follows the same rules as the actions (`CasePowers`), and the
actions check again: a refused action shows its Korean message next to its form and writes nothing.
"""

from sotong.cases.views.office.case_page import CASE_ACTIONS, case_action, case_detail, unmask_contact
from sotong.cases.views.office.intake import case_new, import_commit, import_template, import_upload
from sotong.cases.views.office.queues import bulk_action, case_queues

__all__ = [
    "CASE_ACTIONS",
    "bulk_action",
    "case_action",
    "case_detail",
    "case_new",
    "case_queues",
    "import_commit",
    "import_template",
    "import_upload",
    "unmask_contact",
]
