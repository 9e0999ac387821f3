"""Tux Paint stamps (Debian ``tuxpaint-stamps-default``): the effect recordings that play
when a child places a stamp — animal calls (dog, cow, rooster, owl, frog, whale…),
vehicles, household machines (kettle, vacuum cleaner, washing machine, toilet), tools,
instruments, weather.

Beside each stamp ``<name>.png|svg`` sit ``<name>.txt`` (its description: an English first
line, then ``<lang>.utf8=`` translations), ``<name>.ogg`` (the effect) and
``<name>_desc[_<lang>].ogg`` (the description read aloud). We keep only the effects:
the ``_desc`` narrations are speech, and the ``symbols/`` tree (alphabet letters, the
digits 0–9 recorded in many languages, face words) holds spoken names, not sounds of
things. Licence and holder come from the package's Debian copyright file.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from ..debian import fetch_package
from ..metadata import words_of
from ..records import METADATA_JSONL, SoundRecord, write_jsonl

NAME = "tuxpaint"
PACKAGE = "tuxpaint-stamps-default"
STAMPS = "usr/share/tuxpaint/stamps"
COPYRIGHT = "usr/share/doc/tuxpaint-stamps-default/copyright"
HOMEPAGE = "https://tuxpaint.org/"
SPOKEN_TREES = ("symbols",)  # letters, digits, face words: spoken names
SPOKEN_STEMS = ("dreydl-",)  # the four dreidel letters, each named aloud
# <stem>_<lang>[_<REGION>] — a per-language recording of a spoken word (7_en_GB.ogg)
_LANG_SUFFIX = re.compile(r"_([a-z]{2,3}(?:_[A-Za-z]{2,4})?)$")


def is_effect(rel: Path) -> bool:
    """True for a stamp's sound effect, False for narration and spoken words."""
    if rel.parts[0] in SPOKEN_TREES:
        return False
    stem = rel.stem
    if "_desc" in stem or stem.startswith(SPOKEN_STEMS):
        return False
    m = _LANG_SUFFIX.search(stem)  # 7_en_GB.ogg: a word read in one language
    return not (m and m.group(1) in _LANGS)


_LANGS = {
    "af", "am", "an", "ar", "ast", "az", "be", "bg", "bn", "br", "bs", "ca", "cs", "cy", "da", "de", "el", "en",
    "en_GB", "en_AU", "en_CA", "en_ZA", "eo", "es", "es_MX", "et", "eu", "fa", "fi", "fo", "fr", "ga", "gd", "gl",
    "gu", "he", "hi", "hr", "hu", "hy", "id", "is", "it", "ja", "ka", "km", "kn", "ko", "ku", "lt", "lv", "mk", "ml",
    "mn", "mr", "ms", "nb", "nl", "nn", "oc", "pa", "pl", "pt", "pt_BR", "ro", "ru", "sk", "sl", "sq", "sr", "sv",
    "ta", "te", "th", "tl", "tr", "uk", "ur", "vi", "wa", "zh", "zh_cn", "zh_tw", "zh_TW", "zh_CN",
}


def stamp_description(txt: Path) -> str:
    """The English line of a stamp's description file (its first non-translation line)."""
    if not txt.is_file():
        return ""
    for line in txt.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if line and not re.match(r"^[\w@\-]+\.utf8=", line):
            return line
    return ""


def read_copyright(root: Path) -> tuple[str, str]:
    """(licence, holder) of the ``Files: *`` stanza of the DEP-5 copyright file."""
    text = (root / COPYRIGHT).read_text(encoding="utf-8", errors="replace")
    m = re.search(r"^Files: \*\s*$\s*^Copyright:\s*(.+?)$\s*^License:\s*(\S+)", text, re.M)
    if not m:
        return "GPL-2", ""
    holder = re.sub(r"^[\d\-\s,]+(?:by\s+)?", "", m.group(1)).split("<")[0].strip()
    return m.group(2), holder


def materialize(data_dir: Path, out_dir: Path) -> int:
    meta = out_dir / METADATA_JSONL
    if meta.exists():
        return sum(1 for line in meta.read_text(encoding="utf-8").splitlines() if line.strip())
    root = fetch_package(PACKAGE, data_dir)
    stamps = root / STAMPS
    licence, holder = read_copyright(root)
    out_dir.mkdir(parents=True, exist_ok=True)
    records = []
    for src in sorted(list(stamps.rglob("*.ogg")) + list(stamps.rglob("*.wav"))):
        rel = src.relative_to(stamps)
        if not is_effect(rel):
            continue
        name = " ".join(words_of(rel.stem)) or rel.stem
        said = stamp_description(src.with_suffix(".txt"))
        category = [" ".join(words_of(p)) for p in rel.parts[:-1]]
        category = [c for c in category if c]
        said = said or f"{name.capitalize()}."
        description = f"{said} Tux Paint stamp sound ({', '.join(category)})" if category else said
        (out_dir / rel.parent).mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, out_dir / rel)
        records.append(
            SoundRecord(
                path=rel.as_posix(),
                name=name,
                description=description,
                tags=category,
                licence=licence,
                author=f"{holder} (Tux Paint stamps)" if holder else "Tux Paint stamps",
                url=HOMEPAGE,
                source=f"Debian {PACKAGE} (Tux Paint)",
            )
        )
    write_jsonl(records, out_dir)
    return len(records)
