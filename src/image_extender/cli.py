"""The command line: parses, calls the pipeline, prints. No logic of its own."""

from __future__ import annotations

import errno
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from .errors import ImageExtenderError, InputError, SettingsError, Terminated, describe_os_error

if TYPE_CHECKING:  # the settings module (pydantic-settings, ~0.1 s) loads when a command needs it, not for --help
    from .settings import Settings

app = typer.Typer(help="Sonify images: photo → stereo soundscape of real recordings.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
library_app = typer.Typer(help="Build, search and inspect the local sound library.", no_args_is_help=True)
app.add_typer(library_app, name="library")

out = Console()
err = Console(stderr=True)

ConfigOpt = Annotated[Optional[Path], typer.Option("--config", help="Settings file (default ./image-extender.toml).")]
LibraryOpt = Annotated[Optional[Path], typer.Option("--data-dir", help="Data folder holding library/ (default: $IMAGE_EXTENDER_DATA or ./data).")]


def _settings(config: Path | None = None, **overrides) -> Settings:
    from .settings import CONFIG_FILE_ENV, load_settings

    if config is not None:
        if not config.is_file():
            raise SettingsError(f"--config {config}: settings file not found")
        os.environ[CONFIG_FILE_ENV] = str(config)
    return load_settings(**overrides)


def _fail(exc: ImageExtenderError) -> None:
    err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(exc.exit_code)


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


@contextmanager
def _errors() -> Iterator[None]:
    """One line and the documented exit code for every error we expect; SIGTERM is Ctrl-C."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    except ImageExtenderError as exc:
        _fail(exc)
    except Terminated:
        err.print("terminated")
        raise typer.Exit(Terminated.exit_code) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise typer.Exit(130) from None
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM):
            raise
        _fail(describe_os_error(exc, "output"))


@contextmanager
def _stages() -> Iterator[Callable[[str], None]]:
    """A spinner that names the stage the pipeline is in."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("starting", total=None)

        def on_stage(name: str) -> None:
            progress.update(task, description=name)
            if not err.is_terminal:
                err.print(f"· {name}", highlight=False)

        yield on_stage


@contextmanager
def _bar(label: str) -> Iterator[Callable[[int, int, str], None]]:
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[item]}"), console=err, transient=True) as progress:
        task = progress.add_task(label, total=None, item="")

        def advance(done: int, total: int, item: str = "") -> None:
            progress.update(task, completed=done, total=total, item=Path(item).name if item else "")

        yield advance


# --------------------------------------------------------------------------- sonify / render


