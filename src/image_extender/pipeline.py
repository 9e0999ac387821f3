"""The one place that knows the order of the stages.

``image --analyze--> Scene --find_sounds--> [SoundChoice] --plan--> tracks --render--> report --export--> files``

Outputs are written into a temporary sibling of the output directory and moved into place
only when everything succeeded, so a failed run never leaves a half-written directory.
The sound files used are copied into ``sounds/`` and the manifest names them relative to
itself: the output folder (or its ZIP) re-renders on any machine.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError, LibraryError, NonSonicImageError, OutputError, RetrievalError, describe_os_error
from .locking import exclusive, owner_gone
from .manifest import Manifest, MixAnalysis, MixSpec, Scene, SoundChoice, Track

if TYPE_CHECKING:  # annotations only: ``render`` never needs the settings module
    from .settings import Settings

StageCallback = Callable[[str], None]
Retime = Callable[[Track, float], Track]
Extra = Callable[[Path, "Manifest", "Rendered"], None]  # writes more files into the staging folder

OUTPUT_FILES = ("mix.wav", "manifest.json", "timeline.png", "CREDITS.md")
BUNDLE_NAME = "soundscape.zip"
SPOOL_DIR = ".render"  # a long mix's working files, inside the staging folder (removed with it whatever happens)


def _noop(stage: str) -> None:
    pass


# --------------------------------------------------------------------------- stages


def analyze_image(image_path: Path, settings: Settings, on_stage: StageCallback = _noop,
                  usage: list[dict] | None = None) -> Scene:
    """Image → Scene with any analyzer; the non-sonic filter runs on every backend's output.

    LLM requests the analyzer made are appended to ``usage`` when given.
    """
    from .analyze import get_analyzer
    from .analyze.image import load_image
    from .analyze.nonsonic import mark_non_sonic

    on_stage("reading image")
    image = load_image(Path(image_path))
    analyzer = get_analyzer(settings.analyzer, settings)
    on_stage("loading scene models")
    analyzer.load()
    on_stage("analysing scene")
    scene = mark_non_sonic(analyzer.analyze(image))
    if usage is not None:
        usage.extend(getattr(analyzer, "usage", None) or [])
    return scene


def find_scene_sounds(scene: Scene, settings: Settings, on_stage: StageCallback = _noop,
                      usage: list[dict] | None = None) -> list[SoundChoice]:
    """Scene → choices; LLM requests of the verifier / query regeneration go into ``usage`` when given."""
    from .sounds.factory import build_finder

    on_stage("opening sound library")
    finder = build_finder(settings)
    on_stage("finding sounds")
    choices = finder(scene)
    if usage is not None:
        usage.extend(getattr(finder, "usage", None) or [])
    return choices


def mix_spec(settings: Settings) -> MixSpec:
    """The mix section of the manifest, from the settings."""
    return MixSpec(sample_rate=settings.sample_rate, duration=settings.duration, seed=settings.seed,
                   ceiling_dbfs=settings.ceiling_dbfs, level_unit=settings.level_unit)


def plan(scene: Scene, choices: list[SoundChoice], settings: Settings, *, retime: Retime | None = None,
         stems=None) -> tuple[MixSpec, list[Track], MixAnalysis | None]:
    """Level, pan and place every sound; then let the mix engineer cut where sounds clash.

    ``retime`` reshapes each planned track before its level is solved (``plan_mix``; video).
    ``stems``: a ``mix.render.StemCache`` for the run, shared by planning, the mix
    engineer and the render, so each stem is rendered (and each EQ applied) once.
    """
    from .mix.plan import plan_mix
    from .mix.render import StemCache

    spec = mix_spec(settings)
    stems = stems if stems is not None else StemCache(spec)
    tracks = plan_mix(
        choices,
        scene.objects,
        spec,
        object_db_min=settings.object_db_min,
        object_db_max=settings.object_db_max,
        ambience_db=settings.ambience_db,
        retime=retime,
        stems=stems,
    )
    if not (settings.dynamic_eq or settings.optimize) or len(tracks) < 2:
        return spec, tracks, None
    return (spec, *_adapt(scene, choices, tracks, spec, settings, stems))


def _adapt(scene: Scene, choices: list[SoundChoice], tracks: list[Track], spec: MixSpec,
           settings: Settings, stems=None) -> tuple[list[Track], MixAnalysis]:
    from .mix.adaptive import adapt_mix, measure_masking
    from .mix.dyneq import EqConfig
    from .mix.optimize import OptimiserConfig
    from .mix.plan import make_up_eq_gain

    importance = [scene.objects[choices[t.choice_index].target_index].importance if t.role == "object" else 0.0
                  for t in tracks]
    adaptation = adapt_mix(
        tracks, spec, importance, optimize=settings.optimize,
        eq_config=EqConfig(max_cut_db=settings.eq_max_cut_db, q=settings.eq_q),
        optimiser_config=OptimiserConfig(budget_seconds=settings.optimize_seconds, seed=spec.seed,
                                         gain_bound_db=settings.optimize_gain_bound_db,
                                         max_cut_db=settings.eq_max_cut_db),
        stems=stems,
    )  # fmt: skip
    # make-up gain: EQ reshapes the spectrum, the track still meets its target; optimiser offsets go on top
    levelled = make_up_eq_gain([t.model_copy(update={"eq": adaptation.events_for(t.label)}) for t in tracks], spec,
                               stems)
    adapted = [
        t.model_copy(update={"gain_db": t.gain_db + offset})
        for t, offset in zip(levelled, adaptation.gain_offsets_db, strict=True)
    ]
    analysis = MixAnalysis(masking_before=adaptation.masking_before, masking_after=measure_masking(adapted, spec, stems=stems),
                           eq_events=len(adaptation.events), optimiser=adaptation.optimiser)
    return adapted, analysis


# --------------------------------------------------------------------------- entry points


def require_a_sound(choices: list[SoundChoice], source: Path, kind: str) -> None:
    """Raise unless some target found a recording.

    Every target has walked its whole chain (own queries, closer kinds of place, hierarchy)
    by now, so this is the only failure: the library truly had nothing. The message gives
    per target what was tried; the long "nearest miss" detail stays in the trail.
    """
    if any(c.sound is not None for c in choices):
        return
    reasons = "; ".join(f"{c.target}: {';'.join(c.verdict.split(';')[:2])}" for c in choices) or "no objects and no ambience"
    raise RetrievalError(f"{source}: no sound found for anything in the {kind} ({reasons})")


def sonify(image_path: Path, out_dir: Path, settings: Settings, *, overwrite: bool = False,
           on_stage: StageCallback = _noop, on_scene: Callable[[Scene], Scene] | None = None) -> Manifest:
    """Photo → soundscape folder. Returns the manifest that was written.

    ``on_scene`` sees the scene as soon as the analysis is done (the web UI draws the boxes
    even when no sound is found later) and returns the scene to go on with (the UI records
    the photo under the name the user gave it, not its server path).

    A non-sonic image (a logo, an icon) writes only ``manifest.json`` with
    ``scene.non_sonic`` set, then raises :class:`NonSonicImageError` (CLI exit code 7).
    """
    out_dir = check_out_dir(out_dir, overwrite)
    _check_library(settings)
    usage: list[dict] = []
    scene = analyze_image(image_path, settings, on_stage, usage)
    if on_scene is not None:
        scene = on_scene(scene)
    if scene.non_sonic:
        # a legitimate answer, not a failure: the manifest records the flag (and any LLM cost)
        manifest = Manifest(scene=scene, llm_usage=usage, settings=settings.public_dict())
        with _writing(out_dir, on_stage) as tmp:
            manifest.save(tmp / "manifest.json")
            _replace_dir(tmp, out_dir, overwrite)
        raise NonSonicImageError(f"{image_path}: non-sonic image, nothing in it makes a sound "
                                 f"({scene.caption or 'a graphic'}); scene written to {out_dir / 'manifest.json'}")
    choices = find_scene_sounds(scene, settings, on_stage, usage)
    require_a_sound(choices, image_path, "image")
    on_stage("planning the mix")
    from .mix.render import StemCache

    stems = StemCache(mix_spec(settings))
    spec, tracks, analysis = plan(scene, choices, settings, stems=stems)
    manifest = Manifest(scene=scene, choices=choices, mix=spec, tracks=tracks, analysis=analysis,
                        llm_usage=usage, settings=settings.public_dict())
    return write_outputs(manifest, out_dir, base_dir=None, overwrite=overwrite, on_stage=on_stage, stems=stems)


def render_manifest(manifest_path: Path, out_dir: Path, *, overwrite: bool = False,
                    on_stage: StageCallback = _noop) -> Manifest:
    """Re-render a manifest (possibly edited by hand) into a new folder."""
    manifest_path = Path(manifest_path)
    out_dir = check_out_dir(out_dir, overwrite)
    manifest = Manifest.load(manifest_path)
    if not manifest.tracks:
        raise InputError(f"{manifest_path}: manifest has no tracks to render")
    _check_sound_paths(manifest, manifest_path)
    extra = None
    if manifest.video is not None:  # a clip's manifest: mux the new mix into the clip again (video/)
        from .video.pipeline import remux_step

        extra = remux_step(manifest, on_stage)
    return write_outputs(manifest, out_dir, base_dir=manifest_path.parent, overwrite=overwrite, on_stage=on_stage,
                         extra=extra)


def write_outputs(manifest: Manifest, out_dir: Path, *, base_dir: Path | None, overwrite: bool,
                  on_stage: StageCallback = _noop, extra: Extra | None = None, stems=None) -> Manifest:
    """Copy sounds, render, write every output file, then move the folder into place.

    ``base_dir`` resolves relative sound paths (a manifest read from disk); ``None`` means
    the paths are already absolute (a fresh run). ``extra(folder, manifest, rendered)`` writes
    more files (the muxed video) into the staging folder before the manifest is saved.
    ``stems``: the run's ``StemCache`` from planning (same samples, rendered once).
    """
    from .mix.render import render_mix
    from .report.audio import write_audio
    from .report.bundle import collect_sounds, write_bundle, write_stems
    from .report.credits import write_credits
    from .report.timeline import write_timeline

    out_dir = Path(os.path.abspath(out_dir))
    with _writing(out_dir, on_stage) as tmp:
        manifest = collect_sounds(manifest, tmp, base_dir)
        resolved = [_absolute(track, tmp) for track in manifest.tracks]
        on_stage("rendering the mix")
        # a long mix streams through files in the staging folder (render_mix); gone before the ZIP is made
        rendered = render_mix(resolved, manifest.mix, stems=stems, spool=tmp / SPOOL_DIR)
        manifest.report = rendered.report
        on_stage("writing files")
        write_audio(tmp / "mix.wav", rendered.mix, manifest.mix.sample_rate)
        (tmp / "stems").mkdir()
        write_stems(tmp / "stems", manifest.tracks, rendered, manifest.mix.sample_rate)
        if extra is not None:
            extra(tmp, manifest, rendered)
        manifest.save(tmp / "manifest.json")
        write_timeline(resolved, rendered, manifest.mix, tmp / "timeline.png", analysis=manifest.analysis,
                       image=manifest.scene.image.path, stems=stems)
        rendered.release()
        write_credits(manifest.tracks, tmp / "CREDITS.md")
        write_bundle(tmp, tmp / BUNDLE_NAME)
        _replace_dir(tmp, out_dir, overwrite)
    return manifest


# --------------------------------------------------------------------------- helpers


def _absolute(track: Track, root: Path) -> Track:
    copy = track.model_copy(deep=True)
    copy.sound.path = str((root / track.sound.path).resolve())
    return copy


def _check_sound_paths(manifest: Manifest, manifest_path: Path) -> None:
    """Only files inside the manifest's folder may be read (no ``../``, no absolute paths,
    no symlink out): a manifest from elsewhere must not copy ``/etc/passwd`` into a ZIP."""
    folder = manifest_path.parent.resolve()
    for i, track in enumerate(manifest.tracks):
        raw = track.sound.path
        where = f"{manifest_path}: tracks[{i}].sound.path"
        if Path(raw).is_absolute():
            raise InputError(f"{where}: '{raw}' is absolute; a manifest names its sounds relative to its folder "
                             f"(copy the file into {folder / 'sounds'} and write sounds/NAME)")
        resolved = (folder / raw).resolve()
        if not resolved.is_relative_to(folder):
            raise InputError(f"{where}: '{raw}' is outside the manifest's folder {folder}; only files inside it are read")
        if resolved.exists() and not resolved.is_file():
            raise InputError(f"{where}: '{raw}' is not a regular file")


def _check_library(settings: Settings) -> None:
    """A missing library (often a wrong IMAGE_EXTENDER_DATA) fails before the photo is analysed."""
    from .library.store import BUILD_HINT, DB_NAME

    if settings.source == "library" and not (settings.library_dir / DB_NAME).is_file():
        raise LibraryError(f"{settings.library_dir}: no sound library here ({DB_NAME} missing; is the data folder "
                           f"{settings.data_dir} right?); {BUILD_HINT}")


def check_out_dir(out_dir: Path, overwrite: bool) -> Path:
    """Refuse, before any work, a destination the run could not write; returns it made absolute.

    Like ``cp``/``rsync``: the message names the path and the reason (a file in the way,
    read-only file system, no permission), and the current folder or one containing it is
    never replaced (``-o .`` or ``-o a/..`` with ``--overwrite`` would move the ground the
    shell stands on).
    """
    target = Path(os.path.abspath(out_dir))
    if target == Path(target.anchor):
        raise OutputError(f"{out_dir}: the root folder cannot be an output folder")
    cwd = Path.cwd()
    if target == cwd or target in cwd.parents:
        raise OutputError(f"{out_dir}: is the current folder or contains it; name a new folder, e.g. -o out/soundscape")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{out_dir}: output path exists and is not a directory")
    if target.is_dir() and any(target.iterdir()) and not overwrite:
        raise InputError(f"{out_dir}: output directory is not empty (use --overwrite to replace it)")
    ancestor = target.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"{ancestor}: is a file, not a folder, so {out_dir} cannot be created in it")
    if os.statvfs(ancestor).f_flag & os.ST_RDONLY:
        raise OutputError(f"{ancestor}: read-only file system; choose another output folder (EROFS)")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputError(f"{ancestor}: permission denied; choose a folder you can write to (EACCES)")
    return target


_PARTIAL = ".{name}.partial-"
STALE_SECONDS = 3600.0  # a staging folder of an unknown process this old is abandoned


@contextmanager
def _writing(out_dir: Path, on_stage: StageCallback = _noop) -> Iterator[Path]:
    """Lock the output's parent, sweep what killed runs left, yield a fresh staging folder.

    The staging folder is ``.NAME.partial-<pid>-<random>`` made with ``mkdir`` (so it
    follows the umask, like the files in it); it is removed whatever happens — Ctrl-C and
    SIGTERM included (the CLI turns SIGTERM into the same exception). A ``kill -9`` cannot
    be caught: the next run that writes here removes staging folders whose process is gone.
    Writers of one parent folder are serialised by a ``flock`` on it, and a waiting run says so.
    """
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        with exclusive(parent, f"writing into {parent}", on_stage):
            _sweep_stale(out_dir)
            tmp = parent / f"{_PARTIAL.format(name=out_dir.name)}{os.getpid()}-{secrets.token_hex(4)}"
            try:
                tmp.mkdir()  # inside the try: a SIGTERM that lands as mkdir returns still removes the folder
                yield tmp
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    except OSError as exc:
        raise describe_os_error(exc, out_dir, hide=".partial-") from exc


def _sweep_stale(out_dir: Path) -> None:
    """Remove ``.NAME.partial-*`` / ``.NAME.old`` left by runs that were killed (called under the lock)."""
    prefix = _PARTIAL.format(name=out_dir.name)
    for path in out_dir.parent.glob(f".{glob.escape(out_dir.name)}.*"):
        if path.name == f".{out_dir.name}.old":
            shutil.rmtree(path, ignore_errors=True)
            continue
        if not path.name.startswith(prefix) or not path.is_dir():
            continue
        stale = owner_gone(path.name[len(prefix):])
        if stale is None:  # an older version's name without a pid: judge by age
            stale = time.time() - path.stat().st_mtime > STALE_SECONDS
        if stale:
            shutil.rmtree(path, ignore_errors=True)


def _replace_dir(tmp: Path, out_dir: Path, overwrite: bool) -> None:
    if out_dir.exists():
        if not overwrite and any(out_dir.iterdir()):
            raise InputError(f"{out_dir}: appeared while rendering; not replacing it")
        old = out_dir.with_name(f".{out_dir.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        out_dir.rename(old)
        tmp.rename(out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out_dir)
