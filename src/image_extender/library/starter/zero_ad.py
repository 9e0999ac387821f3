"""0 A.D. (Debian ``0ad-data``): ambience loops, animal calls, people's footsteps, horses'
hooves, ships and gates.

The game's audio lives inside ``mods/public/public.zip`` in a 1.4 GB .deb whose full
unpack is 3 GB. We pull only that zip out of the .deb once (cached under
``<data>/debian/0ad-data-zip/``) and then read the ~200 audio files we want straight from
the zip. The ambient folder holds 42 designed loops (weather, water, birds by day, farm,
port and market); descriptions expand the game's own folder and file names, and the
sound-group XML next to them (``coastline_beach.xml`` names ``wave_21.ogg``) supplies the
scene where the file name is terse. Licence and author come from the package's DEP-5
copyright file.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import soundfile as sf

from ..debian import FetchError, deb_file, download_deb
from ..records import METADATA_JSONL, SoundRecord, write_jsonl
from ._beds import fades_at_edges, quality, read_licence
from ._common import GAME_ONLY

NAME = "0ad"
PACKAGE = "0ad-data"
ZIP_MEMBER = "./usr/share/games/0ad/mods/public/public.zip"
COPYRIGHT_MEMBER = "./usr/share/doc/0ad-data/copyright"
ZIP_SIZE_MB = 3260  # size of public.zip, for the progress line

# Ambient loops: file-name stem (digits dropped) -> (description, kind, tags).
# "gen" in day_temperate_gen is 0 A.D.'s "general" mix of the same dayscape.
AMBIENT: dict[str, tuple[str, str, list[str]]] = {
    "amb_farm": ("farm, farmyard ambience loop", "bed", ["farm", "countryside", "rural"]),
    "amb_port": ("harbour port with crowd, ambience loop", "bed", ["port", "harbour", "dock", "crowd"]),
    "amb_trade": ("market place, trading crowd, ambience loop", "bed", ["market", "trade", "crowd"]),
    "day_temperate": ("birds in a temperate forest by day, ambience loop", "bed", ["birds", "forest", "day", "nature"]),
    "day_temperate_gen": ("birds in a temperate forest by day, general dayscape ambience loop", "bed", ["birds", "forest", "day", "nature"]),
    "day_tropical": ("birds in a tropical forest by day, jungle ambience loop", "bed", ["birds", "jungle", "tropical", "forest", "day"]),
    "river_fast": ("fast-flowing river, water ambience loop", "bed", ["river", "stream", "water"]),
    "river_med": ("river flowing at medium pace, water ambience loop", "bed", ["river", "stream", "water"]),
    "river_slow": ("slow-flowing river, water ambience loop", "bed", ["river", "stream", "water"]),
    "river_raging": ("raging river rapids, water ambience loop", "bed", ["river", "rapids", "water"]),
    "waterfall": ("waterfall, water ambience loop", "bed", ["waterfall", "water"]),
    "wave": ("sea waves on a beach coastline, ambience loop", "bed", ["waves", "sea", "ocean", "beach", "coast"]),
    "wavecrash": ("sea waves crashing on a rocky coastline, ambience loop", "bed", ["waves", "sea", "ocean", "rocks", "coast"]),
    "waverocky": ("sea waves on a rocky coastline, ambience loop", "bed", ["waves", "sea", "ocean", "rocks", "coast"]),
    "rain": ("rain, ambience loop", "bed", ["rain", "weather"]),
    "snowstorm": ("snowstorm, wind and snow, ambience loop", "bed", ["snow", "storm", "wind", "winter", "weather"]),
    "thunder": ("thunder, thunderstorm", "one-shot", ["thunder", "storm", "weather"]),
    "wind": ("wind, ambience loop", "bed", ["wind", "weather"]),
    "windstorm": ("windstorm, strong wind, ambience loop", "bed", ["wind", "storm", "weather"]),
    "windgust": ("gust of wind", "one-shot", ["wind", "gust", "weather"]),
    "windleaves": ("wind rustling leaves", "one-shot", ["wind", "leaves", "trees"]),
}
# Footsteps: fs_<surface>N.ogg; six surfaces.
SURFACES = {"grass", "gravel", "rock", "sand", "snow", "wood"}
# Animal names as 0 A.D. spells them -> the words a search would use.
ANIMAL_WORDS = {"cattle": "cattle, cow", "chicken": "chicken, hen", "animal": "animal"}
FAUNA_DROP = {"select", "order", "trained", "idle", "move", "call", "generic", "flaming"}
FARM_ANIMALS = {"cattle", "chicken", "goat", "horse", "pig", "sheep"}


def _progress(label: str, target: Path, total_mb: int, done: threading.Event) -> None:
    """Print how far a long extraction has got (file size vs expected), once a second."""
    while not done.wait(1.0):
        size = target.stat().st_size / 1e6 if target.exists() else 0.0
        print(f"\r{label}: {size:,.0f} / ~{total_mb:,} MB", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr, flush=True)


def extract_zip(data_dir: Path) -> Path:
    """Return the cache folder holding public.zip and the copyright file, extracting once.

    Runs ``dpkg-deb --fsys-tarfile | tar -x`` for just two members; ``apt-get download``
    first when the .deb is not in ``<data>/debs`` (1.4 GB).
    """
    root = data_dir / "debian" / f"{PACKAGE}-zip"
    stamp = root / ".extracted"
    if stamp.exists():
        return root
    debs = data_dir / "debs"
    deb = deb_file(PACKAGE, debs)
    if deb is None:
        print(f"downloading {PACKAGE} (1.4 GB) into {debs} ...", file=sys.stderr, flush=True)
        deb = download_deb(PACKAGE, debs, show_output=True)
    tmp = root.with_name(root.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    done = threading.Event()
    ticker = threading.Thread(
        target=_progress, args=(f"extracting public.zip from {deb.name}", tmp / ZIP_MEMBER, ZIP_SIZE_MB, done), daemon=True
    )
    ticker.start()
    try:
        deb_proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
        tar = subprocess.run(["tar", "-x", ZIP_MEMBER, COPYRIGHT_MEMBER], stdin=deb_proc.stdout, cwd=tmp, capture_output=True, text=True)
        deb_proc.stdout.close()
        deb_rc = deb_proc.wait()
    finally:
        done.set()
        ticker.join()
    if tar.returncode != 0 or deb_rc not in (0, None):
        tail = (tar.stderr.strip().splitlines() or ["no output"])[-1]
        raise FetchError(f"extract public.zip from {deb}: {tail}")
    shutil.rmtree(root, ignore_errors=True)
    tmp.rename(root)
    stamp.write_text(deb.name + "\n")
    return root


def _describe(member: str) -> tuple[str, str, list[str]] | None:
    """(description, kind, tags) for a zip member, or None when we do not keep it."""
    parts = member.split("/")
    stem = Path(member).stem
    base = re.sub(r"_?\d+$", "", stem)
    if parts[1] == "ambient":
        if base not in AMBIENT:
            return None
        desc, kind, tags = AMBIENT[base]
        return desc, kind, [*tags, parts[2], "ambience"]
    if parts[1:3] == ["actor", "singlesteps"]:
        surface = base.removeprefix("fs_").rstrip("_")
        if surface not in SURFACES:
            return None
        return f"footstep on {surface}", "one-shot", ["footstep", "walking", surface]
    if parts[1:3] == ["actor", "fauna"]:
        words = [w for w in base.lower().split("_") if w and w not in FAUNA_DROP]
        dying = "death" in words or "attack" in words
        words = [w for w in words if w not in {"death", "attack"}]
        if not words:
            return None
        animal = words[0]
        what = ANIMAL_WORDS.get(animal, animal)
        if "death" in base.lower():
            desc = f"{what} dying"
        elif "attack" in base.lower():
            desc = f"{what} attacking, aggressive call"
        elif "squeal" in words:
            desc = f"{what} squealing"
        else:
            desc = f"{what} call"
        tags = ["animal", animal, *(["farm", "livestock"] if animal in FARM_ANIMALS else [])]
        return desc, "one-shot", tags if not dying else [*tags, "distress", GAME_ONLY]
    return _describe_more(parts, stem)


# Footstep_Grass_Walking.ogg (and the misspelt Foorstep_Sand_*): a person's steps, by surface
_STEPS = re.compile(r"^Foo[rt]step_(?P<surface>[A-Za-z]+)_(?P<gait>Walking|Running)$")


def _describe_more(parts: list[str], stem: str) -> tuple[str, str, list[str]] | None:
    """People's footsteps, horses' hooves, ships, gates; game-only for death cries and
    unit replies (the game's contract: they never become an object or a bed)."""
    where = parts[1:3]
    if where == ["actor", "human"]:
        if m := _STEPS.match(stem):
            surface, gait = m.group("surface").lower(), m.group("gait").lower()
            return (f"footsteps of a person {gait} on {surface}", "one-shot",
                    ["footsteps", gait, surface, "person", "people"])  # fmt: skip
        if stem.startswith("hstep"):
            gait = "running" if "run" in stem else "walking"
            return f"footstep of a person {gait} on dirt", "one-shot", ["footsteps", gait, "dirt", "person"]
        if parts[3] == "death":
            who = "woman" if stem.startswith("female") else "man"
            return f"{who} dying, death cry", "one-shot", ["person", who, "death", GAME_ONLY]
        return None
    if where == ["actor", "mounted"]:
        if stem.startswith("mstep"):
            return "horse hooves, a horse's step", "one-shot", ["horse", "hooves", "animal"]
        return "horse dying", "one-shot", ["horse", "death", GAME_ONLY]
    if where == ["actor", "ship"]:
        if "death" in stem:
            return "warship sinking", "one-shot", ["ship", "boat", GAME_ONLY]
        if "select" in stem:
            return "ship selected (unit reply)", "one-shot", ["ship", "boat", GAME_ONLY]
        return "ship moving through water", "one-shot", ["ship", "boat", "water", "sailing"]
    if where == ["actor", "gate"]:
        action = "opening" if "open" in stem else "closing"
        return f"heavy stone gate {action}", "one-shot", ["gate", "stone", action]
    if parts[1:3] == ["voice", "global"] and stem.startswith("civ_dog"):
        return "dog barking", "one-shot", ["dog", "bark", "animal"]
    return None


def materialize(data_dir: Path, out_dir: Path) -> int:
    """Write 0 A.D.'s ambience loops, animal calls and footsteps with metadata.jsonl."""
    meta = out_dir / METADATA_JSONL
    if meta.exists():
        return sum(1 for _ in meta.open(encoding="utf-8"))
    cache = extract_zip(data_dir)
    lic = read_licence(cache / COPYRIGHT_MEMBER, "audio/ambient/weather/rain_11.ogg")
    out_dir.mkdir(parents=True, exist_ok=True)
    records: list[SoundRecord] = []
    seen: set[str] = set()
    with zipfile.ZipFile(cache / ZIP_MEMBER) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            member = info.filename
            if not member.startswith("audio/") or not member.endswith(".ogg"):
                continue
            described = _describe(member)
            if described is None:
                continue
            data = zf.read(info)
            digest = hashlib.md5(data).hexdigest()
            if digest in seen:  # fs_rock* are byte-identical to fs_gravel*: keep one
                continue
            seen.add(digest)
            rel = member.removeprefix("audio/")
            target = out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            desc, kind, tags = described
            if GAME_ONLY in tags:
                desc += " [game-only: death cry or unit reply]"
            loopable = kind == "bed" and sf.info(target).duration >= 10.0 and not fades_at_edges(target)
            records.append(
                SoundRecord(
                    path=rel,
                    name=Path(member).stem,
                    description=desc,
                    tags=sorted(set(tags)),
                    licence=lic.licence,
                    author=lic.author,
                    url=lic.url,
                    source=PACKAGE,
                    kind=kind,  # type: ignore[arg-type]
                    loopable=loopable,
                    quality=quality(sf.info(target)),
                )
            )
    write_jsonl(records, out_dir)
    return len(records)

