"""Reading a gettext catalogue in tests: which entries still lack a translation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Entry:
    references: str
    msgid: str
    msgstrs: tuple[str, ...]
    fuzzy: bool
    text: str


def _joined(lines: list[str]) -> str:
    return "".join(match for line in lines for match in _STRING.findall(line))


def entries(path: Path) -> list[Entry]:
    """The live entries of a .po file (header and obsolete `#~` entries left out)."""
    result = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        references = " ".join(line[3:] for line in lines if line.startswith("#: "))
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        parts: dict[str, list[str]] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            keyword = line.split(" ", 1)[0] if not line.startswith('"') else None
            if keyword:
                current = keyword
                parts.setdefault(current, []).append(line[len(keyword) :])
            elif current:
                parts[current].append(line)
        msgid = _joined(parts.get("msgid", []))
        if not msgid:
            continue  # the header
        msgstrs = tuple(_joined(value) for key, value in parts.items() if key.startswith("msgstr"))
        result.append(Entry(references, msgid, msgstrs, fuzzy, block))
    return result


def untranslated(path: Path, sources: tuple[str, ...] = ()) -> list[Entry]:
    """Entries (from any of `sources`, when given) with an empty translation or marked fuzzy."""
    return [
        entry
        for entry in entries(path)
        if (not sources or any(source in entry.references for source in sources))
        and (entry.fuzzy or not entry.msgstrs or not all(entry.msgstrs))
    ]
