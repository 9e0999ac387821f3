"""The web UI's Video tab: upload a clip, watch the progress, play the clip with its new
soundtrack in the page, download it (or the whole bundle).

Same rules as the photo page (:mod:`.app`): the run goes through the one pipeline the CLI
calls (:func:`image_extender.video.pipeline.sonify_video`), into a fresh folder of this
browser's session (:mod:`.sessions`), and errors show as one line with server paths
replaced by the user's file name.
"""

# No `from __future__ import annotations`: Gradio resolves gr.Request parameters through type hints.

import logging
import os
import shutil
from pathlib import Path

from ..errors import ImageExtenderError
from .lanes import Lanes, QueueFull, progress_waiting
from .sessions import SESSION_COOKIE, SessionStore, sanitize_filename

log = logging.getLogger(__name__)

STAGES = ("reading the video", "analysing sampled frames", "opening sound library", "finding sounds",
          "planning the soundtrack", "rendering the mix", "writing files", "muxing the soundtrack into the video")
ORIGINAL_CHOICES = [("Lower it under the new sounds (duck)", "duck"), ("Keep it as it is", "keep"),
                    ("Replace it", "replace")]


def video_tab(store: SessionStore, options, lanes: Lanes) -> None:
    """Add the Video tab's components and events to the Blocks being built; runs take turns with the
    photo page's in ``lanes`` (a clip as long as its mix) and count against the session's storage cap."""
    import gradio as gr

    from ..settings import load_settings
    from .app import IMAGE_BUTTONS, _md, public_message

    with gr.Tab("Video", elem_id="video-tab"):
        gr.Markdown("Give a short clip a soundtrack of real recordings that follows the picture: "
                    "each sound enters and leaves with its object and moves with it across the stereo field.")
        with gr.Row():
            with gr.Column(scale=1, min_width=320):
                clip = gr.File(label="Video clip (mp4, mkv, webm, mov, avi)", file_types=["video"], type="filepath",
                               elem_id="video-upload")
                original = gr.Radio(ORIGINAL_CHOICES, value="duck", label="The clip's own sound", elem_id="video-original")
                frames_k = gr.Slider(4, 30, value=10, step=1, label="Frames to analyse: k in n = k·log10(seconds)")
                seed = gr.Number(value=0, precision=0, label="Seed (same seed, same soundtrack)")
                run = gr.Button("Add the soundtrack", variant="primary", elem_id="video-generate")
            with gr.Column(scale=2, min_width=420):
                status = gr.Markdown("Upload a clip and press **Add the soundtrack**.", elem_id="video-status")
                player = gr.Video(label="The clip with its soundtrack", interactive=False, elem_id="video-player")
                download = gr.DownloadButton("Download the video", visible=False, elem_id="video-download")
                bundle = gr.DownloadButton("Download the bundle (ZIP)", visible=False, elem_id="video-bundle")
                timeline = gr.Image(label="What was seen and how the sound follows it", interactive=False,
                                    type="filepath", elem_id="video-timeline", buttons=IMAGE_BUTTONS)
                credits = gr.Markdown(elem_id="video-credits")

        outputs = [status, player, download, bundle, timeline, credits]

        def cleared(message: str) -> list:
            hidden = gr.DownloadButton(value=None, visible=False)
            return [message, None, hidden, hidden, None, ""]

        def generate(clip_path, original_mode, k, seed_value, request: gr.Request, progress=gr.Progress()):
            token = request.cookies.get(SESSION_COOKIE) if request is not None else None
            if not store.valid_token(token):
                return cleared("**Error:** this page needs cookies enabled to keep your files apart from others'.")
            if not clip_path:
                return cleared("**Error:** upload a video clip first.")
            if not store.may_read(token, clip_path) or not Path(clip_path).is_file():
                return cleared("**Error:** that clip is not available any more; upload it again.")
            from ..video.frames import probe

            try:
                seconds = probe(Path(clip_path)).duration
            except ImageExtenderError as exc:
                return cleared(f"**Error:** {_md(public_message(exc, {clip_path: Path(clip_path).name}))}")
            try:
                with lanes.slot(seconds, on_wait=progress_waiting(progress)) as ticket:
                    ticket.counts = False  # a clip's seconds cost more than a photo's: not a sample of their rate
                    return make(clip_path, token, original_mode, k, seed_value, progress)
            except QueueFull:
                return cleared(f"**Busy:** {options.max_queue} runs are already waiting on this server; "
                               "try again in a few minutes.")

        def make(clip_path, token, original_mode, k, seed_value, progress) -> list:
            shown = sanitize_filename(Path(clip_path).name)
            store.cap(token, int(options.max_session_mb * 1024 * 1024))
            run_dir = store.new_run(token)
            clip_copy = run_dir / f"clip-{shown}"
            shutil.copyfile(clip_path, clip_copy)
            out_dir = run_dir / "out"
            replacements = {str(clip_copy): shown, str(run_dir) + os.sep: "", str(store.root): "<server>"}

            def on_stage(name: str) -> None:
                step = STAGES.index(name) if name in STAGES else 0
                progress((step, len(STAGES)), desc=name)

            def on_frame(done: int, total: int) -> None:
                progress((done, max(total, 1)), desc=f"analysing frame {done} of {total}")

            try:
                from ..video.pipeline import VideoOptions, sonify_video

                base = load_settings(**options.settings_overrides, seed=None if seed_value is None else int(seed_value))
                manifest = sonify_video(clip_copy, out_dir, base, on_stage=on_stage, on_frame=on_frame,
                                        options=VideoOptions(frames_k=float(k), original=original_mode))
            except ImageExtenderError as exc:
                return cleared(f"**Error:** {_md(public_message(exc, replacements))}")
            except Exception:  # a bug: the story in the server log, one line in the page
                log.exception("UI video run failed")
                return cleared("**Error:** something went wrong inside Image Extender; the server log has the details.")
            video = manifest.video
            assert video is not None and video.mux is not None
            sounds = ", ".join(f"{t.label} ({t.role})" for t in manifest.tracks)
            summary = (f"**Done:** {_md(shown)}, {video.info.duration:.1f} s — {len(video.frames)} frames analysed, "
                       f"best frame at {video.best.time:.1f} s. “{_md(video.caption)}” Sounds: {_md(sounds)}.")
            file = str(out_dir / video.mux.file)
            return [summary, file, gr.DownloadButton(value=file, visible=True),
                    gr.DownloadButton(value=str(out_dir / "soundscape.zip"), visible=True),
                    str(out_dir / "video_timeline.png"), (out_dir / "CREDITS.md").read_text(encoding="utf-8")]

        run.click(generate, inputs=[clip, original, frames_k, seed], outputs=outputs,
                  concurrency_limit=None, concurrency_id="video-runs")  # the lanes decide who runs
