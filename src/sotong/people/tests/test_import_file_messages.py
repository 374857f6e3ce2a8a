"""The file-reading messages the import shares with the cases' bulk registration (`core/spreadsheets.py`)
have English entries in the project-level catalogue, and read in English when English is chosen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from sotong.core.testing import po
from sotong.people.import_files import ImportFileError, read_table

SOURCE = Path(__file__).resolve().parents[2] / "core" / "spreadsheets.py"
PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_spreadsheet_message_has_an_english_entry():
    messages = re.findall(r'_\(\s*"((?:[^"\\]|\\.)*)"', SOURCE.read_text(encoding="utf-8"))
    assert len(messages) >= 6
    translated = {
        entry.msgid: entry.msgstrs for entry in po.entries(PO) if "core/spreadsheets.py" in entry.references
    }
    assert sorted(translated) == sorted(messages)
    assert all(all(msgstrs) for msgstrs in translated.values())
    assert po.untranslated(PO, ("core/spreadsheets.py",)) == []


def test_a_file_that_cannot_be_read_is_refused_in_english_when_english_is_chosen(tmp_path):
    broken = tmp_path / "가입자.xlsx"
    broken.write_bytes(b"not a workbook")
    with translation.override("en"), pytest.raises(ImportFileError) as excinfo:
        next(read_table(str(broken), broken.name))
    assert excinfo.value.message == "The Excel file cannot be read."
    with translation.override("ko"), pytest.raises(ImportFileError) as excinfo:
        next(read_table(str(broken), broken.name))
    assert excinfo.value.message == "엑셀 파일을 읽을 수 없습니다."
