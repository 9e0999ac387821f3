"""The one place that knows the order of the stages.

``image --analyze--> Scene --find_sounds--> [SoundChoice] --plan--> tracks --render--> report --export--> files``

Outputs are written into a temporary sibling of the output directory and moved into place
only when everything succeeded, so a failed run never leaves a half-written directory.
The sound files used are copied into ``sounds/`` and the manifest names them relative to
itself: the output folder (or its ZIP) re-renders on any machine.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ImageExtenderError, InputError, NonSonicImageError, RetrievalError
from .manifest import Manifest, MixAnalysis, MixSpec, Scene, SoundChoice, Track
from .settings import Settings

StageCallback = Callable[[str], None]

OUTPUT_FILES = ("mix.wav", "manifest.json", "timeline.png", "CREDITS.md")
BUNDLE_NAME = "soundscape.zip"


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


def plan(scene: Scene, choices: list[SoundChoice], settings: Settings
         ) -> tuple[MixSpec, list[Track], MixAnalysis | None]:
    """Level, pan and place every sound; then let the mix engineer cut where sounds clash."""
    from .mix.plan import plan_mix

    spec = MixSpec(
        sample_rate=settings.sample_rate,
        duration=settings.duration,
        seed=settings.seed,
        ceiling_dbfs=settings.ceiling_dbfs,
        level_unit=settings.level_unit,
    )
    tracks = plan_mix(
        choices,
        scene.objects,
        spec,
        object_db_min=settings.object_db_min,
        object_db_max=settings.object_db_max,
        ambience_db=settings.ambience_db,
    )
    if not (settings.dynamic_eq or settings.optimize) or len(tracks) < 2:
        return spec, tracks, None
    return (spec, *_adapt(scene, choices, tracks, spec, settings))


def _adapt(scene: Scene, choices: list[SoundChoice], tracks: list[Track], spec: MixSpec,
           settings: Settings) -> tuple[list[Track], MixAnalysis]:
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
    )  # fmt: skip
    # make-up gain: EQ reshapes the spectrum, the track still meets its target; optimiser offsets go on top
    levelled = make_up_eq_gain([t.model_copy(update={"eq": adaptation.events_for(t.label)}) for t in tracks], spec)
    adapted = [
        t.model_copy(update={"gain_db": t.gain_db + offset})
        for t, offset in zip(levelled, adaptation.gain_offsets_db, strict=True)
    ]
    analysis = MixAnalysis(masking_before=adaptation.masking_before, masking_after=measure_masking(adapted, spec),
                           eq_events=len(adaptation.events), optimiser=adaptation.optimiser)
    return adapted, analysis


# --------------------------------------------------------------------------- entry points


def sonify(image_path: Path, out_dir: Path, settings: Settings, *, overwrite: bool = False,
           on_stage: StageCallback = _noop, on_scene: Callable[[Scene], Scene] | None = None) -> Manifest:
    """Photo → soundscape folder. Returns the manifest that was written.

    ``on_scene`` sees the scene as soon as the analysis is done (the web UI draws the boxes
    even when no sound is found later) and returns the scene to go on with (the UI records
    the photo under the name the user gave it, not its server path).

    A non-sonic image (a logo, an icon) writes only ``manifest.json`` with
    ``scene.non_sonic`` set, then raises :class:`NonSonicImageError` (CLI exit code 7).
    """
    out_dir = Path(out_dir)
    _check_out_dir(out_dir, overwrite)
    usage: list[dict] = []
    scene = analyze_image(image_path, settings, on_stage, usage)
    if on_scene is not None:
        scene = on_scene(scene)
    if scene.non_sonic:
        # a legitimate answer, not a failure: the manifest records the flag (and any LLM cost)
        manifest = Manifest(scene=scene, llm_usage=usage, settings=settings.public_dict())
        with _staging_dir(out_dir) as tmp:
            manifest.save(tmp / "manifest.json")
            _replace_dir(tmp, out_dir, overwrite)
        raise NonSonicImageError(f"{image_path}: non-sonic image, nothing in it makes a sound "
                                 f"({scene.caption or 'a graphic'}); scene written to {out_dir / 'manifest.json'}")
    choices = find_scene_sounds(scene, settings, on_stage, usage)
    on_stage("planning the mix")
    spec, tracks, analysis = plan(scene, choices, settings)
    if not tracks:
        # per target what was tried and why it failed; the long "nearest miss" detail stays in the trail
        reasons = "; ".join(f"{c.target}: {';'.join(c.verdict.split(';')[:2])}" for c in choices) or "no objects and no ambience"
        raise RetrievalError(f"{image_path}: no sound found for anything in the image ({reasons})")
    manifest = Manifest(scene=scene, choices=choices, mix=spec, tracks=tracks, analysis=analysis,
                        llm_usage=usage, settings=settings.public_dict())
    return write_outputs(manifest, out_dir, base_dir=None, overwrite=overwrite, on_stage=on_stage)


def render_manifest(manifest_path: Path, out_dir: Path, *, overwrite: bool = False,
                    on_stage: StageCallback = _noop) -> Manifest:
    """Re-render a manifest (possibly edited by hand) into a new folder."""
    manifest_path = Path(manifest_path)
    manifest = Manifest.load(manifest_path)
    if not manifest.tracks:
        raise InputError(f"{manifest_path}: manifest has no tracks to render")
    out_dir = Path(out_dir)
    _check_out_dir(out_dir, overwrite)
    return write_outputs(manifest, out_dir, base_dir=manifest_path.parent, overwrite=overwrite, on_stage=on_stage)


def write_outputs(manifest: Manifest, out_dir: Path, *, base_dir: Path | None, overwrite: bool,
                  on_stage: StageCallback = _noop) -> Manifest:
    """Copy sounds, render, write every output file, then move the folder into place.

    ``base_dir`` resolves relative sound paths (a manifest read from disk); ``None`` means
    the paths are already absolute (a fresh run).
    """
    from .mix.render import render_mix
    from .report.audio import write_audio
    from .report.bundle import collect_sounds, write_bundle, write_stems
    from .report.credits import write_credits
    from .report.timeline import write_timeline

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with _staging_dir(out_dir) as tmp:
        manifest = collect_sounds(manifest, tmp, base_dir)
        resolved = [_absolute(track, tmp) for track in manifest.tracks]
        on_stage("rendering the mix")
        rendered = render_mix(resolved, manifest.mix)
        manifest.report = rendered.report
        on_stage("writing files")
        write_audio(tmp / "mix.wav", rendered.mix, manifest.mix.sample_rate)
        (tmp / "stems").mkdir()
        write_stems(tmp / "stems", manifest.tracks, rendered, manifest.mix.sample_rate)
        manifest.save(tmp / "manifest.json")
        write_timeline(resolved, rendered, manifest.mix, tmp / "timeline.png", analysis=manifest.analysis,
                       image=manifest.scene.image.path)
        write_credits(manifest.tracks, tmp / "CREDITS.md")
        write_bundle(tmp, tmp / BUNDLE_NAME)
        _replace_dir(tmp, out_dir, overwrite)
    return manifest


# --------------------------------------------------------------------------- helpers


def _absolute(track: Track, root: Path) -> Track:
    copy = track.model_copy(deep=True)
    copy.sound.path = str((root / track.sound.path).resolve())
    return copy


def _check_out_dir(out_dir: Path, overwrite: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: output path exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        raise InputError(f"{out_dir}: output directory is not empty (use --overwrite to replace it)")


@contextmanager
def _staging_dir(out_dir: Path) -> Iterator[Path]:
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _replace_dir(tmp: Path, out_dir: Path, overwrite: bool) -> None:
    if out_dir.exists():
        if not overwrite and any(out_dir.iterdir()):
            raise ImageExtenderError(f"{out_dir}: appeared while rendering; not replacing it")
        old = out_dir.with_name(f".{out_dir.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        out_dir.rename(old)
        tmp.rename(out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(out_dir)
