"""Who may run campaigns (auto-discovered by rules' AppConfig).

    campaigns.view      newsletters, templates, campaigns and reports   programme_manager, sysadmin
    campaigns.manage    create, test-send, schedule, pause, cancel       programme_manager
    campaigns.urgent    긴급 문자 to a dong or segment                    programme_manager, coordinator

Programme staff run the newsletters (they hold the consents); the coordinator (총괄) may send an urgent
notice, as a fire station's or a department's disaster message goes out through the 총괄부서.
"""

from __future__ import annotations

import rules

from sotong.accounts.rules import is_coordinator, is_programme_manager, is_sysadmin

rules.add_perm("campaigns.view", is_programme_manager | is_sysadmin)
rules.add_perm("campaigns.manage", is_programme_manager)
rules.add_perm("campaigns.urgent", is_programme_manager | is_coordinator)
