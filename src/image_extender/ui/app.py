"""The web UI: a Gradio Blocks page around :func:`image_extender.pipeline.sonify`.

No second implementation: the page collects settings, calls the same ``sonify`` the CLI
calls (one run = one fresh folder inside this browser's session folder) and shows what it
wrote. Everything that is about *who may see which file* lives in :mod:`.sessions` and
:mod:`.guard`; drawing the boxes lives in :mod:`.boxes`.

Served as a FastAPI app with Gradio mounted at ``/`` so the session guard can sit in front
of Gradio's file route. Gradio's cache folder (``GRADIO_TEMP_DIR``) is the UI root, and the
session folders live inside it, so result files are served in place (never copied into a
shared cache) and only through the guard.
"""

# No `from __future__ import annotations` here: Gradio finds gr.Request parameters via typing.get_type_hints,
# which cannot resolve string annotations that name a locally imported module.

import html
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from ..errors import ImageExtenderError, SettingsError
from ..manifest import Manifest
from ..settings import CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE, Settings, load_settings
from .desk_page import Desk, earlier_runs, error_line, load_folder, new_desk, plural, present, strip_widgets, \
    summary, token_of, write_meta
from .lanes import Lanes, QueueFull, progress_waiting
from .playhead import PLAYHEAD_JS
from .sessions import SESSION_COOKIE, SessionStore, sanitize_filename

log = logging.getLogger(__name__)

ANY = "any"
STAGES = ("reading image", "loading scene models", "analysing scene", "opening sound library",
          "finding sounds", "planning the mix", "rendering the mix", "writing files")
"""The pipeline's stage names in order (``pipeline.sonify`` reports them via ``on_stage``);
an unknown name still advances the bar, it just cannot say how far along it is."""

SORT_LABELS = {"rating>downloads": "Rating > Downloads", "downloads>rating": "Downloads > Rating"}
RATING_CHOICES = [ANY, "2.5", "3", "3.5", "4", "4.5"]
DOWNLOAD_CHOICES = [ANY, "10", "50", "200", "500", "1000", "5000"]
DURATION_CHOICES = [ANY, "0.5", "1", "2", "5", "10", "30", "60", "120"]
SAMPLE_RATE_CHOICES = ["22050", "44100", "48000", "96000"]
CHANNEL_CHOICES = [ANY, "1", "2"]
PREFS_KEY = "image-extender-prefs"
AUDIO_BUTTONS = ["download"]  # no "share": it posts to Hugging Face, and the files are private to the session
IMAGE_BUTTONS = ["download", "fullscreen"]
LEVEL_FIELDS = ("object_db_min", "object_db_max", "ambience_db", "ceiling_dbfs", "level_unit", "dynamic_eq", "optimize")
SERVER_PATH_SETTINGS = ("data_dir", "hierarchy_file")
# the page's own touches: the Make button stays in view on a laptop screen, image buttons never
# sit on a label, and a phone stacks the desk's controls instead of squeezing them
PAGE_CSS = """
#boxes .icon-button-wrapper, #timeline .icon-button-wrapper { top: auto; bottom: 6px; }
#run-status:empty { display: none; }
.progress-text { display: none; }  /* Gradio's timer promises the average run; the wait is said in words */
#run-status { font-size: 1.05em; }
.track .strip, .track .swap { gap: 8px; }
@media (max-width: 640px) {
  .track .strip, .track .swap { flex-wrap: wrap; }
  .icon-button-wrapper { position: static !important; justify-content: flex-end; }
  #photo .icon-button-wrapper { position: absolute !important; }  /* over the upload, clear of its label */
}
"""


@dataclass
class UIOptions:
    """Server-side knobs of the UI (none of them can be set from the browser)."""

    root: Path | None = None  # default: <data_dir>/ui-sessions
    max_upload_mb: float = 20.0
    session_ttl: float = 6 * 3600.0  # seconds a session may stay idle before its files go
    concurrency: int = 1  # pipeline runs at once (each uses a core or two); see .lanes
    long_mix_s: float = 60.0  # mixes longer than this may not take the last free slot (.lanes)
    max_queue: int = 20
    examples: list[Path] = field(default_factory=list)  # default: darknet's photos when present
    settings_overrides: dict[str, Any] = field(default_factory=dict)
    allow_settings_file: bool = False  # may a visitor write the server's settings file? (server flag)
    max_session_mb: float = 200.0  # a session's runs beyond this are removed, oldest first


# --------------------------------------------------------------------------- choices


def analyzer_choices() -> list[str]:
    """Analyzers the settings accept *and* that are registered (read at run time)."""
    from ..analyze import ANALYZERS

    return [a for a in get_args(Settings.model_fields["analyzer"].annotation) if a in ANALYZERS]


def source_choices() -> list[str]:
    """Sound sources the settings accept and the retrieval factory can build.

    The factory opens the local library only, unless it registers more in a ``SOURCES``
    mapping; names the settings allow but nothing builds are not offered.
    """
    from ..sounds import factory

    built = set(getattr(factory, "SOURCES", None) or ("library",))
    return [s for s in get_args(Settings.model_fields["source"].annotation) if s in built]


def _literal_values(model, name: str) -> list[str]:
    args = get_args(model.model_fields[name].annotation)
    values: list[str] = []
    for arg in args:  # Literal[...] | list[Literal[...]] | Literal["any"]
        inner = get_args(arg) or (arg,)
        for item in inner:
            values.extend(get_args(item) or [item])
    return [str(v) for v in values if isinstance(v, str) and v != ANY]


