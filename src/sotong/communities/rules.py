"""Who may do what with organizations and committees (auto-discovered by rules' AppConfig).

Programme staff (사업 담당) run the organizations and committees as they run the people registry;
system administrators see them (members masked); no other role opens them.

    communities.view     lists, details, the expert-group table     programme_manager, sysadmin
    communities.change   create, update, members, activities, minutes programme_manager
"""

from __future__ import annotations

import rules

from sotong.accounts.rules import is_programme_manager, is_sysadmin

rules.add_perm("communities.view", is_programme_manager | is_sysadmin)
rules.add_perm("communities.change", is_programme_manager)
