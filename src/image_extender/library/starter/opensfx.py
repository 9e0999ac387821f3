"""OpenSFX (Debian ``openttd-opensfx``): OpenTTD's free sound set — trains, ships, planes,
road vehicles, industry, animals, weather.

The sounds ship packed in ``opensfx.cat``, OpenTTD's sound catalogue. Layout (as
OpenTTD's ``src/sound.cpp`` reads it, verified on the real file): a table of
little-endian ``uint32`` (offset, size) pairs — in the "new" format the first offset has
bit 31 set, and the first offset / 8 is the entry count — then, at each offset, one
length byte, that many bytes of NUL-terminated name, and ``size`` bytes of a complete
RIFF WAV file.

The OpenSFX "name" is a credit line written by the set's editors:
``"Steam train station departure". Original "steam train horn 01.wav" by
"eliasheuninck". Edited by "Wuzzy". License: Creative Commons Attribution 3.0
Unported.`` It gives the description, original author, editor and licence per sound;
the readme's credits section (4.1) maps each original file name to its Freesound URL.
"""

from __future__ import annotations

import gzip
import re
import struct
from pathlib import Path

from ..debian import FetchError, fetch_package
from ..metadata import licence_ids, strictest_licence
from ..records import METADATA_JSONL, SoundRecord, write_jsonl

NAME = "opensfx"
PACKAGE = "openttd-opensfx"
CAT = "usr/share/games/openttd/baseset/opensfx/opensfx.cat"
README = "usr/share/doc/openttd-opensfx/readme.txt.gz"
HOMEPAGE = "https://github.com/OpenTTD/OpenSFX"
NEW_FORMAT_BIT = 0x80000000


def read_catalogue(cat: Path) -> list[tuple[str, bytes]]:
    """(credit line, RIFF WAV bytes) for every entry of an OpenTTD sound catalogue."""
    data = cat.read_bytes()
    if len(data) < 8:
        raise FetchError(f"{cat}: too short to be an OpenTTD sound catalogue")
    first = struct.unpack_from("<I", data, 0)[0] & ~NEW_FORMAT_BIT
    count = first // 8
    if count == 0 or first > len(data):
        raise FetchError(f"{cat}: bad catalogue header (first offset {first})")
    entries = []
    for i in range(count):
        offset, size = struct.unpack_from("<II", data, 8 * i)
        offset &= ~NEW_FORMAT_BIT
        name_len = data[offset]
        name = data[offset + 1 : offset + 1 + name_len].split(b"\0", 1)[0].decode("utf-8", "replace")
        wav = data[offset + 1 + name_len : offset + 1 + name_len + size]
        if wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
            raise FetchError(f"{cat}: entry {i} ({name[:40]!r}) is not RIFF WAV data")
        entries.append((name, wav))
    return entries


def read_readme_credits(readme_text: str) -> dict[str, tuple[str, str]]:
    """Original file name -> (author as credited, URL) from readme section 4.1.

    The section lists ``* <author>`` then, indented, ``* <original file>`` and its URL.
    """
    credits: dict[str, tuple[str, str]] = {}
    author = ""
    last_file = None
    for line in readme_text.splitlines():
        if re.match(r"^\* ", line):
            author = _clean_author(line[2:])
            last_file = None
        elif m := re.match(r"^\s{2,}\* (.+)$", line):
            last_file = m.group(1).strip().strip('"')
            credits[last_file] = (author, "")
        elif last_file and (m := re.match(r"^\s+(https?://\S+)", line)):
            credits[last_file] = (author, m.group(1))
            last_file = None
    return credits


def _clean_author(text: str) -> str:
    """'Derek Murphy ("robbiesurp" at "freesound.org")' -> 'Derek Murphy (robbiesurp)'."""
    text = re.sub(r'\s+(from|at)\s+"[^"]*"', "", text.strip().rstrip(":"))
    return text.replace('"', "").strip()