def default_examples(settings: Settings) -> list[Path]:
    folder = settings.data_dir / "debian" / "darknet" / "usr" / "share" / "darknet" / "data"
    return sorted(folder.glob("*.jpg")) if folder.is_dir() else []


# --------------------------------------------------------------------------- settings from the page


def _any_or(value: Any, cast: Callable[[str], Any], what: str) -> Any:
    if value is None or str(value).strip().lower() in ("", ANY):
        return ANY
    try:
        return cast(str(value).strip())
    except ValueError:
        raise SettingsError(f"filter '{what}': '{value}' is not a number or 'any'") from None


def filters_from_page(min_rating, min_downloads, min_duration, max_duration, licences, sample_rates,
                      channels, file_types) -> dict[str, Any]:
    """The page's filter widgets → a ``FreesoundFilters`` dict ("any" for no constraint), validated."""
    from ..sounds.freesound.filters import FreesoundFilters

    raw = {
        "min_rating": _any_or(min_rating, float, "min_rating"),
        "min_downloads": _any_or(min_downloads, lambda s: int(float(s)), "min_downloads"),
        "min_duration": _any_or(min_duration, float, "min_duration"),
        "max_duration": _any_or(max_duration, float, "max_duration"),
        "licences": list(licences) if licences else ANY,
        "sample_rates": [int(r) for r in sample_rates] if sample_rates else ANY,
        "channels": _any_or(channels, int, "channels"),
        "file_types": list(file_types) if file_types else ANY,
    }
    try:
        return FreesoundFilters.model_validate(raw).model_dump(mode="json")
    except ValueError as exc:
        first = exc.errors()[0] if hasattr(exc, "errors") else {"msg": str(exc), "loc": ()}
        where = ".".join(str(p) for p in first.get("loc", ())) or "filters"
        raise SettingsError(f"filter '{where}': {first['msg']}") from None


def check_seed(seed: Any) -> int | None:
    """The form's seed as an int ≥ 0 (NumPy's generators take no negative seed), or a one-line error."""
    if seed is None or str(seed).strip() == "":
        return None
    try:
        value = float(seed)
    except (TypeError, ValueError):
        raise SettingsError(f"seed: '{seed}' is not a whole number") from None
    if not value.is_integer() or value < 0:
        raise SettingsError(f"seed: {seed:g} is not allowed; use a whole number from 0 up (same seed, same mix)")
    return int(value)


def run_settings(base: dict[str, Any], *, analyzer: str, source: str, mode: str, sort: str, duration: float,
                 seed: float | None, filters: dict[str, Any], levels: dict[str, Any] | None = None) -> Settings:
    """Server settings (file, env) with this page's choices on top; validated like the CLI's flags."""
    settings = load_settings(**base, **(levels or {}), analyzer=analyzer, source=source, mode=mode,
                             duration=duration, seed=check_seed(seed))
    try:
        settings.freesound = settings.freesound.model_validate(
            {**settings.freesound.model_dump(), "filters": filters, "sort": sort})
    except ValueError as exc:
        raise SettingsError(f"setting 'freesound': {str(exc).splitlines()[0]}") from None
    return settings


def settings_file() -> Path:
    return Path(os.environ.get(CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE))


def write_filters_to_file(path: Path, filters: dict[str, Any], sort: str) -> None:
    """Write ``[freesound] sort`` and ``[freesound.filters]`` into the settings file, keeping the rest.

    tomlkit keeps the user's comments and layout; the result is re-read through the
    settings loader so a file that would no longer load is never left behind.
    """
    import tomlkit

    doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.is_file() else tomlkit.document()
    section = doc.get("freesound")
    if section is None:
        section = tomlkit.table()
        doc["freesound"] = section
    section["sort"] = sort
    table = tomlkit.table()
    for key, value in filters.items():
        table[key] = value
    section["filters"] = table
    text = tomlkit.dumps(doc)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    previous = os.environ.get(CONFIG_FILE_ENV)
    os.environ[CONFIG_FILE_ENV] = str(tmp)
    try:
        load_settings()
    except ImageExtenderError:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if previous is None:
            os.environ.pop(CONFIG_FILE_ENV, None)
        else:
            os.environ[CONFIG_FILE_ENV] = previous
    tmp.replace(path)


# --------------------------------------------------------------------------- presenting a manifest


def _md(text: str) -> str:
    """Escape text from sound metadata before it goes into Markdown."""
    return html.escape(str(text), quote=False).replace("*", "\\*").replace("_", "\\_").replace("`", "\\`")


def ambience_markdown(manifest) -> str:
    tags = manifest.scene.ambience
    if not tags:
        return "*No ambience tag: the scene gave no hint of a place.*"
    lines = []
    for tag in tags:
        evidence = f" — from {_md(', '.join(tag.evidence))}" if tag.evidence else ""
        lines.append(f"- **{_md(tag.label)}** (sounds like “{_md(tag.query)}”, confidence {tag.confidence:.2f}){evidence}")
    return "\n".join(lines)


def readable_trail(steps: list) -> list:
    """The trail as a reader wants it: a "candidate" step followed by the verdict on the same
    sound is said once (by the verdict), and a step repeated word for word is listed once."""
    out, seen = [], set()
    for k, step in enumerate(steps):
        after = steps[k + 1] if k + 1 < len(steps) else None
        if (step.action == "candidate" and after is not None and after.sound_id == step.sound_id
                and after.action in ("accept", "reject")):
            continue
        key = (step.action, step.query, step.detail, step.sound_id)
        if key not in seen:
            seen.add(key)
            out.append(step)
    return out


