"""Who may do what with the people registry (auto-discovered by rules' AppConfig).

The registry is run by programme staff (사업 담당: 뉴미디어담당관, 구정기획단, 기획예산과), who hold the
consents and send to the audience; they are the 개인정보취급자 of the registry. System administrators keep
the system: they see the registry masked (to support the staff and check the access log) and manage the
consent purposes, but never export unmasked data or change people. Other roles (총괄, 주관, 처리, 소통담당)
have no access: their work is cases, not the registry.

    people.view_person        masked lists, summaries, search        programme_manager, sysadmin
    people.view_contact       one person's unmasked contact (logged) programme_manager
    people.change_person      register, update, memberships          programme_manager
    people.manage_consent     record, withdraw, re-confirm consent   programme_manager
    people.merge_person       merge duplicates                       programme_manager
    people.anonymise_person   destroy (anonymise) a person           programme_manager
    people.manage_lists       lists and segments                     programme_manager
    people.import_people      preview and commit imports             programme_manager
    people.export_people      masked export (reason, logged)         programme_manager
    people.export_unmasked    unmasked export (reason, logged)       programme_manager
    people.send_message       message the audience via the outbox    programme_manager
    people.manage_purposes    consent purposes                       sysadmin

Unmasked export goes to the programme manager alone: least privilege (개인정보의 안전성 확보조치 기준 §5) gives
bulk contact data only to those who must send with it; a system administrator who needs it for an
incident asks for a role grant, which is itself logged.
"""

from __future__ import annotations

import rules

from sotong.accounts.rules import is_programme_manager, is_sysadmin

rules.add_perm("people.view_person", is_programme_manager | is_sysadmin)
rules.add_perm("people.view_contact", is_programme_manager)
rules.add_perm("people.change_person", is_programme_manager)
rules.add_perm("people.manage_consent", is_programme_manager)
rules.add_perm("people.merge_person", is_programme_manager)
rules.add_perm("people.anonymise_person", is_programme_manager)
rules.add_perm("people.manage_lists", is_programme_manager)
rules.add_perm("people.import_people", is_programme_manager)
rules.add_perm("people.export_people", is_programme_manager)
rules.add_perm("people.export_unmasked", is_programme_manager)
rules.add_perm("people.send_message", is_programme_manager)
rules.add_perm("people.manage_purposes", is_sysadmin)