def parse_credit(line: str) -> dict:
    """Split an OpenSFX credit line into title, original files, authors, editors, licence."""
    title_m = re.match(r'\s*"([^"]+)"', line)
    title = title_m.group(1) if title_m else line.split(".")[0]
    rest = line[title_m.end():] if title_m else line
    lic_m = re.search(r"License:\s*(.+?)\.?\s*(?:Original is .*)?$", rest)
    licence = strictest_licence(licence_ids(lic_m.group(1))) if lic_m else None
    body = rest[: lic_m.start()] if lic_m else rest
    editors = [e.strip().strip('"') for e in re.findall(r"(?i)\b(?:edited|mixed)\s+by\s+([^.]+)\.", body)]
    # 'Original "a.wav" by "X", "b.wav" by Jan Schupke aka "Vehicle" and "c.aif" by "Y"'
    pairs = [
        (f, a.strip().replace('"', ""))
        for f, a in re.findall(r'"([^"]+)" by ((?:"[^"]+"|[^".,]+?)(?: aka "[^"]+")?)(?= and |, |\. |\.$)', body)
        if not f.lower().startswith("edited")
    ]
    originals = [f for f, _ in pairs]
    originals += [o for o in re.findall(r'"([^"]+\.(?:wav|mp3|aif|aiff|flac|ogg))"', body) if o not in originals]
    direct = re.match(r"\.\s*By ([^.]+)\.", body)
    return {
        "title": title,
        "originals": list(dict.fromkeys(originals)),
        "original_authors": dict(pairs),
        "editors": editors,
        "by": direct.group(1).strip() if direct else "",
        "licence": licence,
    }


def _slug(text: str) -> str:
    return "_".join(re.findall(r"[a-z0-9]+", text.lower()))[:60] or "sound"


def materialize(data_dir: Path, out_dir: Path) -> int:
    meta = out_dir / METADATA_JSONL
    if meta.exists():
        return sum(1 for line in meta.read_text(encoding="utf-8").splitlines() if line.strip())
    root = fetch_package(PACKAGE, data_dir)
    entries = read_catalogue(root / CAT)
    with gzip.open(root / README, "rt", encoding="utf-8", errors="replace") as fh:
        credits = read_readme_credits(fh.read())
    out_dir.mkdir(parents=True, exist_ok=True)
    records = []
    for i, (credit, wav) in enumerate(entries):
        info = parse_credit(credit)
        if info["title"].lower().startswith("unused") or len(wav) <= 44:
            continue  # placeholder slots: a header and no samples
        authors = [info["by"]] if info["by"] else []
        url = ""
        for original in info["originals"]:
            # the readme's credit is fuller ("Derek Murphy (robbiesurp)"); else the line's own
            author, link = credits.get(original, (info["original_authors"].get(original, ""), ""))
            if author and author not in authors:
                authors.append(author)
            url = url or link
        author = ", ".join(authors)
        if info["editors"]:
            author += ("; " if author else "") + "edited by " + ", ".join(info["editors"])
        title = info["title"]
        group, _, what = title.partition(": ") if ": " in title else ("", "", title)
        description = f"{what}. OpenTTD transport game sound effect"
        if group:
            description += f" ({group.lower()} climate)"
        if info["originals"]:
            description += f", from the recording{'s' if len(info['originals']) > 1 else ''} " + ", ".join(
                f'"{o}"' for o in info["originals"]
            )
        filename = f"{i:02d}_{_slug(title)}.wav"
        (out_dir / filename).write_bytes(wav)
        records.append(
            SoundRecord(
                path=filename,
                name=what.lower(),
                description=description,
                tags=["openttd"] + ([group.lower()] if group else []),
                licence=info["licence"] or "CC-BY-SA-3.0",  # readme 1.1: the set as a whole
                author=author,
                url=url or HOMEPAGE,
                source=f"Debian {PACKAGE} (OpenSFX)",
                quality="",
            )
        )
    write_jsonl(records, out_dir)
    return len(records)