def sound_cards(manifest, out_dir: Path) -> list[dict[str, Any]]:
    """One entry per track: what the page shows next to its player (JSON-able, for gr.State)."""
    cards = []
    for track in manifest.tracks:
        sound = track.sound
        choice = manifest.choices[track.choice_index] if track.choice_index < len(manifest.choices) else None
        trail = [f"{i}. **{step.action}** “{_md(step.query)}”"
                 + (f" — {_md(step.detail)}" if step.detail else "")
                 + (f" (score {step.score:.2f})" if step.score is not None else "")
                 for i, step in enumerate(readable_trail(choice.trail if choice else []), 1)]
        cards.append({
            "label": track.label,
            "role": track.role,
            "title": f"{_md(track.label)} · {track.role}",
            "path": str(out_dir / sound.path),
            "about": (f"**{_md(sound.name)}** by {_md(sound.author or 'unknown author')} · licence "
                      + (f"[{_md(sound.licence)}]({sound.licence_url})" if sound.licence_url else _md(sound.licence))
                      + (f" · from {_md(sound.source)}" if sound.source else "")
                      + f" · {sound.duration:.1f} s, pan {track.pan:+.2f}, level {track.target_db:.1f} dB"),
            "why": ((f"**Why:** {_md(choice.verdict)}" if choice and choice.verdict else "")
                    + (f" (query “{_md(choice.query)}”"
                       + (f", score {choice.score:.2f}" if choice.score is not None else "") + ")" if choice else "")
                    + ("\n\n" + "\n".join(trail) if trail else "")),
        })
    return cards


def missing_markdown(manifest) -> str:
    missing = [c for c in manifest.choices if c.sound is None]
    return "\n".join(f"- no sound for {c.role} **{_md(c.target)}**: {_md(c.verdict)}" for c in missing)


def scrub_server_paths(out_dir: Path, manifest: Manifest) -> Manifest:
    """Take the server's folders out of a finished run's manifest (and so out of its ZIP).

    ``settings`` records ``data_dir`` (and a hierarchy file) as server paths; a visitor
    downloading the bundle should not learn them. The manifest is rewritten and the ZIP
    built again from the same folder (same bytes otherwise: ``write_bundle`` is deterministic).
    """
    from ..pipeline import BUNDLE_NAME
    from ..report.bundle import write_bundle

    settings = dict(manifest.settings)
    changed = False
    for key in SERVER_PATH_SETTINGS:
        if settings.get(key):
            settings[key] = "<server>"
            changed = True
    if not changed:
        return manifest
    manifest = manifest.model_copy(update={"settings": settings})
    manifest.save(out_dir / "manifest.json")
    (out_dir / BUNDLE_NAME).unlink(missing_ok=True)
    write_bundle(out_dir, out_dir / BUNDLE_NAME)
    return manifest


