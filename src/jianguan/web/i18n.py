"""Compile the translation catalogues (.po → .mo) with polib, so no GNU gettext is needed to run.

`python -m jianguan.web.i18n compile` writes every .mo; `check` lists untranslated or fuzzy entries.
"""

import sys
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogues():
    return sorted(LOCALE_DIR.glob("*/LC_MESSAGES/django.po"))


def untranslated(path: Path) -> list[str]:
    import polib

    po = polib.pofile(str(path))
    return [e.msgid for e in po if e.msgid and (not e.translated() or "fuzzy" in e.flags)]


def compile_all() -> list[Path]:
    import polib

    written = []
    for path in catalogues():
        target = path.with_suffix(".mo")
        polib.pofile(str(path)).save_as_mofile(str(target))
        written.append(target)
    return written


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "compile"
    if command == "compile":
        for target in compile_all():
            print(f"wrote {target}")
    elif command == "check":
        missing = {str(p): untranslated(p) for p in catalogues() if "zh_Hans" in str(p)}
        for path, ids in missing.items():
            for msgid in ids:
                print(f"{path}: untranslated: {msgid}")
        sys.exit(1 if any(missing.values()) else 0)
