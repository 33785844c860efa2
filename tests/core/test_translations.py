"""Korean and English ship together: every string marked for translation has a Korean text.

The catalogue is extracted afresh from a copy of the sources (``makemessages`` into a scratch
tree, so the checkout is never touched) and merged with the committed translations; a string
that is marked in the code but missing, empty or fuzzy in ``locale/ko`` fails the test by name.
"""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = Path("locale/ko/LC_MESSAGES/django.po")
SKIP_DIRS = {".venv", "node_modules", "staticfiles", "media", ".git", "test-results", ".mypy_cache"}


def _copy_sources(target: Path) -> None:
    def ignore(directory: str, names: list[str]) -> set[str]:
        return {name for name in names if name in SKIP_DIRS or name == "__pycache__"}

    shutil.copytree(ROOT, target, ignore=ignore, symlinks=True)


def _entries(po_text: str) -> list[tuple[str, str, bool]]:
    """(msgid, shortest msgstr, fuzzy) of each entry; plural entries by their singular."""
    entries = []
    for block in po_text.split("\n\n"):
        lines = block.strip().splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        msgid, msgstrs, current = [], [], None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith("msgid "):
                current = msgid
                current.append(line[6:])
            elif line.startswith("msgid_plural "):
                current = None
            elif line.startswith("msgstr"):
                current = []
                msgstrs.append(current)
                current.append(line.split(" ", 1)[1])
            elif line.startswith('"') and current is not None:
                current.append(line)
        text = "".join(part.strip('"') for part in msgid)
        if not text:
            continue  # the header
        translations = ["".join(part.strip('"') for part in parts) for parts in msgstrs]
        entries.append((text, min(translations, key=len) if translations else "", fuzzy))
    return entries


def test_every_marked_string_has_a_korean_translation(tmp_path):
    tree = tmp_path / "src"
    _copy_sources(tree)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "ko",
            "--no-obsolete",
            "--ignore=.venv",
            "--ignore=node_modules",
            "--ignore=staticfiles",
        ],
        cwd=tree,
        check=True,
        capture_output=True,
    )
    missing = [
        msgid
        for msgid, msgstr, fuzzy in _entries((tree / CATALOGUE).read_text(encoding="utf-8"))
        if fuzzy or not msgstr
    ]
    assert not missing, (
        f"{len(missing)} marked strings have no Korean translation in {CATALOGUE}: "
        + "; ".join(missing[:20])
    )