def public_message(exc: BaseException, replacements: dict[str, str]) -> str:
    """The one-line error with server paths swapped for what the user knows (their file name)."""
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    for old, new in sorted(replacements.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(old, new)
    return text


# --------------------------------------------------------------------------- the page


def build_blocks(store: SessionStore, options: UIOptions):
    import gradio as gr

    base = load_settings(**options.settings_overrides)
    fs = base.freesound
    flt = fs.filters
    from ..sounds.freesound.filters import FreesoundFilters, FreesoundSettings

    licence_choices = _literal_values(FreesoundFilters, "licences")
    type_choices = _literal_values(FreesoundFilters, "file_types")
    sort_choices = [(SORT_LABELS.get(s, s), s) for s in get_args(FreesoundSettings.model_fields["sort"].annotation)]
    examples = options.examples or default_examples(base)

    def as_choice(value) -> str:
        return ANY if value == ANY else (str(int(value)) if float(value).is_integer() else str(value))

    def tolerant(preprocess):
        """gr.Image's preprocess decodes the upload and would fail with a raw Pillow error (and a
        server path) on a file that is not an image; hand such a file to the pipeline instead,
        whose loader says what is wrong in one line. (Wrapped on the instance: subclassing a
        Gradio component makes Gradio write a .pyi stub next to this module.)"""

        def wrapped(payload):
            # the upload as sent, under its own name: Gradio's re-encoding renamed "x.jpg" to
            # "image.jpeg" and refused phone-camera sizes; ui/photo.py prepares the copy instead
            return None if payload is None else payload.path

        return wrapped

    desk = Desk(store, None)
    lanes = Lanes(options.concurrency, long_after=options.long_mix_s, max_waiting=options.max_queue)
    level_defaults = {k: getattr(base, k) for k in LEVEL_FIELDS}

    with gr.Blocks(title="Image Extender", delete_cache=(max(60, int(options.session_ttl // 4)), int(options.session_ttl)),
                   analytics_enabled=False) as demo:
        gr.Markdown("# Image Extender\nTurn a photo into a stereo soundscape of real recordings: "
                    "what is in the picture is heard where it is in the picture.")
        prefs = gr.BrowserState(None, storage_key=PREFS_KEY)
        cards_state = gr.State([])
        desk_state = gr.State(None)
        gone = gr.State(False)  # set by the timer when another tab deleted this session's files
        with gr.Row():
            with gr.Column(scale=1, min_width=320):
                photo = gr.Image(type="filepath", sources=["upload", "clipboard"], label="Photo",
                                 elem_id="photo", height=280)
                photo.preprocess = tolerant(photo.preprocess)
                run = gr.Button("Make the soundscape", variant="primary", elem_id="generate")
                run_status = gr.Markdown(elem_id="run-status")
                if examples:
                    gr.Examples([[str(p)] for p in examples], inputs=[photo], label="Example photos",
                                examples_per_page=12)
                with gr.Accordion("Settings", open=False):
                    analyzer = gr.Dropdown(analyzer_choices(), value=base.analyzer, label="Scene analyzer",
                                           elem_id="analyzer")
                    source = gr.Dropdown(source_choices(), value=base.source, label="Sound source", elem_id="source")
                    mode = gr.Radio(list(get_args(Settings.model_fields["mode"].annotation)), value=base.mode,
                                    label="Mode", info="best: highest-scoring sounds; random: any verified sound")
                    duration = gr.Slider(5, 300, value=min(max(base.duration, 5), 300), step=1,
                                         label="Duration (seconds)", elem_id="duration")
                    seed = gr.Number(value=base.seed, precision=0, label="Seed (same seed, same mix)", elem_id="seed")
                with gr.Accordion("Levels and mix engineer", open=False):
                    gr.Markdown("Apply to the next run, or to the current one with **Re-mix** (no new analysis).")
                    with gr.Row():
                        obj_min = gr.Number(base.object_db_min, label="Least important object (dB)", elem_id="obj-min")
                        obj_max = gr.Number(base.object_db_max, label="Most important object (dB)", elem_id="obj-max")
                    with gr.Row():
                        amb_db = gr.Number(base.ambience_db, label="Ambience bed (dB)", elem_id="amb-db")
                        ceiling = gr.Number(base.ceiling_dbfs, label="Ceiling (dBTP)", elem_id="ceiling", maximum=0)
                    unit = gr.Radio(["dbfs", "lufs"], value=base.level_unit, label="Levels in",
                                    info="dbfs: active RMS dBFS; lufs: integrated loudness (BS.1770)")
                    dyneq = gr.Checkbox(base.dynamic_eq, label="Dynamic EQ (cut maskers only while they clash)",
                                        elem_id="dyneq")
                    optimise = gr.Checkbox(base.optimize, label="Optimise gains and EQ (slower)", elem_id="optimise")
                with gr.Accordion("Search filters", open=False):
                    gr.Markdown("Filters for online sound sources (Freesound); “any” means no constraint, "
                                "and no box ticked means any.")
                    sort = gr.Radio(sort_choices, value=fs.sort, label="Sort preference")
                    min_rating = gr.Dropdown(RATING_CHOICES, value=as_choice(flt.min_rating), label="Minimum rating",
                                             allow_custom_value=True)
                    min_downloads = gr.Dropdown(DOWNLOAD_CHOICES, value=as_choice(flt.min_downloads),
                                                label="Minimum downloads", allow_custom_value=True)
                    with gr.Row():
                        min_duration = gr.Dropdown(DURATION_CHOICES, value=as_choice(flt.min_duration),
                                                   label="Min length (s)", allow_custom_value=True)
                        max_duration = gr.Dropdown(DURATION_CHOICES, value=as_choice(flt.max_duration),
                                                   label="Max length (s)", allow_custom_value=True)
                    licences = gr.CheckboxGroup(licence_choices, value=[] if flt.licences == ANY else flt.licences,
                                                label="Licences")
                    sample_rates = gr.CheckboxGroup(SAMPLE_RATE_CHOICES,
                                                    value=[] if flt.sample_rates == ANY else [str(r) for r in flt.sample_rates],
                                                    label="Sample rates (Hz)")
                    channels = gr.Dropdown(CHANNEL_CHOICES, value=as_choice(flt.channels), label="Channels")
                    file_types = gr.CheckboxGroup(type_choices, value=[] if flt.file_types == ANY else flt.file_types,
                                                  label="File types")
                    # only the person running the server may change its settings file (`ui --allow-settings-file`)
                    to_file = gr.Checkbox(False, label=f"Also write them to the settings file ({settings_file().name})",
                                          visible=options.allow_settings_file, elem_id="to-file")
                    save = gr.Button("Save filters for next runs", size="sm")
                    saved_note = gr.Markdown()
                runs = gr.Dropdown([], value=None, label="This session's earlier runs", elem_id="runs",
                                   interactive=True)
                delete = gr.Button("Delete my files", variant="stop", elem_id="delete", size="sm")
            with gr.Column(scale=2, min_width=320):
                status = gr.Markdown("Upload a photo (or pick an example) and press **Make the soundscape**.",
                                     elem_id="status")
                gr.Markdown("#### What was seen (box thickness = importance)")
                boxes = gr.Image(show_label=False, interactive=False, elem_id="boxes", type="filepath", height=420,
                                 buttons=IMAGE_BUTTONS)
                ambience = gr.Markdown(elem_id="ambience")
                mix = gr.Audio(label="The mix", interactive=False, type="filepath", elem_id="mix", buttons=AUDIO_BUTTONS)
                with gr.Row():
                    download = gr.DownloadButton("Download the bundle (ZIP)", visible=False, elem_id="download")
                    remix = gr.Button("Re-mix with the level settings (no re-analysis)", elem_id="remix", size="sm",
                                      visible=False)
                gr.Markdown("### Mixing desk: every sound in the mix")
                missing = gr.Markdown(elem_id="missing")

                @gr.render(inputs=cards_state)
                def _sounds(cards):
                    for i, card in enumerate(cards or []):
                        with gr.Group(elem_classes=["track"]):
                            gr.Markdown(f"#### {card['title']}\n{card['about']}")
                            gr.Audio(card["path"], label=f"{card['label']} ({card['role']}) {card.get('heard', 'as placed in the mix')}",
                                     interactive=False,
                                     type="filepath", elem_id=f"sound-{i}", elem_classes=["source-sound"],
                                     buttons=AUDIO_BUTTONS)
                            gain, pan, mute, solo, query, find, swap = strip_widgets(gr, i, card)
                            for widget, key in ((gain, "gain_db"), (pan, "pan"), (mute, "mute"), (solo, "solo")):
                                # a drag sends many values: only the last pending one is rendered
                                widget.input(
                                    _strip_setter(i, key), inputs=[desk_state, widget], outputs=live_outputs,
                                    concurrency_limit=None, concurrency_id="desk", trigger_mode="always_last",
                                    show_progress="hidden",
                                ).then(take, inputs=[desk_state], outputs=take_outputs, concurrency_id="desk-take",
                                       show_progress="hidden")
                            find.click(_finder(i), inputs=[desk_state, query, *level_inputs], outputs=[desk_state,
                                       cards_state, status], concurrency_id="desk-take")
                            swap.input(_swapper(i), inputs=[desk_state, swap], outputs=live_outputs,
                                       concurrency_id="desk").then(take, inputs=[desk_state], outputs=take_outputs,
                                                                   concurrency_id="desk-take")
                            with gr.Accordion("Why this sound", open=False):
                                gr.Markdown(card["why"] or "*no trail recorded*")

                gr.Markdown("#### Timeline")
                timeline = gr.Image(show_label=False, interactive=False, type="filepath", elem_id="timeline",
                                    buttons=IMAGE_BUTTONS)
                credits = gr.Markdown(elem_id="credits")
                with gr.Accordion("Manifest (JSON)", open=False):
                    manifest_json = gr.JSON(elem_id="manifest")
                watch = gr.Timer(5.0)

        filter_inputs = [min_rating, min_downloads, min_duration, max_duration, licences, sample_rates, channels,
                         file_types]
        level_inputs = [obj_min, obj_max, amb_db, ceiling, unit, dyneq, optimise]
        outputs = [status, run_status, boxes, ambience, mix, download, cards_state, missing, timeline, credits,
                   manifest_json, desk_state, remix, runs]
        live_outputs = [desk_state, mix, run_status]
        take_outputs = [desk_state, download, cards_state, timeline, credits, manifest_json, status]

        def levels_from_page(o_min, o_max, a_db, ceil, unit_name, eq_on, opt_on) -> dict[str, Any]:
            values = {"object_db_min": o_min, "object_db_max": o_max, "ambience_db": a_db, "ceiling_dbfs": ceil,
                      "level_unit": unit_name, "dynamic_eq": bool(eq_on), "optimize": bool(opt_on)}
            return {k: v for k, v in values.items() if v is not None}

        def cleared(message: str, *, boxes_png: str | None = None, ambience_md: str = "") -> list:
            # the same words next to the button the user just pressed (the status line may be off-screen)
            return [message, message, boxes_png, ambience_md, None, gr.DownloadButton(value=None, visible=False), [], "",
                    None, "", None, None, gr.Button(visible=False), gr.skip()]

        def shown_run(desk_value: dict, message: str, token: str) -> list:
            view = present(desk_value, message)
            run_dir = Path(desk_value["run"])
            boxes_png = run_dir / "boxes.png"
            return [message, message if message.startswith("**Error") else "Ready: listen on the right, "
                    "shape it on the mixing desk.",
                    str(boxes_png) if boxes_png.is_file() else None, ambience_markdown(view["ambience"]),
                    view["mix"], gr.DownloadButton(value=view["download"], visible=True), view["cards"],
                    missing_markdown(view["ambience"]), view["timeline"], view["credits"], view["manifest"],
                    desk_value, gr.Button(visible=True),
                    gr.Dropdown(choices=earlier_runs(store, token), value=run_dir.name)]

        def generate(photo_path, analyzer_name, source_name, mode_name, sort_name, seconds, seed_value,
                     f_rating, f_downloads, f_min_len, f_max_len, f_licences, f_rates, f_channels, f_types,
                     o_min, o_max, a_db, ceil, unit_name, eq_on, opt_on,
                     request: gr.Request, progress=gr.Progress()):
            # explicit parameters, no *args: Gradio inserts `request`/`progress` by position
            token = request.cookies.get(SESSION_COOKIE) if request is not None else None
            if not store.valid_token(token):
                return cleared("**Error:** this page needs cookies enabled to keep your files apart from others'.")
            if not photo_path:
                return cleared("**Error:** no photo yet: upload one (or pick an example). "
                               f"Files over {options.max_upload_mb:g} MB are refused by the upload.")
            if not Path(photo_path).is_file() or not store.may_read(token, photo_path):
                return cleared("**Error:** your files were deleted (perhaps from another tab), and the photo with "
                               "them: upload it again.")
            try:
                check_seed(seed_value)
            except ImageExtenderError as exc:
                return cleared(f"**Error:** {_md(str(exc))}")
            shown = sanitize_filename(Path(photo_path).name)
            try:
                with lanes.slot(seconds, on_wait=progress_waiting(progress)) as ticket:
                    return make(photo_path, shown, token, ticket, analyzer_name, source_name, mode_name, sort_name,
                                seconds, seed_value, f_rating, f_downloads, f_min_len, f_max_len, f_licences,
                                f_rates, f_channels, f_types, o_min, o_max, a_db, ceil, unit_name, eq_on, opt_on,
                                progress)
            except QueueFull:
                return cleared(f"**Busy:** {options.max_queue} soundscapes are already waiting on this server; "
                               "try again in a few minutes.")

        def make(photo_path, shown, token, ticket, analyzer_name, source_name, mode_name, sort_name, seconds,
                 seed_value, f_rating, f_downloads, f_min_len, f_max_len, f_licences, f_rates, f_channels, f_types,
                 o_min, o_max, a_db, ceil, unit_name, eq_on, opt_on, progress) -> list:
            """One run in its slot: a fresh folder, the pipeline, the desk on the result."""
            ticket.counts = False  # until the pipeline has run through (early failures teach nothing)
            store.cap(token, int(options.max_session_mb * 1024 * 1024))
            run_dir = store.new_run(token)
            out_dir = run_dir / "out"
            replacements = {str(run_dir / f"photo-{shown}"): shown, str(run_dir) + os.sep: "",
                            str(store.root): "<server>"}
            done: list[str] = []
            seen: list = []

            def on_stage(name: str) -> None:
                done.append(name)
                step = STAGES.index(name) if name in STAGES else len(done) - 1
                progress((step, len(STAGES)), desc=name)

            def on_scene(scene):
                # the manifest (and ZIP) name the photo as the user named it, never its server path
                scene = scene.model_copy(update={"image": scene.image.model_copy(update={"path": shown})})
                seen.append(scene)
                return scene

            from ..pipeline import sonify
            from .boxes import save_boxes
            from .photo import prepare_photo

            photo_copy = run_dir / f"photo-{shown}"
            try:
                settings = run_settings(options.settings_overrides, analyzer=analyzer_name, source=source_name,
                                        mode=mode_name, sort=sort_name, duration=seconds, seed=seed_value,
                                        filters=filters_from_page(f_rating, f_downloads, f_min_len, f_max_len,
                                                                  f_licences, f_rates, f_channels, f_types),
                                        levels=levels_from_page(o_min, o_max, a_db, ceil, unit_name, eq_on, opt_on))
                photo_copy = prepare_photo(Path(photo_path), photo_copy, shown)
                replacements[str(photo_copy)] = shown
                manifest = sonify(photo_copy, out_dir, settings, on_stage=on_stage, on_scene=on_scene)
                save_boxes(photo_copy, manifest.scene, run_dir / "boxes.png")
                manifest = scrub_server_paths(out_dir, manifest)
                ticket.counts = True
            except ImageExtenderError as exc:
                return failed(exc, seen, photo_copy, run_dir, shown, replacements)
            except Exception:  # a bug: full story in the server log, one line in the page
                log.exception("UI run failed")
                return cleared("**Error:** something went wrong inside Image Extender; the server log has the details.")
            progress((len(STAGES), len(STAGES)), desc="done")
            write_meta(run_dir, shown, manifest.mix.duration)
            desk_value = new_desk(run_dir, manifest, shown)
            threading.Thread(target=desk.warm, args=(desk_value,), name="desk-warm", daemon=True).start()
            return shown_run(desk_value, summary(manifest, shown), token)

        def failed(exc, seen, photo_copy, run_dir, shown, replacements) -> list:
            """What was seen stays on screen (boxes, places) and the message says it in plain words."""
            from ..errors import NonSonicImageError, RetrievalError
            from .boxes import save_boxes

            technical = _md(public_message(exc, replacements))
            if not seen:
                return cleared(f"**Error:** {technical}")
            scene = seen[-1]
            boxes_png = None
            try:
                boxes_png = str(save_boxes(photo_copy, scene, run_dir / "boxes.png"))
            except ImageExtenderError:
                pass
            things = [o.label for o in scene.objects] + [t.label for t in scene.ambience]
            seen_words = ", ".join(things) if things else "nothing that makes a sound"
            if isinstance(exc, RetrievalError):
                plain = (f"**No soundscape for {_md(shown)}:** the picture shows {_md(seen_words)}, but none of the "
                         "recordings in the sound library sounds like them closely enough to be used. "
                         "Try another photo, or a sound source with more recordings.")
            elif isinstance(exc, NonSonicImageError):
                plain = (f"**No soundscape for {_md(shown)}:** it looks like a graphic or a drawing, not a scene "
                         "with anything that makes a sound.")
            else:
                plain = f"**Error:** {technical}"
            message = plain if plain.startswith("**Error") else f"{plain}\n\n<small>Details: {technical}</small>"
            return cleared(message, boxes_png=boxes_png, ambience_md=ambience_markdown(Manifest(scene=scene)))

        # no Gradio limit: the lanes decide who runs (Gradio's one line and average-based ETA would
        # keep a 30 s mix behind a 300 s one and promise it the average)
        run.click(generate, inputs=[photo, analyzer, source, mode, sort, duration, seed, *filter_inputs, *level_inputs],
                  outputs=outputs, concurrency_limit=None, concurrency_id="photo-runs")

        def check_photo(photo_path):
            """A file that is no picture is explained next to the button the moment it arrives (and
            taken out of the box, which would only show a broken image)."""
            from .photo import unreadable

            if not photo_path or not Path(photo_path).is_file():
                return gr.skip(), gr.skip()
            problem = unreadable(Path(photo_path), sanitize_filename(Path(photo_path).name))
            if problem is None:
                return gr.skip(), ""
            return None, f"**Not a photo:** {_md(problem)}."

        photo.change(check_photo, inputs=[photo], outputs=[photo, run_status], concurrency_limit=None,
                     show_progress="hidden")

        # ------------------------------------------------------------ the desk's handlers

        def _strip_setter(i: int, key: str):
            def handler(desk_value, value, request: gr.Request):
                if not desk.owns(token_of(request), desk_value):
                    return gone_live()
                strips = [dict(s) for s in desk_value["strips"]]
                strips[i] = {**strips[i], key: value}
                return live({**desk_value, "strips": strips})
            return handler

        def live(desk_value) -> list:
            try:
                desk_value, wav, seconds, heard_n = desk.live(desk_value)
            except Exception as exc:  # noqa: BLE001 - one line in the page, the log has the rest
                return [gr.skip(), gr.skip(), error_line(exc)]
            note = (f"Re-mixed in {seconds:.2f} s ({plural(heard_n, 'track')} heard); "
                    "the ZIP, credits and timeline follow.") if heard_n else "Everything is muted."
            return [desk_value, str(wav), note]

        def gone_live() -> list:
            return [None, None, "**Error:** your files were deleted (perhaps from another tab); make the soundscape "
                                "again."]

        def take(desk_value, request: gr.Request):
            if not desk.owns(token_of(request), desk_value):
                return [gr.skip()] * (len(take_outputs) - 1) + ["**Error:** your files were deleted."]
            try:
                desk_value = desk.write_take(desk_value)
                view = present(desk_value, "")
            except Exception as exc:  # noqa: BLE001
                return [gr.skip()] * (len(take_outputs) - 1) + [error_line(exc)]
            return [desk_value, gr.DownloadButton(value=view["download"], visible=True), view["cards"],
                    view["timeline"], view["credits"], view["manifest"],
                    summary(view["ambience"], desk_value.get("photo", "the photo"))]

        def _finder(i: int):
            def handler(desk_value, query_text, o_min, o_max, a_db, ceil, unit_name, eq_on, opt_on,
                        request: gr.Request):
                if not desk.owns(token_of(request), desk_value):
                    return [gr.skip(), gr.skip(), "**Error:** your files were deleted."]
                try:
                    settings = load_settings(**options.settings_overrides)
                    desk_value = desk.find(desk_value, i, query_text, settings)
                    view = present(desk_value, "")
                except Exception as exc:  # noqa: BLE001
                    return [gr.skip(), gr.skip(), error_line(exc)]
                found = len(desk_value["options"][i])
                return [desk_value, view["cards"], f"Found {plural(found, 'other recording')} for “{_md(query_text)}”."]
            return handler

        def _swapper(i: int):
            def handler(desk_value, option, request: gr.Request):
                if not desk.owns(token_of(request), desk_value):
                    return gone_live()
                if option is None:
                    return [gr.skip(), gr.skip(), gr.skip()]
                try:
                    desk_value = desk.swap(desk_value, i, int(option))
                except Exception as exc:  # noqa: BLE001
                    return [gr.skip(), gr.skip(), error_line(exc)]
                return live(desk_value)
            return handler

        # request and progress stand before *levels: Gradio injects special arguments by position,
        # and a keyword-only one after *levels was never given (every Re-mix failed with a TypeError)
        def do_remix(desk_value, seconds, seed_value, request: gr.Request, progress=gr.Progress(), *levels):
            token = token_of(request)
            if not desk.owns(token, desk_value):
                return cleared("**Error:** your files were deleted (perhaps from another tab).")
            try:
                _, base_manifest = load_folder(desk_value, "base")
                settings = load_settings(**{**options.settings_overrides, **levels_from_page(*levels)},
                                         duration=seconds, seed=check_seed(seed_value))
                # a re-mix at a new length costs like a run of that length: it takes its turn in the lanes,
                # but teaches them nothing (no analysis or search, so it would make the estimates too short).
                with lanes.slot(seconds, on_wait=progress_waiting(progress)) as ticket:
                    ticket.counts = False
                    desk_value = desk.remix(desk_value, settings)
                _, manifest = load_folder(desk_value, "current")
            except QueueFull:
                return [f"**Busy:** {options.max_queue} soundscapes are already waiting on this server; "
                        "try again in a few minutes."] * 2 + [gr.skip()] * (len(outputs) - 2)
            except Exception as exc:  # noqa: BLE001
                return [error_line(exc)] * 2 + [gr.skip()] * (len(outputs) - 2)
            return shown_run(desk_value, "Re-mixed with the new settings: " + summary(
                manifest, desk_value.get("photo", "the photo")), token)

        remix.click(do_remix, inputs=[desk_state, duration, seed, *level_inputs], outputs=outputs,
                    concurrency_id="desk-take")

        def go_back(run_name, request: gr.Request):
            token = token_of(request)
            if not run_name or not store.valid_token(token):
                return [gr.skip()] * len(outputs)
            run_dir = store.session_dir(token) / str(run_name)
            if not store.owns(token, run_dir) or not (run_dir / "out" / "manifest.json").is_file():
                return cleared("**Error:** that run is not there any more (old runs are removed to save space).")
            manifest = Manifest.load(run_dir / "out" / "manifest.json")
            shown = manifest.scene.image.path
            return shown_run(new_desk(run_dir, manifest, shown), summary(manifest, shown), token)

        runs.input(go_back, inputs=[runs], outputs=outputs, concurrency_id="desk-take")

        def delete_files(request: gr.Request):
            token = request.cookies.get(SESSION_COOKIE) if request is not None else None
            if not store.valid_token(token):
                return cleared("Nothing to delete.")
            removed = store.delete(token)
            result = cleared("Deleted every file of this session." if removed else "This session had no files.")
            result[-1] = gr.Dropdown(choices=[], value=None)
            return result

        delete.click(delete_files, outputs=outputs, concurrency_limit=None)

        def check_files(desk_value, request: gr.Request):
            """Another tab may have deleted this session's files (a tick only touches a State: no flicker)."""
            return bool(desk_value) and not desk.owns(token_of(request), desk_value)

        def files_gone(gone_now: bool, desk_value):
            """Say so, unless this tab has cleared its desk already: a tick that set off before
            this tab's own Delete landed would tell it that another tab deleted them."""
            if not gone_now or not desk_value:
                return [gr.skip()] * len(outputs)
            return cleared("Your files were deleted (from another tab of this browser); make the soundscape "
                           "again to hear it.")

        watch.tick(check_files, inputs=[desk_state], outputs=[gone], concurrency_limit=None, show_progress="hidden")
        gone.change(files_gone, inputs=[gone, desk_state], outputs=outputs, concurrency_limit=None, show_progress="hidden")

        def save_filters(sort_name, write, *values):
            try:
                filters = filters_from_page(*values)
                note = "Saved: these filters apply to your next runs in this browser."
                if write and options.allow_settings_file:
                    path = settings_file()
                    write_filters_to_file(path, filters, sort_name)
                    note += f" Written to {path.name}."
            except ImageExtenderError as exc:
                return gr.skip(), f"**Error:** {_md(str(exc))}"
            except OSError as exc:
                return gr.skip(), f"**Error:** cannot write the settings file ({_md(exc.strerror or exc)})"
            return {"filters": filters, "sort": sort_name}, note

        save.click(save_filters, inputs=[sort, to_file, *filter_inputs], outputs=[prefs, saved_note])

        def restore(saved):
            if not isinstance(saved, dict) or not isinstance(saved.get("filters"), dict):
                return [gr.skip()] * (len(filter_inputs) + 1)
            f = saved["filters"]
            pick = lambda key: as_choice(f.get(key, ANY))  # noqa: E731
            lst = lambda key: [] if f.get(key, ANY) == ANY else [str(v) for v in f[key]]  # noqa: E731
            return [saved.get("sort", fs.sort), pick("min_rating"), pick("min_downloads"), pick("min_duration"),
                    pick("max_duration"), lst("licences"), lst("sample_rates"), pick("channels"), lst("file_types")]

        demo.load(restore, inputs=[prefs], outputs=[sort, *filter_inputs])

        def list_runs(request: gr.Request):
            token = token_of(request)
            return gr.Dropdown(choices=earlier_runs(store, token) if store.valid_token(token) else [])

        demo.load(list_runs, outputs=[runs])

        from .video_tab import video_tab

        video_tab(store, options, lanes)  # a clip instead of a photo (video/); takes turns with the photo runs

    demo.queue(default_concurrency_limit=options.concurrency, max_size=options.max_queue)
    return demo


# --------------------------------------------------------------------------- the server


def default_root(settings: Settings) -> Path:
    return settings.data_dir / "ui-sessions"


def build_app(options: UIOptions | None = None):
    """FastAPI app: the session guard in front of the Gradio page. Returns ``(app, store)``."""
    options = options or UIOptions()
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    settings = load_settings(**options.settings_overrides)
    root = Path(options.root or default_root(settings)).expanduser()
    root.mkdir(parents=True, exist_ok=True)
    # Gradio's cache is the UI root: uploads land here and session files are served in place.
    os.environ["GRADIO_TEMP_DIR"] = str(root.resolve())

    import gradio as gr
    from fastapi import FastAPI

    from .guard import SessionGuard

    store = SessionStore(root, max_age=options.session_ttl)
    demo = build_blocks(store, options)
    _publish_examples(store, options.examples or default_examples(settings))
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    theme = gr.themes.Soft(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])
    app = gr.mount_gradio_app(app, demo, path="/", max_file_size=int(options.max_upload_mb * 1024 * 1024),
                              allowed_paths=[], show_error=False, ssr_mode=False, theme=theme, css=PAGE_CSS,
                              footer_links=[], enable_monitoring=False, mcp_server=False, js=PLAYHEAD_JS)
    app.add_middleware(SessionGuard, store=store)
    app.state.session_store = store
    return app, store


def _publish_examples(store: SessionStore, examples: list[Path]) -> None:
    """Example photos are everyone's: mark their cache copies public.

    Gradio's cache is content-addressed, so a user uploading the same photo as an example
    gets the same path; without this the first uploader would "own" the example.
    """
    from gradio import processing_utils

    for path in examples:
        store.make_public(processing_utils.save_file_to_cache(str(path), cache_dir=str(store.root)))


def serve(host: str = "127.0.0.1", port: int = 7860, options: UIOptions | None = None) -> None:
    """Run the UI until interrupted (uvicorn), sweeping abandoned sessions in the background."""
    import uvicorn

    app, store = build_app(options)
    store.sweep()
    store.start_sweeper()
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        store.stop_sweeper()
