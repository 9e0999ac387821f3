"""The muxed clip plays in a real browser: Debian's Chromium (driven by Playwright, like
tests/test_ui_browser.py) loads ``video.mp4`` from an output folder whose path has spaces
and non-ASCII letters, plays it to the ``ended`` event and decodes its audio track."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import data_dir

from image_extender.settings import load_settings
from image_extender.video.pipeline import VideoOptions, sonify_video
from image_extender.video.samples import sample_clips

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium (apt-get install chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright Python package")

PLAY_JS = """async () => {
  const v = document.querySelector('video');
  if (v.readyState < 1) await new Promise((ok, bad) => { v.onloadedmetadata = ok; v.onerror = () => bad(v.error); });
  const ended = new Promise((ok) => v.addEventListener('ended', ok, {once: true}));
  v.playbackRate = 2;
  await v.play();
  await ended;
  return {ended: v.ended, duration: v.duration, audioBytes: v.webkitAudioDecodedByteCount,
          videoBytes: v.webkitVideoDecodedByteCount, error: v.error && v.error.code};
}"""


def test_the_muxed_clip_plays_to_the_end_with_sound_in_chromium(tmp_path):
    clip = sample_clips(data_dir()) / "carphone_pristine.mp4"
    out = tmp_path / "Ausgabe mit Ton é"
    manifest = sonify_video(clip, out, load_settings(), options=VideoOptions(original="replace"))
    page_file = out / "play.html"
    page_file.write_text('<!doctype html><video src="video.mp4" preload="auto"></video>', encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            result = page.evaluate(PLAY_JS)
        finally:
            browser.close()
    assert result["error"] is None and result["ended"] is True
    assert result["duration"] == pytest.approx(manifest.video.info.duration, abs=1 / manifest.video.info.fps + 0.01)
    assert result["audioBytes"] > 0 and result["videoBytes"] > 0  # the AAC track was decoded, not just the picture
