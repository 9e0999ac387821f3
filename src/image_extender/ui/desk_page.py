"""The mixing desk on the page: channel strips under every sound, re-mix, earlier runs.

Everything here works on a finished run's folder (``<run>/out`` or a later take); no
handler analyses the photo or searches the library except the explicit "Find" of a strip.
The desk's state (``gr.State``) is plain JSON::

    {"run": "<run folder>", "base": "out", "current": "take-003", "take": 3,
     "strips": [Strip as dict, …], "options": [[Sound JSON, …] per track], "photo": "dog.jpg"}

``base`` is the folder whose manifest the strips apply to (the run itself, or the take a
global re-mix wrote); ``current`` is the folder the page shows (mix, stems, ZIP, credits).
A strip change answers in two steps: the live mix first (:class:`.desk.LiveMixer`, the same
samples as the bundle), then the full folder (``write_outputs``) with ZIP, credits,
timeline and stems.
"""

# No `from __future__ import annotations`: Gradio resolves gr.Request parameters via type hints.

import html
import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any

from ..errors import ImageExtenderError
from ..manifest import Manifest, Sound
from ..report.bundle import stem_name
from .desk import GAIN_RANGE_DB, LiveMixer, Strip, edited_manifest, replan, search_candidates, swap_sound, \
    with_absolute_sounds
from .sessions import SESSION_COOKIE, SessionStore

log = logging.getLogger(__name__)

KEEP_TAKES = 3  # take folders kept per run besides the base (older ones are removed)
RUN_META = "run.json"


def _md(text: str) -> str:
    return html.escape(str(text), quote=False).replace("*", "\\*").replace("_", "\\_").replace("`", "\\`")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --------------------------------------------------------------------------- desk state


def new_desk(run_dir: Path, manifest: Manifest, photo: str) -> dict:
    return {"run": str(run_dir), "base": "out", "current": "out", "take": 0, "photo": photo,
            "strips": [Strip().to_dict() for _ in manifest.tracks], "options": [[] for _ in manifest.tracks]}


def write_meta(run_dir: Path, photo: str, seconds: float) -> None:
    (run_dir / RUN_META).write_text(json.dumps({"photo": photo, "made": time.time(), "duration": seconds}),
                                    encoding="utf-8")


