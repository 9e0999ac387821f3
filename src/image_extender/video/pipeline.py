"""Clip → soundtrack → clip with sound: the photo pipeline's stages, with time added.

``video ──analyze_video──▶ VideoScene + Scene ──find_scene_sounds | generate──▶ [SoundChoice]
──plan (retime: on-screen spans, automation, bed cross-fades)──▶ tracks ──write_outputs (+ mux)──▶ files``

The output folder is the photo one (mix.wav, stems/, sounds/, manifest.json, timeline.png,
CREDITS.md, ZIP) plus the clip with its new sound track (``video.mp4`` or ``video.mkv``) and
``video_timeline.png``; all written in a staging folder and moved into place at the end,
so a failure leaves nothing half-written. ``manifest.json`` re-renders ``mix.wav`` exactly
(``image-extender render``), automation included.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from ..errors import SettingsError
from ..manifest import Manifest
from ..mix.render import Rendered, StemCache
from ..pipeline import (Extra, StageCallback, _check_library, _noop, check_out_dir, find_scene_sounds, mix_spec, plan,
                        require_a_sound, write_outputs)
from ..settings import Settings
from .frames import DEFAULT_K, file_md5, probe
from .mux import combine, mux, output_suffix, read_original
from .scene import FrameProgress, analyze_video
from .soundtrack import Retimer

MAX_SECONDS = 3600.0  # the longest soundtrack the mixer renders (Settings.duration's bound)


@dataclass(frozen=True)
class VideoOptions:
    frames_k: float = DEFAULT_K
    audio: Literal["retrieval", "generate"] = "retrieval"
    original: Literal["keep", "duck", "replace"] = "duck"
    cache_dir: Path | None = None  # analysis cache (keyed by the clip's MD5); None: no cache
    generate_url: str | None = None  # sound-generation API base URL (default: ElevenLabs)
    generate_model: Path | None = None  # local text-to-audio model folder
    generated_dir: Path | None = None  # where generated clips are kept (default <data>/cache/generated)


def _frames_quiet(done: int, total: int) -> None:
    pass


def sonify_video(video_path: Path, out_dir: Path, settings: Settings, *, options: VideoOptions = VideoOptions(),
                 overwrite: bool = False, on_stage: StageCallback = _noop,
                 on_frame: FrameProgress = _frames_quiet) -> Manifest:
    """Clip → output folder with the clip re-muxed with its soundtrack. Returns the manifest."""
    video_path = Path(video_path)
    out_dir = check_out_dir(out_dir, overwrite)
    _check_library(settings)
    if options.original not in ("keep", "duck", "replace"):
        raise SettingsError(f"--original: '{options.original}' is not one of keep, duck, replace")
    on_stage("reading the video")
    info = probe(video_path)
    if info.duration > MAX_SECONDS:
        raise SettingsError(f"{video_path}: clip is {info.duration:.0f} s long; soundtracks are rendered for "
                            f"clips up to {MAX_SECONDS:.0f} s")
    settings = settings.model_copy(update={"duration": info.duration})
    generator = None
    if options.audio == "generate":  # before the analysis: a missing key fails in a second, not a minute
        from .generate import get_generator

        generator = get_generator(url=options.generate_url, model=options.generate_model)
    usage: list[dict] = []
    on_stage("analysing sampled frames")
    video, scene = analyze_video(video_path, settings, k=options.frames_k, cache_dir=options.cache_dir,
                                 on_frame=on_frame, usage=usage)
    if generator is not None:
        from .generate import generate_choices

        on_stage(f"generating sounds ({generator.name})")
        choices = generate_choices(scene, generator, seconds=info.duration,
                                   cache_dir=options.generated_dir or settings.data_dir / "cache" / "generated")
    else:
        choices = find_scene_sounds(scene, settings, on_stage, usage)
    require_a_sound(choices, video_path, "clip")
    video = video.model_copy(update={"audio": options.audio})
    on_stage("planning the soundtrack")
    retime = Retimer(video, scene, choices, seed=settings.seed, ambience_db=settings.ambience_db)
    stems = StemCache(mix_spec(settings))  # one render per stem, shared by planning and the render
    spec, tracks, analysis = plan(scene, choices, settings, retime=retime, stems=stems)
    manifest = Manifest(scene=scene, choices=choices, mix=spec, tracks=tracks, analysis=analysis, llm_usage=usage,
                        settings=settings.public_dict(), video=video)

    return write_outputs(manifest, out_dir, base_dir=None, overwrite=overwrite, on_stage=on_stage,
                         extra=mux_step(video_path, options.original, on_stage), stems=stems)


def mux_step(video_path: Path, original: str, on_stage: StageCallback = _noop) -> Extra:
    """The ``extra`` step of ``write_outputs``: mux the rendered mix into the clip and draw
    the video timeline (also used when a video manifest is re-rendered)."""

    def write_video(folder: Path, written: Manifest, rendered: Rendered) -> None:
        from ..report.video_timeline import write_video_timeline

        assert written.video is not None
        on_stage("muxing the soundtrack into the video")
        sr = written.mix.sample_rate
        soundtrack = np.asarray(rendered.mix)  # a clip's length: a long render's file is read whole here
        own = read_original(video_path, sr, soundtrack.shape[0]) if written.video.info.audio_codec else None
        audio = combine(soundtrack, own, original, sr, written.mix.ceiling_dbfs)  # type: ignore[arg-type]
        written.video.mux = mux(video_path, audio, sr, folder / f"video{output_suffix(written.video.info.codec)}",
                                original=original if own is not None else "none")
        write_video_timeline(written, folder / "video_timeline.png")

    return write_video


def remux_step(manifest: Manifest, on_stage: StageCallback = _noop) -> Extra:
    """For ``render`` of a video manifest: mux again when the clip is still where it was
    (same MD5), with the same treatment of its own sound; else write the audio outputs
    only and say so (``video.mux`` becomes None)."""
    video = manifest.video
    assert video is not None
    clip = Path(video.info.path)
    if clip.is_file() and file_md5(clip) == video.info.md5:
        original = video.mux.original if video.mux is not None and video.mux.original != "none" else "replace"
        return mux_step(clip, original, on_stage)

    def without_clip(folder: Path, written: Manifest, rendered: Rendered) -> None:
        from ..report.video_timeline import write_video_timeline

        assert written.video is not None
        on_stage(f"clip {clip.name} not found (or changed): audio only")
        written.video.mux = None
        write_video_timeline(written, folder / "video_timeline.png")

    return without_clip
