"""OpenClonk (Debian ``openclonk-data``): ~390 effects from the game's ``Sound.ocg`` —
birds, wind, waterfall, rain, thunder, earthquake, fire, splashes and bubbles, footsteps,
digging, tree chopping and falling, doors, hinges, chests, elevator, furnace, steam
engine, sawmill, pump jack, glass, metal, rock and wood hits, and the game's creatures,
weapons and interface.

``Sound.ocg`` is a C4Group archive, OpenClonk's own format (read in
:func:`read_c4group`): the file is gzip with the first two magic bytes changed
(``1e 8c``), then a 204-byte header scrambled by XOR 237 and a swap of every third byte
pair, holding the entry count at offset 36; then one 316-byte entry core per entry
(``FileName[260]``, ``Packed``, ``ChildGroup``, ``Size``, reserved, ``Offset``…); then the
entries' data, each offset counted from the end of the core table. A child group is a
nested archive of the same layout (not gzipped again). The group folders are the sound's
category (``Environment.ocg/Lightning.ocg/Thunder3.ogg``).

``authors.txt`` inside the archive credits every sound: who made it, the Freesound page
it came from, and whether it is CC BY 3.0 (the default) or CC0. :func:`read_credits`
turns its "Author - Group/Name1&2&3, Name1-3, Name*" lines into per-file credits.
"""

from __future__ import annotations

import gzip
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from ..debian import FetchError, fetch_package
from ._common import Clip, Rule, existing_count, words, write_clips

NAME = "openclonk"
PACKAGE = "openclonk-data"
ARCHIVE = "usr/share/games/openclonk/Sound.ocg"
HOMEPAGE = "https://www.openclonk.org/"
TEAM = "OpenClonk team"
_HEADER = 204
_CORE = 316

# Game-only, by the archive's own groups (see module doc). Clonk skins are voice lines of
# the game's characters; Mooq, Puka, Chippie, Wipf, Monster, LavaCore and Zap are invented
# creatures; Weapons, Arrow, Boompack, Catapult and the blasts are combat.
RULES = (
    Rule(r"^ui\b", "game interface sound"),
    Rule(r"^clonk skin\b", "voice line of a game character"),
    Rule(r"^animals (mooq|puka|chippie|wipf|monster|lava core|zap)\b", "invented game creature"),
    Rule(r"\b(weapons|arrow|boompack|catapult)\b", "game weapon"),
    Rule(r"^fire blast(?! firework)|\bfireball\b|\bgroup attack\b", "game combat effect"),
    Rule(r"\b(die|hurt|scream)\b", "death or pain cry"),
)
# What the game's group names mean to someone searching for a sound.
GROUP_WORDS = {
    "Environment": "nature, environment", "Liquids": "water, liquid", "Hits": "impact, hit",
    "Structures": "building, machinery", "Objects": "object", "Clonk": "person",
    "Movement": "person moving", "Action": "person working", "Fire": "fire",
    "Animals": "animal", "Materials": "material",
}  # fmt: skip
SCENE = {
    "BirdsLoop": ("birds singing, forest birdsong ambience loop", "bed", ["birds", "forest", "nature", "day"]),
    "WindLoop": ("wind blowing, ambience loop", "bed", ["wind", "weather"]),
    "Waterfall": ("waterfall, rushing water loop", "bed", ["waterfall", "water", "river"]),
    "StereoRain": ("rain falling, stereo rain ambience", "bed", ["rain", "weather"]),
    "StepHard": ("footstep on hard ground, stone", "one-shot", ["footstep", "walking"]),
    "StepSoft": ("footstep on soft ground, grass and earth", "one-shot", ["footstep", "walking"]),
    "Chop": ("axe chopping a tree, wood chopping", "one-shot", ["axe", "wood", "tree"]),
    "Thunder": ("thunder clap, thunderstorm", "one-shot", ["thunder", "storm", "weather"]),
    "MosquitoBuzz": ("mosquito buzzing, insect", "one-shot", ["mosquito", "insect"]),
    "FanLoop": ("electric fan running, loop", "one-shot", ["fan", "machine", "appliance"]),
    "SteamEngine": ("steam engine running", "one-shot", ["steam engine", "machine"]),
    "Pumpjack": ("oil pump jack working", "one-shot", ["pump", "machine", "oil"]),
    "SawmillRipcut": ("sawmill circular saw ripping wood", "one-shot", ["saw", "wood", "sawmill"]),
    "Boiling": ("water boiling, bubbling", "one-shot", ["boiling", "water", "kitchen"]),
}  # fmt: skip


def _unscramble(data: bytes) -> bytes:
    out = bytearray(b ^ 237 for b in data)
    for i in range(0, len(out) - 2, 3):
        out[i], out[i + 2] = out[i + 2], out[i]
    return bytes(out)


def read_c4group(path: Path) -> dict[str, bytes]:
    """Every file in a C4Group archive by its path of group names (``A.ocg/B.ocg/x.ogg``)."""
    raw = path.read_bytes()
    if raw[:2] != b"\x1e\x8c":
        raise FetchError(f"{path}: not a C4Group archive (magic {raw[:2].hex()})")
    try:
        buf = gzip.decompress(b"\x1f\x8b" + raw[2:])
    except (OSError, EOFError) as exc:
        raise FetchError(f"{path}: C4Group archive does not decompress ({exc})") from exc
    files: dict[str, bytes] = {}

    def walk(base: int, prefix: str) -> None:
        header = _unscramble(buf[base : base + _HEADER])
        if not header.startswith(b"RedWolf Design GrpFolder"):
            raise FetchError(f"{path}: bad C4Group header in {prefix or 'the archive'}")
        count = struct.unpack_from("<i", header, 36)[0]
        table = base + _HEADER
        data0 = table + _CORE * count
        for i in range(count):
            core = buf[table + _CORE * i : table + _CORE * (i + 1)]
            name = core[:260].split(b"\0", 1)[0].decode("latin-1")
            _packed, child, size, _res, offset = struct.unpack_from("<iiiii", core, 260)
            if child:
                walk(data0 + offset, f"{prefix}{name}/")
            else:
                files[prefix + name] = buf[data0 + offset : data0 + offset + size]

    walk(0, "")
    return files