def run_label(run_dir: Path) -> str | None:
    try:
        meta = json.loads((run_dir / RUN_META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (run_dir / "out" / "manifest.json").is_file():
        return None
    return f"{time.strftime('%H:%M:%S', time.localtime(meta['made']))} · {meta['photo']} · {meta['duration']:.0f} s"


def earlier_runs(store: SessionStore, token: str) -> list[tuple[str, str]]:
    """(label, run folder name) of this session's finished runs, newest first."""
    out = []
    for run in reversed(store.runs(token)):
        label = run_label(run)
        if label:
            out.append((label, run.name))
    return out


# --------------------------------------------------------------------------- presenting


def cards_for(manifest: Manifest, folder: Path, desk: dict, base: Manifest, base_folder: Path) -> list[dict[str, Any]]:
    """One card per *base* track (muted ones too, so they can be unmuted), with its strip.

    A track that is not heard plays its stem as planned (from the base folder), marked so.
    """
    from .app import sound_cards

    heard_labels = {t.label: i for i, t in enumerate(manifest.tracks)}
    base_cards = sound_cards(base, folder)
    edited_cards = {c["label"]: c for c in sound_cards(manifest, folder)}
    cards = []
    for i, (track, card) in enumerate(zip(base.tracks, base_cards, strict=True)):
        card = edited_cards.get(track.label, card)
        j = heard_labels.get(track.label)
        if j is not None:
            stem = folder / "stems" / stem_name(j, manifest.tracks[j])
        else:
            stem = base_folder / "stems" / stem_name(i, track)
            card = {**card, "heard": "— not heard (muted, or another track soloed)"}
        card = {**card, "path": str(stem) if stem.is_file() else None,
                "strip": desk["strips"][i], "planned_pan": track.pan,
                "options": [f"{s['name']} — {s.get('author') or 'unknown'} ({s.get('duration', 0):.1f} s)"
                            for s in desk["options"][i]],
                "query": _choice_query(base, track)}
        cards.append(card)
    return cards


def _choice_query(manifest: Manifest, track) -> str:
    if track.choice_index < len(manifest.choices):
        return manifest.choices[track.choice_index].query
    return track.label


def load_folder(desk: dict, key: str) -> tuple[Path, Manifest]:
    folder = Path(desk["run"]) / desk[key]
    return folder, Manifest.load(folder / "manifest.json")


# --------------------------------------------------------------------------- handlers (pure of Gradio where possible)


class Desk:
    """The desk's server side: one live mixer shared by every session (stems keyed by content)."""

    def __init__(self, store: SessionStore, settings_for) -> None:
        self.store = store
        self.mixer = LiveMixer()
        self.settings_for = settings_for  # (dict of page values) -> Settings

    def owns(self, token: str | None, desk: dict | None) -> bool:
        return bool(desk) and self.store.valid_token(token) and self.store.owns(token, desk["run"]) \
            and (Path(desk["run"]) / desk["base"] / "manifest.json").is_file()

    def live(self, desk: dict) -> tuple[dict, Path, float, int]:
        """Render the live mix of the desk's edit; returns (desk with the new take number, wav, seconds, tracks)."""
        from .desk import live_mix

        base_dir, base = load_folder(desk, "base")
        strips = [Strip.from_dict(s) for s in desk["strips"]]
        edited = edited_manifest(base, strips)
        take = int(desk["take"]) + 1
        live_dir = Path(desk["run"]) / "live"
        live_dir.mkdir(exist_ok=True)
        for old in live_dir.glob("mix-*.wav"):
            if old.stem < f"mix-{take - KEEP_TAKES:03d}":
                old.unlink(missing_ok=True)
        target = live_dir / f"mix-{take:03d}.wav"
        _, seconds = live_mix(self.mixer, edited, base_dir, target)
        return {**desk, "take": take}, target, seconds, len(edited.tracks)

    def warm(self, desk: dict) -> None:
        """Render the run's stems into the live cache (in the background, after a run), so the
        first desk change is heard as fast as the next ones."""
        try:
            base_dir, base = load_folder(desk, "base")
            from .desk import absolute_tracks

            self.mixer.render(absolute_tracks(base, base_dir), base.mix)
        except Exception:  # noqa: BLE001 - only a cache: the first change renders it instead
            log.debug("desk warm-up failed", exc_info=True)

    def write_take(self, desk: dict) -> dict:
        """Write the full folder (stems, ZIP, credits, timeline) of the desk's current edit."""
        from ..pipeline import write_outputs

        base_dir, base = load_folder(desk, "base")
        edited = edited_manifest(base, [Strip.from_dict(s) for s in desk["strips"]])
        if not edited.tracks:
            return desk
        name = f"take-{int(desk['take']):03d}"
        write_outputs(edited, Path(desk["run"]) / name, base_dir=base_dir, overwrite=True,
                      stems=self.mixer.stems(edited.mix))
        self._prune(desk, keep={name, desk["base"]})
        return {**desk, "current": name}

    def _prune(self, desk: dict, keep: set[str]) -> None:
        takes = sorted(p for p in Path(desk["run"]).glob("take-*") if p.is_dir() and p.name not in keep)
        for old in takes[: max(0, len(takes) - KEEP_TAKES)]:
            shutil.rmtree(old, ignore_errors=True)

    def remix(self, desk: dict, settings) -> dict:
        """Plan again (levels, EQ, duration, seed) from the run's scene and choices; strips start afresh."""
        from ..pipeline import write_outputs

        base_dir, base = load_folder(desk, "base")
        manifest = replan(with_absolute_sounds(base, base_dir), settings)
        manifest.settings = {k: ("<server>" if k in ("data_dir", "hierarchy_file") and v else v)
                             for k, v in manifest.settings.items()}
        take = int(desk["take"]) + 1
        name = f"take-{take:03d}"
        written = write_outputs(manifest, Path(desk["run"]) / name, base_dir=None, overwrite=True)
        desk = {**desk, "take": take, "base": name, "current": name,
                "strips": [Strip().to_dict() for _ in written.tracks], "options": [[] for _ in written.tracks]}
        self._prune(desk, keep={name, "out"})
        return desk

    def find(self, desk: dict, index: int, query: str, settings) -> dict:
        _, base = load_folder(desk, "base")
        track = base.tracks[index]
        sounds = search_candidates(settings, query or _choice_query(base, track), track.role)
        sounds = [s for s in sounds if s.id != track.sound.id]
        options = [list(o) for o in desk["options"]]
        options[index] = [s.model_dump(mode="json") for s in sounds]
        return {**desk, "options": options}

    def swap(self, desk: dict, index: int, option: int) -> dict:
        base_dir, base = load_folder(desk, "base")
        sound = Sound.model_validate(desk["options"][index][option])
        strips = [dict(s) for s in desk["strips"]]
        strips[index] = {**strips[index], "sound": swap_sound(base.tracks[index], sound, self.mixer.stems(base.mix),
                                                                        base_dir)}
        return {**desk, "strips": strips}


def present(desk: dict, status: str) -> dict[str, Any]:
    """What the page shows for the desk's current folder (keys are the app's output names)."""
    folder, manifest = load_folder(desk, "current")
    base_folder, base = load_folder(desk, "base")
    return {
        "status": status,
        "mix": str(folder / "mix.wav"),
        "download": str(folder / "soundscape.zip"),
        "cards": cards_for(manifest, folder, desk, base, base_folder),
        "timeline": str(folder / "timeline.png"),
        "credits": (folder / "CREDITS.md").read_text(encoding="utf-8"),
        "manifest": manifest.model_dump(mode="json"),
        "ambience": manifest,
    }


def summary(manifest: Manifest, shown: str) -> str:
    objects = ", ".join(f"{o.label} ({o.importance:.2f})" for o in manifest.scene.objects) or "no objects"
    text = (f"**Done:** {plural(len(manifest.tracks), 'sound')} in a {manifest.mix.duration:.0f} s mix "
            f"from {_md(shown)} — {_md(objects)}.")
    if manifest.report is not None:
        text += f" Peak {manifest.report.peak_dbfs:.1f} dBFS."
    return text


# --------------------------------------------------------------------------- widgets


def strip_widgets(gr, i: int, card: dict):
    """The controls of one channel strip; returns (gain, pan, mute, solo, query, find, swap)."""
    strip = card["strip"]
    with gr.Row(elem_classes=["strip"]):
        gain = gr.Slider(GAIN_RANGE_DB[0], GAIN_RANGE_DB[1], value=strip["gain_db"], step=0.5,
                         label="Gain (dB)", elem_id=f"gain-{i}", min_width=160, interactive=True)
        pan = gr.Slider(-1, 1, value=card["planned_pan"] if strip["pan"] is None else strip["pan"], step=0.05,
                        label="Pan (L −1 … +1 R)", elem_id=f"pan-{i}", min_width=160, interactive=True)
        with gr.Column(min_width=90, scale=0):
            mute = gr.Checkbox(strip["mute"], label="Mute", elem_id=f"mute-{i}", interactive=True)
            solo = gr.Checkbox(strip["solo"], label="Solo", elem_id=f"solo-{i}", interactive=True)
    with gr.Row(elem_classes=["swap"]):
        query = gr.Textbox(card["query"], label="Swap sound: search the library", elem_id=f"query-{i}",
                           scale=3, min_width=160, interactive=True)
        find = gr.Button("Find", elem_id=f"find-{i}", size="sm", scale=0, min_width=60)
        swap = gr.Dropdown([(label, k) for k, label in enumerate(card["options"])], value=None,
                           label="Use instead", elem_id=f"swap-{i}", scale=3, min_width=160,
                           interactive=True)
    return gain, pan, mute, solo, query, find, swap


def error_line(exc: BaseException) -> str:
    if isinstance(exc, ImageExtenderError):
        return f"**Error:** {_md(str(exc).splitlines()[0])}"
    log.exception("desk action failed")
    return "**Error:** something went wrong on the mixing desk; the server log has the details."


def token_of(request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) if request is not None else None