@app.command()
def sonify(
    photo: Annotated[Path, typer.Argument(help="Image file (JPEG, PNG, WebP, …).")],
    out_dir: Annotated[Optional[Path], typer.Option("-o", "--out", help="Output folder (default out/<photo name>).")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Random seed: same seed, same mix.")] = None,
    duration: Annotated[Optional[float], typer.Option(help="Length of the mix in seconds.")] = None,
    mode: Annotated[Optional[str], typer.Option(help="best: highest-scoring sounds; random: any verified sound.")] = None,
    analyzer: Annotated[Optional[str], typer.Option(help="Scene analyzer backend.")] = None,
    source: Annotated[Optional[str], typer.Option(help="Sound source: library (local) or freesound (needs FREESOUND_API_KEY).")] = None,
    verifier: Annotated[Optional[str], typer.Option(help="Candidate check: embedding (offline) or llm (needs OPENAI_API_KEY).")] = None,
    offline: Annotated[Optional[bool], typer.Option("--offline/--online", help="Online sources answer from their cache only.")] = None,
    optimize: Annotated[Optional[bool], typer.Option("--optimize/--no-optimize", help="Refine gains and EQ depths to minimise masking (~10 s).")] = None,
    dynamic_eq: Annotated[Optional[bool], typer.Option("--dynamic-eq/--no-dynamic-eq", help="Cut clashing bands only while sounds clash.")] = None,
    level_unit: Annotated[Optional[str], typer.Option("--level-unit", metavar="dbfs|lufs", help="Read level targets as active RMS dBFS or integrated LUFS (BS.1770-4).")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace the output folder if it is not empty.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Turn PHOTO into a stereo soundscape: mix.wav, stems/, sounds/, manifest.json, timeline.png, CREDITS.md, ZIP."""
    from .pipeline import sonify as run

    with _errors():
        settings = _settings(config, seed=seed, duration=duration, mode=mode, analyzer=analyzer, source=source,
                             verifier=verifier, offline=offline, optimize=optimize, dynamic_eq=dynamic_eq,
                             level_unit=level_unit)
        target = out_dir or Path("out") / photo.stem
        with _stages() as on_stage:
            manifest = run(photo, target, settings, overwrite=overwrite, on_stage=on_stage)
        _print_summary(manifest, target)


@app.command()
def render(
    manifest: Annotated[Path, typer.Argument(help="manifest.json written by sonify (may be edited).")],
    out_dir: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")],
    overwrite: Annotated[bool, typer.Option(help="Replace the output folder if it is not empty.")] = False,
) -> None:
    """Re-render a manifest exactly (same samples), e.g. after editing a gain."""
    from .pipeline import render_manifest

    with _errors():
        with _stages() as on_stage:
            result = render_manifest(manifest, out_dir, overwrite=overwrite, on_stage=on_stage)
        _print_summary(result, out_dir)


@app.command()
def video(
    clip: Annotated[Path, typer.Argument(help="Video file (mp4, mkv, webm, mov, avi, …), with or without sound.")],
    out_dir: Annotated[Optional[Path], typer.Option("-o", "--out", help="Output folder (default out/<clip name>).")] = None,
    frames_k: Annotated[float, typer.Option("--frames-k", help="Sample n = k·log10(seconds) frames (at least 4).")] = 10.0,
    audio: Annotated[str, typer.Option("--audio", metavar="retrieval|generate", help="Real recordings from the library (default) or text-to-audio generation.")] = "retrieval",
    original: Annotated[str, typer.Option("--original", metavar="keep|duck|replace", help="The clip's own sound: mixed in, lowered under the new sounds, or dropped.")] = "duck",
    generate_url: Annotated[Optional[str], typer.Option("--generate-url", help="Sound-generation API base URL (default ElevenLabs; key from ELEVENLABS_API_KEY).")] = None,
    generate_model: Annotated[Optional[Path], typer.Option("--generate-model", help="Local text-to-audio model folder (transformers/diffusers) instead of the API.")] = None,
    cache: Annotated[bool, typer.Option("--cache/--no-cache", help="Reuse the frame analysis of the same file (keyed by its MD5).")] = True,
    seed: Annotated[Optional[int], typer.Option(help="Random seed: same seed, same soundtrack.")] = None,
    analyzer: Annotated[Optional[str], typer.Option(help="Scene analyzer backend, run on every sampled frame.")] = None,
    source: Annotated[Optional[str], typer.Option(help="Sound source: library (local) or freesound.")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace the output folder if it is not empty.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Give CLIP a soundtrack of real recordings that follows the picture, muxed back into the video."""
    from .errors import SettingsError

    with _errors():
        if audio not in ("retrieval", "generate"):
            raise SettingsError(f"--audio: '{audio}' is not one of retrieval, generate")
        if original not in ("keep", "duck", "replace"):
            raise SettingsError(f"--original: '{original}' is not one of keep, duck, replace")
        if frames_k <= 0:
            raise SettingsError(f"--frames-k: must be positive, got {frames_k}")
        from .video.pipeline import VideoOptions, sonify_video

        settings = _settings(config, seed=seed, analyzer=analyzer, source=source)
        options = VideoOptions(frames_k=frames_k, audio=audio, original=original,  # type: ignore[arg-type]
                               cache_dir=settings.data_dir / "cache" / "video" if cache else None,
                               generate_url=generate_url, generate_model=generate_model)
        target = out_dir or Path("out") / clip.stem
        with _bar("frames") as advance, _stages() as on_stage:
            manifest = sonify_video(clip, target, settings, options=options, overwrite=overwrite, on_stage=on_stage,
                                    on_frame=lambda done, total: advance(done, total))
        _print_summary(manifest, target)
        if manifest.video is not None and manifest.video.mux is not None:
            mux = manifest.video.mux
            out.print(f"video with sound: {target / mux.file} ({mux.video_seconds:.2f} s, audio {mux.audio_seconds:.2f} s, "
                      f"original sound: {mux.original}); best frame {manifest.video.best.index} at "
                      f"{manifest.video.best.time:.2f} s; “{manifest.video.caption}”")


@app.command()
def analyze(
    photo: Annotated[Path, typer.Argument(help="Image file.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the Scene as JSON.")] = False,
    analyzer: Annotated[Optional[str], typer.Option(help="Scene analyzer backend.")] = None,
    config: ConfigOpt = None,
) -> None:
    """Show what the analyzer sees in PHOTO: objects, importance, ambience."""
    from .pipeline import analyze_image

    with _errors():
        settings = _settings(config, analyzer=analyzer)
        with _stages() as on_stage:
            scene = analyze_image(photo, settings, on_stage)
    if as_json:
        out.print_json(scene.model_dump_json())
        return
    table = Table(title=f"{photo.name} — {scene.image.width}×{scene.image.height}, analyzer {scene.analyzer}")
    for col in ("object", "sound query", "importance", "confidence", "pan", "count"):
        table.add_column(col)
    for obj in scene.objects:
        label = f"{obj.label} [dim](detected as {obj.detected_as})[/]" if obj.detected_as else obj.label
        table.add_row(label, obj.query, f"{obj.importance:.2f}", f"{obj.confidence:.2f}", f"{obj.bbox.pan:+.2f}", str(obj.count))
    out.print(table)
    for obj in scene.objects:
        if obj.refined_by:
            out.print(f"[dim]{obj.label}: {obj.refined_by}[/]")
    for tag in scene.ambience:
        out.print(f"ambience: [bold]{tag.label}[/] → “{tag.query}” ({', '.join(tag.evidence)})")


def _print_summary(manifest, target: Path) -> None:
    from .report.credits import licence_known

    table = Table(title=f"soundscape written to {target}/")
    for col in ("role", "label", "sound", "licence", "pan", "level"):
        table.add_column(col)
    for track in manifest.tracks:
        table.add_row(track.role, track.label, track.sound.name, track.sound.licence, f"{track.pan:+.2f}",
                      f"{track.target_db:.1f} dB")
    out.print(table)
    missing = [c for c in manifest.choices if c.sound is None]
    for choice in missing:
        out.print(f"[yellow]no sound for {choice.role} '{choice.target}':[/] {choice.verdict}")
    unlicensed = sorted({t.sound.name for t in manifest.tracks if not licence_known(t.sound)})
    if unlicensed:
        out.print(f"[yellow]no known licence for {', '.join(unlicensed)}:[/] check the rights before sharing (CREDITS.md)")
    if manifest.analysis is not None:
        a = manifest.analysis
        out.print(f"masking {a.masking_before.mix_db:.1f} → {a.masking_after.mix_db:.1f} dB with {a.eq_events} dynamic EQ cuts"
                  + (f", optimiser objective {a.optimiser.objective_before:.2f} → {a.optimiser.objective_after:.2f}" if a.optimiser else ""))
    if manifest.report is not None:
        out.print(f"peak {manifest.report.peak_dbfs:.1f} dBFS, master gain {manifest.report.master_gain_db:+.1f} dB")


# --------------------------------------------------------------------------- data & library


@app.command("setup-data")
def setup_data(data_dir: LibraryOpt = None) -> None:
    """Fetch the real photos and recordings (Debian packages) and build the starter library."""
    from .library.debian import fetch_package
    from .library.starter.build import build_starter_library
    from .sounds.wordnet import ensure_wordnet

    with _errors():
        settings = _settings(data_dir=data_dir)
        root = fetch_package("darknet", settings.data_dir)
        err.print(f"    photos: {root / 'usr/share/darknet/data'}")
        ensure_wordnet(settings.data_dir)
        err.print("    WordNet ready")
        with _bar("starter library") as advance:
            report = build_starter_library(settings.data_dir, progress=advance)
        _print_ingest(report)
        out.print("starter sources: " + ", ".join(f"{name} {n}" for name, n in report.sources.items()), highlight=False)


@library_app.command("build")
def library_build(
    folders: Annotated[list[Path], typer.Argument(help="Folders of audio (wav/ogg/mp3/flac/aiff), each with optional metadata.jsonl / metadata.csv.")],
    metadata: Annotated[Optional[Path], typer.Option(
        "--metadata", help="A CSV/TSV/JSONL table describing the files (e.g. ESC-50's meta/esc50.csv, "
        "FSD50K's dev.csv); columns such as filename/fname, category/labels, caption are understood. "
        "Without it: the folder's metadata.jsonl/.csv, else a table in it or in a meta/ folder beside it.")] = None,
    data_dir: LibraryOpt = None,
) -> None:
    """Ingest FOLDERS into the library (re-running only adds what changed)."""
    from .library.ingest import build_library
    from .library.metadata import TABLE_SUFFIXES

    with _errors():
        for folder in folders:
            if not folder.is_dir():
                raise InputError(f"{folder}: not a folder")
        if metadata is not None:
            if not metadata.is_file():
                raise InputError(f"{metadata}: no such metadata table")
            if metadata.suffix.lower() not in TABLE_SUFFIXES:
                raise InputError(f"{metadata}: a metadata table must be .csv, .tsv or .jsonl")
        settings = _settings(data_dir=data_dir)
        with _bar("ingesting") as advance:
            report = build_library(folders, settings.library_dir, progress=advance,
                                   on_wait=lambda msg: err.print(msg, highlight=False), table=metadata)
        _print_ingest(report, tables=True)


def _print_ingest(report, tables: bool = False) -> None:
    for table, rows, described in report.tables if tables else []:
        err.print(f"described by {table}: {rows} rows, {described} files matched", highlight=False, soft_wrap=True)
    out.print(f"added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
              f"removed {report.removed}, failed {len(report.failed)}")
    for path, reason in report.failed:
        err.print(f"[yellow]skipped[/] {path}: {reason}", highlight=False, soft_wrap=True)
    for where, reason in getattr(report, "metadata_problems", []):
        err.print(f"[yellow]warning[/] {where}: {reason} (line ignored)", highlight=False, soft_wrap=True)


@library_app.command("search")
def library_search(
    query: Annotated[str, typer.Argument(help="What it should sound like, e.g. 'dog barking'.")],
    limit: Annotated[int, typer.Option("-n", "--limit", min=1, max=100)] = 10,
    kind: Annotated[Optional[str], typer.Option(help="bed or one-shot")] = None,
    data_dir: LibraryOpt = None,
) -> None:
    """Print the library's best matches for QUERY with their scores."""
    from .sounds.factory import open_library

    with _errors():
        if kind not in (None, "bed", "one-shot"):
            raise SettingsError(f"--kind must be 'bed' or 'one-shot', not '{kind}'")
        lib = open_library(_settings(data_dir=data_dir))
        hits = lib.search(query, limit=limit, kind=kind)
    table = Table(title=f"library matches for “{query}”")
    for col in ("#", "score", "name", "description", "kind", "dur", "licence", "source"):
        table.add_column(col)
    for i, (sound, score) in enumerate(hits, 1):
        table.add_row(str(i), f"{score:.3f}", sound.name, sound.description[:60], sound.kind or "",
                      f"{sound.duration:.1f}s", sound.licence, sound.source)
    out.print(table)


@library_app.command("info")
def library_info(data_dir: LibraryOpt = None) -> None:
    """Counts per licence and source."""
    from .library.store import SoundLibrary

    with _errors():
        info = SoundLibrary.open(_settings(data_dir=data_dir).library_dir).info()
    for key, value in info.items():
        if isinstance(value, dict):
            table = Table(title=key)
            table.add_column(key)
            table.add_column("sounds")
            for name, count in sorted(value.items(), key=lambda kv: (-kv[1], kv[0])):
                table.add_row(str(name), str(count))
            out.print(table)
        else:
            out.print(f"{key}: {value}")


@library_app.command("coverage")
def library_coverage_cmd(
    minimum: Annotated[int, typer.Option("--min", min=1, help="Verified recordings an entry needs.")] = 3,
    show_all: Annotated[bool, typer.Option("--all", help="List every entry, not only the gaps.")] = False,
    data_dir: LibraryOpt = None,
) -> None:
    """For every thing the analyzer can name (objects, kinds of place), count the library's
    recordings the verifier accepts; list those with fewer than --min. Exit 1 when any."""
    from .analyze.vocabulary import sounding_entries
    from .library.coverage import library_coverage
    from .sounds.factory import build_finder

    with _errors():
        settings = _settings(data_dir=data_dir, source="library", verifier="embedding")
        finder = build_finder(settings)
        entries = sounding_entries()
        with _bar("checking coverage") as advance:
            report = library_coverage(entries, finder.source, finder.verifier, minimum=minimum, progress=advance,
                                          hierarchy=finder.hierarchy)
    rows = report.entries if show_all else report.gaps
    if rows:
        table = Table(title=f"vocabulary entries with fewer than {minimum} verified recordings" if not show_all
                      else "verified recordings per vocabulary entry")  # fmt: skip
        for col in ("role", "label", "verified", "queries", "best verified / nearest miss"):
            table.add_column(col)
        for e in sorted(rows, key=lambda e: (e.count, e.role, e.label)):
            hint = ", ".join(e.verified[:3]) if e.verified else e.nearest_rejected
            table.add_row(e.role, e.label, str(e.count), "; ".join(e.queries), hint[:90])
        out.print(table)
    out.print(report.summary())
    if report.gaps:
        out.print("add recordings for these (image-extender library build FOLDER, with a metadata.jsonl that "
                  "describes them) and run this again")
        raise typer.Exit(1)


# --------------------------------------------------------------------------- freesound

freesound_app = typer.Typer(help="Freesound: search filters (saved to the settings file) and test searches.",
                            no_args_is_help=True)
app.add_typer(freesound_app, name="freesound")


@freesound_app.command("filters")
def freesound_filters(
    min_rating: Annotated[Optional[str], typer.Option(metavar="0-5|any", help="Lowest average rating, e.g. 4.")] = None,
    min_downloads: Annotated[Optional[str], typer.Option(metavar="N|any", help="Fewest downloads, e.g. 500.")] = None,
    duration: Annotated[Optional[str], typer.Option(metavar="MIN-MAX|any", help="Seconds, e.g. 1-30, 10-any.")] = None,
    licence: Annotated[Optional[str], typer.Option("--licence", "--license", metavar="LIST|any", help="cc0, cc-by, cc-by-nc, sampling+ (comma-separated); cc0 for commercial use.")] = None,
    samplerate: Annotated[Optional[str], typer.Option(metavar="LIST|any", help="Hz, e.g. 44100,48000.")] = None,
    channels: Annotated[Optional[str], typer.Option(metavar="1|2|any", help="1 = mono, 2 = stereo.")] = None,
    file_type: Annotated[Optional[str], typer.Option("--type", metavar="LIST|any", help="Original file type, e.g. wav,flac.")] = None,
    sort: Annotated[Optional[str], typer.Option(metavar="rating>downloads|downloads>rating", help="Which counts first.")] = None,
    mode: Annotated[Optional[str], typer.Option(metavar="best|random", help="best: by the sort; random: seeded shuffle, no quality filters.")] = None,
    save: Annotated[bool, typer.Option("--save", help="Write them into [freesound] of the settings file (other keys kept).")] = False,
    config: ConfigOpt = None,
) -> None:
    """Show the effective Freesound filters (defaults + settings file + these flags) and the API filter they send."""
    from .settings import CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE
    from .sounds.freesound.filters import FreesoundSettings
    from .sounds.freesound.knobs import SAVED_KEYS, apply_flags, describe_settings

    flags = {"--min-rating": min_rating, "--min-downloads": min_downloads, "--duration": duration, "--licence": licence,
             "--samplerate": samplerate, "--channels": channels, "--type": file_type, "--sort": sort, "--mode": mode}
    with _errors():
        path = config or Path(os.environ.get(CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE))
        if config is not None and not config.is_file() and not save:
            raise SettingsError(f"{config}: settings file not found (add --save to create it)")
        settings = apply_flags(FreesoundSettings.load_from_toml(path), flags)
        if save:
            settings.save_to_toml(path, SAVED_KEYS)
    for line in describe_settings(settings, given={k for k, v in flags.items() if v is not None}):
        typer.echo(line)
    if save:
        typer.echo(f"saved to [freesound] in {path}")


@freesound_app.command("search")
def freesound_search(
    query: Annotated[str, typer.Argument(help="What it should sound like, e.g. 'dog barking'.")],
    limit: Annotated[int, typer.Option("-n", "--limit", min=1, max=150)] = 10,
    ambience: Annotated[bool, typer.Option("--ambience", help="Search as an ambience bed (long recordings).")] = False,
    config: ConfigOpt = None,
) -> None:
    """Search Freesound with the saved filters (needs FREESOUND_API_KEY) and show each result's verifier verdict."""
    from .sounds.factory import build_finder

    with _errors():
        settings = _settings(config, source="freesound", verifier="embedding")
        finder = build_finder(settings)
        role = "ambience" if ambience else "object"
        candidates = finder.source.search(query, role, limit)
        verdicts = finder.verifier.verify(query, candidates) if candidates else []
    table = Table(title=f"Freesound results for “{query}” ({settings.freesound.filters.describe()})")
    for col in ("id", "name", "rating", "downloads", "licence", "dur", "verdict"):
        table.add_column(col)
    for cand, verdict in zip(candidates, verdicts, strict=True):
        s = cand.sound
        table.add_row(s.id, s.name, "–" if s.rating is None else f"{s.rating:.2f}", str(s.downloads), s.licence,
                      f"{s.duration:.1f}s", ("ok " if verdict.accepted else "no ") + verdict.reason)
    out.print(table)
    if not candidates:
        out.print("no results: loosen the filters (image-extender freesound filters --min-rating any …)")


# --------------------------------------------------------------------------- dataset mode

dataset_app = typer.Typer(help="Sonify whole image collections (the Seeing Sound method): resumable, local or Ray.",
                          no_args_is_help=True)
pool_app = typer.Typer(help="The dataset audio pool: library sounds as 16 kHz mono 5 s chunks with an index.",
                       no_args_is_help=True)
app.add_typer(dataset_app, name="dataset")
app.add_typer(pool_app, name="pool")

PoolOpt = Annotated[Optional[Path], typer.Option("--pool", help="Pool folder (default <data>/pool).")]
EmbedderOpt = Annotated[str, typer.Option("--embedder", metavar="text|clap", help="Chunk embeddings: text (library descriptions) or clap (ONNX model in --clap-dir).")]
ClapOpt = Annotated[Optional[Path], typer.Option("--clap-dir", help="Folder with audio_encoder.onnx, text_encoder.onnx, tokenizer.json.")]


def _lufs_range(text: str) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in text.split(","))
    except ValueError:
        from .errors import SettingsError

        raise SettingsError(f"--lufs-range '{text}': want two numbers LOW,HIGH, e.g. -35,-20") from None
    return lo, hi


@contextmanager
def _rate_bar(label: str) -> Iterator[Callable[[int, int, str], None]]:
    """Progress with images/s and ETA (rich's own speed estimate over the last 30 s)."""
    from rich.progress import TaskProgressColumn, TimeRemainingColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                  TextColumn("{task.fields[rate]}"), TextColumn("ETA"), TimeRemainingColumn(), TimeElapsedColumn(),
                  console=err, transient=False) as progress:
        task = progress.add_task(label, total=None, rate="")

        def advance(done: int, total: int, item: str = "") -> None:
            speed = progress.tasks[0].speed
            progress.update(task, completed=done, total=total, rate=f"{speed:.1f} img/s" if speed else "")

        yield advance


@dataset_app.command("run")
def dataset_run(
    source: Annotated[Path, typer.Argument(help="Folder of images (recursive) or a text file with one path per line.")],
    out_dir: Annotated[Path, typer.Option("-o", "--out", help="Output folder (rerun the same command to resume).")],
    engine: Annotated[str, typer.Option(metavar="local|ray", help="local: worker processes; ray: Ray actors.")] = "local",
    workers: Annotated[int, typer.Option(min=1, help="Worker processes / actors, one model load each.")] = 1,
    address: Annotated[Optional[str], typer.Option(help="Ray cluster to join (e.g. auto, ray://head:10001); default starts a local Ray.")] = None,
    limit: Annotated[Optional[int], typer.Option(min=1, help="Only the first N images (sorted).")] = None,
    seed: Annotated[int, typer.Option(help="Dataset seed: picks and loudness draws depend on (seed, image MD5, concept).")] = 0,
    analyzer: Annotated[Optional[str], typer.Option(help="Scene analyzer: offline, openai or hybrid.")] = None,
    fmt: Annotated[str, typer.Option("--format", metavar="pool|mix", help="pool: 16 kHz mono 5 s sum of chunks; mix: the full stereo pipeline (as sonify).")] = "pool",
    lufs_range: Annotated[str, typer.Option("--lufs-range", metavar="LOW,HIGH", help="Each chunk's loudness is drawn uniformly from this range (LUFS).")] = "-35,-20",
    ssr: Annotated[bool, typer.Option("--ssr/--no-ssr", help="Signed square root on similarities before the threshold.")] = True,
    top_k: Annotated[int, typer.Option("--top-k", min=1, help="τ = mean of the top-k scores.")] = 10,
    verify: Annotated[bool, typer.Option("--verify/--no-verify", help="Draw only among chunks whose recording the finder accepts for the concept (--no-verify: the method as published).")] = True,
    pool: PoolOpt = None,
    embedder: Annotated[Optional[str], typer.Option("--embedder", metavar="text|clap", help="Pool embeddings when the pool is (re)built (default: the pool's own, text for a new one).")] = None,
    clap_dir: ClapOpt = None,
    overwrite: Annotated[bool, typer.Option(help="Start again in a folder that holds another dataset.")] = False,
    data_dir: LibraryOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Sonify every image of SOURCE into OUT: audio/<md5>.flac, metadata.jsonl, dataset.parquet."""
    from .dataset import get_engine, run_dataset
    from .dataset.embedders import make_pool_embedder

    with _errors():
        settings = _settings(config, analyzer=analyzer, data_dir=data_dir)
        chosen = get_engine(engine, workers, address)
        with _bar("building audio pool") as pool_progress, _rate_bar("images") as progress:
            summary = run_dataset(source, out_dir, settings, chosen, fmt=fmt, seed=seed, lufs_range=_lufs_range(lufs_range),
                                  ssr=ssr, top_k=top_k, verify=verify, limit=limit, pool_dir=pool,
                                  embedder=make_pool_embedder(embedder, clap_dir) if embedder else None,
                                  overwrite=overwrite,
                                  progress=progress, pool_progress=pool_progress)
    if summary.pool_build is not None:
        out.print(f"pool built: {summary.pool_build.summary()}")
    c = summary.counts
    out.print(f"{summary.processed} images in {summary.seconds:.1f} s ({summary.images_per_second:.2f} img/s, "
              f"{chosen.name} × {chosen.workers}); {summary.already_done} were already done. "
              f"Folder: {c.get('ok', 0)} ok, {c.get('skipped', 0)} skipped, {c.get('failed', 0)} failed → {out_dir}/")


@dataset_app.command("report")
def dataset_report(
    out_dir: Annotated[Path, typer.Argument(help="A dataset folder written by 'dataset run'.")],
    compare: Annotated[Optional[Path], typer.Option("--compare", help="A second dataset folder (e.g. made with --no-ssr).")] = None,
    show: Annotated[int, typer.Option("--show", min=0, help="Skipped / failed images to list.")] = 20,
) -> None:
    """Counts, failures, time and sound diversity of a dataset; --compare puts two side by side."""
    from .dataset.report import comparison, summarize

    with _errors():
        rep = summarize(out_dir)
        other = summarize(compare) if compare is not None else None
    c = rep.counts
    out.print(f"{out_dir}: {sum(c.values())} images: {c['ok']} ok, {c['skipped']} skipped, {c['failed']} failed"
              + (f"; {rep.elapsed_s:.1f} s of work" if rep.elapsed_s is not None else ""))
    out.print(f"{rep.picks} picks of {rep.distinct_chunks} distinct chunks from {rep.distinct_sounds} recordings: "
              f"diversity {rep.diversity:.3f}; {rep.mean_concepts:.2f} concepts per image"
              + (f", {rep.mean_candidates:.1f} candidates above τ per concept" if rep.mean_candidates is not None else "")
              + f"; clip guard used on {rep.clipped} images")
    table = Table(title="most reused chunks")
    for col in ("sound", "chunk", "uses", "share"):
        table.add_column(col)
    for sound, chunk, uses, share in rep.top_chunks:
        table.add_row(sound, str(chunk), str(uses), f"{share:.1%}")
    out.print(table)
    for status, image, reason in rep.reasons[:show]:
        out.print(f"[yellow]{status}[/] {image}: {reason}", highlight=False)
    if len(rep.reasons) > show:
        out.print(f"… and {len(rep.reasons) - show} more")
    if other is not None:
        table = Table(title="comparison")
        for col in ("", str(out_dir), str(compare)):
            table.add_column(col)
        for name, a, b in comparison(rep, other):
            table.add_row(name, a, b)
        out.print(table)


@pool_app.command("build")
def pool_build(
    pool: PoolOpt = None,
    embedder: EmbedderOpt = "text",
    clap_dir: ClapOpt = None,
    index: Annotated[str, typer.Option(metavar="auto|flat|ivf|hnsw", help="auto: exact below 100 k chunks, IVF above.")] = "auto",
    data_dir: LibraryOpt = None,
) -> None:
    """Chunk every library sound (16 kHz mono 5 s), measure and embed each chunk, build the index."""
    from .dataset.embedders import make_pool_embedder
    from .dataset.pool import build_pool
    from .dataset.run import default_pool_dir
    from .library.store import SoundLibrary

    with _errors():
        settings = _settings(data_dir=data_dir)
        chosen = make_pool_embedder(embedder, clap_dir)
        if index not in ("auto", "flat", "ivf", "hnsw"):
            from .errors import SettingsError

            raise SettingsError(f"--index must be auto, flat, ivf or hnsw, not '{index}'")
        with SoundLibrary.open(settings.library_dir) as library, _bar("chunking") as advance:
            report = build_pool(library, pool or default_pool_dir(settings), chosen, index_kind=index, progress=advance)
    out.print(report.summary())
    for sound, reason in report.failed:
        err.print(f"[yellow]skipped[/] {sound}: {reason}", highlight=False)


@app.command()
def ui(
    host: Annotated[str, typer.Option(help="Interface to listen on (0.0.0.0 exposes it to the network).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7860,
    root: Annotated[Optional[Path], typer.Option(help="Folder for per-session files (default <data>/ui-sessions).")] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Soundscapes made at once; others wait in the queue "
                                                "(mixing-desk changes never wait behind them).")] = 2,
    max_upload_mb: Annotated[float, typer.Option(min=0.1, help="Largest photo accepted, in MB.")] = 20.0,
    long_mix: Annotated[float, typer.Option(min=1.0, help="Mixes longer than this (seconds) never take the last free "
                                            "slot, so short ones do not wait behind them.")] = 60.0,
    session_ttl: Annotated[float, typer.Option(min=1.0, help="Minutes an idle session keeps its files.")] = 360.0,
    max_session_mb: Annotated[float, typer.Option(min=1.0, help="Disk a session's runs may use; its oldest runs "
                                                  "are removed before a new one starts.")] = 200.0,
    allow_settings_file: Annotated[bool, typer.Option(
        help="Let visitors write search filters into this server's settings file (off: only their browser).")] = False,
    config: ConfigOpt = None,
) -> None:
    """Start the web UI on http://HOST:PORT (same pipeline as sonify, one folder per browser session)."""
    with _errors():
        _settings(config)  # fail here, with one line, on a broken settings file
        from .ui.app import UIOptions, serve

        err.print(f"Image Extender UI on http://{host}:{port}/ (Ctrl+C to stop)", highlight=False)
        serve(host, port, UIOptions(root=root, concurrency=concurrency, max_upload_mb=max_upload_mb, long_mix_s=long_mix,
                                    session_ttl=session_ttl * 60.0, allow_settings_file=allow_settings_file,
                                    max_session_mb=max_session_mb))


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
