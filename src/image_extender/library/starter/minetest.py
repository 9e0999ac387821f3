"""Minetest Game (Debian ``minetest-data``): ~110 short recordings — footsteps on gravel,
grass, sand, snow, wood, metal, ice and water; digging; doors and chests; fire, lava,
water, explosions; a mine cart.

Descriptions are the words of the game's own file names (``default_gravel_footstep.2``
→ "gravel footstep"), with the mod's name as context where it adds meaning. Credits
come from each mod's ``README.txt`` ("Authors of media"), which lists per file pattern
the author, a Freesound URL and the CC licence in free-form English; files it does not
name fall back to the README's "Everything not listed in here" line, then to the Debian
copyright file's ``Files: *.ogg`` stanza (CC-BY-SA-3.0, the Minetest authors).
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from ..debian import fetch_package
from ..metadata import licence_ids, strictest_licence, words_of
from ..records import METADATA_JSONL, SoundRecord, write_jsonl
from ._common import Rule, marked_game_only

NAME = "minetest"
PACKAGE = "minetest-data"
MODS = "usr/share/games/minetest/games/minetest_game/mods"
COPYRIGHT = "usr/share/doc/minetest-data/copyright"
HOMEPAGE = "https://github.com/minetest/minetest_game"

# A credit pattern as the READMEs write them: default_dig_crumbly.*.ogg, fire_fire.*.ogg,
# default_tool_breaks.*, door_open.ogg, default_grass_footstep.1.ogg
_PATTERN = re.compile(r"\b([a-z0-9_]+(?:\.(?:\*|\d+))*\.(?:ogg|\*))")
_URL = re.compile(r"https?://[^\s>)]+")
# Lines that continue the credit of the file line above them rather than start a new one.
_TRAILING = re.compile(r"^\s*(?:-|<|https?://|renamed|by\s)", re.IGNORECASE)
_GENERIC = {"default", "sounds", "sound", "ogg", "the", "of", "and", "by", "cc"}


@dataclass
class Credit:
    lines: list[str] = field(default_factory=list)  # the file's own line + what follows it
    header: list[str] = field(default_factory=list)  # the credit heading above it

    def licence(self) -> str | None:
        for group in (self.lines, self.header):
            found = strictest_licence(licence_ids(" ".join(group)))
            if found:
                return found
        return None

    def numbered_url(self, number: str | None) -> str:
        """The URL of a "1: http://…" list entry, one URL per numbered file."""
        if number:
            for line in self.lines + self.header:
                m = re.match(rf"\s*{number}:\s*(https?://\S+)", line)
                if m:
                    return m.group(1)
        return ""

    def url(self, number: str | None = None) -> str:
        found = self.numbered_url(number)
        if found:
            return found
        for line in self.lines + self.header:
            m = _URL.search(line)
            if m:
                return m.group(0)
        return ""

    def authors(self, number: str | None = None) -> list[str]:
        numbered = self.numbered_url(number)
        lines = [numbered] if numbered else self.lines + self.header
        names: list[str] = []
        for line in lines:
            for m in re.finditer(r"\bby\s+([A-Za-z][\w.\-]*)", line):
                names.append(m.group(1))
            m = re.match(r"^\s*([A-Za-z][\w.\-]*)\s*\(", line)
            if m:
                names.append(m.group(1))
            m = re.search(r"\.ogg\s+-\s+([\w.\-]+)\s+-", line)
            if m:
                names.append(m.group(1))
            for m in re.finditer(r"freesound\.org/people/([^/\s]+)/|opengameart\.org/users/([^/\s]+)", line):
                names.append(unquote(m.group(1) or m.group(2)))
        names = [n.rstrip(".,:") for n in names]
        names = [n for n in names if n and n.lower() not in _GENERIC and not n.lower().startswith("http")]
        out: list[str] = []
        for n in names:  # "HazMatt" in the text, "HazMattt" in the URL: keep one
            if not any(o.lower().startswith(n.lower()) or n.lower().startswith(o.lower()) for o in out):
                out.append(n)
        return out


@dataclass
class ModCredits:
    patterns: list[tuple[str, Credit]] = field(default_factory=list)
    unlisted: list[Credit] = field(default_factory=list)  # headings naming no file ("Glass breaking sounds")
    default: Credit | None = None  # "Everything not listed in here: …"


def parse_readme(text: str) -> ModCredits:
    """Per-file-pattern credits from a Minetest mod README (blank-line separated blocks)."""
    credits = ModCredits()
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "everything not listed" in line.lower():
            nxt = next((ln for ln in lines[i + 1 :] if ln.strip()), "")
            credits.default = Credit(lines=[nxt])
    block: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            block.append(line)
            continue
        if block:
            _parse_block(block, credits)
        block = []
    return credits


def _parse_block(block: list[str], credits: ModCredits) -> None:
    header: list[str] = []
    current: list[Credit] = []
    after_files = False
    any_file = False
    for line in block:
        pats = [p for p in _PATTERN.findall(line) if not p.endswith(".png")]
        if pats:
            if line.rstrip().endswith(":"):  # "fencegate_open.ogg:" — its credit follows it
                header = []
            credit = Credit(lines=[line], header=list(header))
            current = [credit]
            credits.patterns.extend((p, credit) for p in pats)
            after_files = any_file = True
        elif after_files and _TRAILING.match(line):
            for c in current:
                c.lines.append(line)
        else:
            if after_files:
                header = []
                after_files = False
            header.append(line)
    if not any_file and any(_URL.search(h) for h in header):
        credits.unlisted.append(Credit(header=header))


def _base(name: str) -> str:
    """'default_dig_crumbly.*.ogg' / 'default_dig_crumbly.2.ogg' -> 'default_dig_crumbly'."""
    return re.sub(r"(?:\.(?:\*|\d+))*\.(?:ogg|\*)$", "", name)


def find_credit(mod: str, filename: str, credits: ModCredits) -> tuple[Credit | None, str | None]:
    """The README credit for one sound file, and its number (".2") if the file has one."""
    number_m = re.search(r"\.(\d+)\.ogg$", filename)
    number = number_m.group(1) if number_m else None
    base = _base(filename)
    for pattern, credit in credits.patterns:
        candidates = {pattern, f"{mod}_{pattern}"}
        if filename in candidates:
            return credit, number
        if "*" in pattern and base in {_base(c) for c in candidates}:
            return credit, number
    words = set(words_of(base)) - _GENERIC - {mod}
    for credit in credits.unlisted:  # e.g. "Glass breaking sounds (CC BY 3.0): 1: url…"
        heading = {w for h in credit.header if not _URL.search(h) for w in words_of(h)} - _GENERIC
        if words & heading:
            return credit, number
    return None, number


def _debian_fallback(root: Path) -> tuple[str, str]:
    """Licence and holders of the DEP-5 ``Files: *.ogg`` stanza."""
    text = (root / COPYRIGHT).read_text(encoding="utf-8", errors="replace")
    m = re.search(r"^Files: \*\.ogg\b.*?^Copyright:(.*?)^License:\s*(\S+)", text, re.M | re.S)
    if not m:
        return "CC-BY-SA-3.0", ""
    first = re.sub(r"^[\s\d,\-]+", "", m.group(1).strip().splitlines()[0]).split("<")[0].strip(" ,")
    return m.group(2), f"{first} and Minetest contributors"


RULES = (Rule(r"^default/player_damage\.ogg$", "a player's pain cry"),)  # fmt: skip


def describe(mod: str, filename: str) -> tuple[str, str]:
    """(name, description) from the file name: the mod prefix drops, its meaning stays."""
    words = words_of(_base(filename))
    mod_words = words_of(mod)
    if words[: len(mod_words)] == mod_words and len(words) > len(mod_words):
        words = words[len(mod_words) :]
    name = " ".join(words)
    context = "" if mod == "default" else f", {' '.join(mod_words)}"
    return name, f"{name} (Minetest game sound{context})"


def materialize(data_dir: Path, out_dir: Path) -> int:
    meta = out_dir / METADATA_JSONL
    if meta.exists():
        return sum(1 for line in meta.read_text(encoding="utf-8").splitlines() if line.strip())
    root = fetch_package(PACKAGE, data_dir)
    fallback_licence, fallback_author = _debian_fallback(root)
    out_dir.mkdir(parents=True, exist_ok=True)
    records = []
    for mod_dir in sorted((root / MODS).iterdir()):
        sounds = sorted((mod_dir / "sounds").glob("*.ogg")) if (mod_dir / "sounds").is_dir() else []
        if not sounds:
            continue
        readme = mod_dir / "README.txt"
        credits = parse_readme(readme.read_text(encoding="utf-8", errors="replace")) if readme.is_file() else ModCredits()
        mod = mod_dir.name
        for src in sounds:
            credit, number = find_credit(mod, src.name, credits)
            licence = credit.licence() if credit else None
            authors = credit.authors(number) if credit else []
            url = credit.url(number) if credit else ""
            if not licence or not authors:
                dflt = credits.default
                licence = licence or (dflt.licence() if dflt else None) or fallback_licence
                if not authors:
                    holder = re.sub(r"^Copyright \(C\)\s*[\d\-]+\s*", "", dflt.lines[0]).split("<")[0] if dflt else ""
                    holder = re.sub(r"\s*\(CC[^)]*\)\s*$", "", holder).strip(" ,")
                    authors = [holder] if holder else [fallback_author]
            name, description = describe(mod, src.name)
            rel = f"{mod}/{src.name}"
            tags, description = marked_game_only(rel, RULES, ["minetest", mod] if mod != "default" else ["minetest"],
                                                 description)
            (out_dir / mod).mkdir(exist_ok=True)
            shutil.copy2(src, out_dir / rel)
            records.append(
                SoundRecord(
                    path=rel,
                    name=name,
                    description=description,
                    tags=tags,
                    licence=licence,
                    author=", ".join(a for a in authors if a),
                    url=url or HOMEPAGE,
                    source=f"Debian {PACKAGE} (Minetest Game)",
                )
            )
    write_jsonl(records, out_dir)
    return len(records)