@dataclass(frozen=True)
class Credit:
    group: str  # lower-case group words the credit names ("tree"), may be ""
    stem: re.Pattern[str]
    author: str
    url: str
    licence: str


def _stems(token: str) -> tuple[str, str] | None:
    """'Environemnt/Lightning/Thunder1' -> ('environemnt lightning', 'thunder1');
    'Fire/Spark1&2&3' -> ('fire', 'spark(1|2|3)'); 'Splash1-3' -> ('', 'splash[1-3]')."""
    token = re.sub(r"\(.*?\)|\.(wav|ogg)\b|\bmodified\b|\badapted.*$", "", token).strip(" ,()")
    token = token.replace("::", "/")
    if not token or " " in token.strip():
        return None
    group, _, stem = token.rpartition("/")
    stem = stem.lower()
    if m := re.fullmatch(r"([a-z_]+)(\d+(?:&\d+)+)", stem):
        pattern = f"{m.group(1)}({'|'.join(m.group(2).split('&'))})"
    elif m := re.fullmatch(r"([a-z_]+)(\d)-(\d)", stem):
        pattern = f"{m.group(1)}[{m.group(2)}-{m.group(3)}]"
    elif stem.endswith("*"):
        pattern = re.escape(stem[:-1]) + r"\w*"
    else:
        pattern = re.escape(stem)
    return words(group).lower(), pattern


def read_credits(text: str) -> list[Credit]:
    """Per-sound credits from ``authors.txt`` (see module doc)."""
    credits: list[Credit] = []
    licence = "CC-BY-3.0"
    author = ""
    for line in text.splitlines():
        if "CC 0" in line or "public domain" in line.lower():
            licence = "CC0-1.0"
            continue
        if m := re.match(r"^(\S[^-]*?)\s+-\s+(.*)$", line):
            author, works = m.group(1).strip().rstrip(","), m.group(2)
        elif m := re.match(r"^\s+-\s+(.*)$", line):
            works = m.group(1)
        elif author and line.startswith((" ", "\t")) and not line.strip().endswith(":"):
            works = line
        else:
            continue
        urls = re.findall(r"https?://[^\s,)]+", works)
        for token in re.split(r",\s*", re.sub(r"https?://[^\s,)]+", "", works)):
            parsed = _stems(token.split(" made from")[0])
            if parsed:
                group, pattern = parsed
                credits.append(Credit(group, re.compile(pattern + r"$"), author, urls[0] if urls else "", licence))
    return credits


def credit_for(rel: str, credits: list[Credit]) -> Credit | None:
    """The credit whose name pattern matches the file's stem, preferring one naming its group."""
    p = Path(rel)
    stem = p.stem.lower()
    groups = words(" ".join(p.parts[:-1]).replace(".ocg", "")).lower()
    hits = [c for c in credits if c.stem.match(stem)]
    hits.sort(key=lambda c: not (c.group and all(w in groups for w in c.group.split())))
    return hits[0] if hits else None


def describe(rel: str) -> tuple[str, str, str | None, list[str]]:
    """(name, description, kind, tags) from the group path and file name."""
    parts = [p.removesuffix(".ocg") for p in Path(rel).parts]
    stem = re.sub(r"\d+$", "", Path(rel).stem)
    groups = parts[:-1]
    name = words(stem)
    context = ", ".join(GROUP_WORDS.get(g, words(g)) for g in groups)
    if stem in SCENE:
        what, kind, tags = SCENE[stem]
        return name, f"{what} (OpenClonk sound, {context})", kind, [*tags, *map(words, groups)]
    subject = " ".join(words(g) for g in groups[-1:] if g not in GROUP_WORDS)
    if subject and name.startswith(subject.split()[0]):
        subject = ""  # Tree/Chop, Rock/RockHit: the file already names it
    desc = f"{subject} {name}".strip() + f" (OpenClonk sound, {context})"
    return name, desc, None, [words(g) for g in groups]


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    files = read_c4group(root / ARCHIVE)
    credits = read_credits(files.get("authors.txt", b"").decode("latin-1"))
    clips = []
    for rel, data in sorted(files.items()):
        if not rel.lower().endswith((".ogg", ".wav")):
            continue
        credit = credit_for(rel, credits)
        name, desc, kind, tags = describe(rel)
        clean = "/".join(p.removesuffix(".ocg") for p in Path(rel).parts)
        clips.append(
            Clip(
                rel=clean,
                data=data,
                name=name,
                description=desc,
                key=words(clean.rsplit(".", 1)[0].replace("/", " ")),
                tags=tags,
                licence=credit.licence if credit else "CC-BY-3.0",
                author=credit.author if credit else TEAM,
                url=(credit.url if credit and credit.url else HOMEPAGE),
                kind=kind,
                loopable=True if kind == "bed" else None,
            )
        )
    return write_clips(out_dir, clips, RULES, source=f"Debian {PACKAGE} (OpenClonk)")
