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


from test_ui_browser import ARTIFACTS, _open, _wait, browser, server  # noqa: E402, F401 - the photo page's server and browser


def test_the_video_tab_uploads_a_clip_and_plays_it_with_its_soundtrack(server, browser, tmp_path):  # noqa: F811
    url, root = server
    clip = tmp_path / "mein Auto ö.mp4"
    clip.write_bytes((sample_clips(data_dir()) / "carphone_pristine.mp4").read_bytes())
    context, page = _open(browser, url)
    page.get_by_role("tab", name="Video").click()
    page.locator("#video-upload input[type=file]").set_input_files(str(clip))
    page.wait_for_timeout(1000)
    page.click("#video-generate")
    _wait(page, "() => document.querySelector('#video-status').innerText.match(/Done|Error/)", timeout=240_000)
    _wait(page, "() => { const v = document.querySelector('#video-player video'); return v && v.currentSrc; }",
          timeout=30_000)
    status = page.locator("#video-status").inner_text()  # (the progress overlay may still be fading out)
    assert "Error" not in status and "Done: mein_Auto_o.mp4" in status, status  # the name as the session stores it
    result = page.evaluate(PLAY_JS.replace("document.querySelector('video')",
                                           "document.querySelector('#video-player video')"))
    assert result["error"] is None and result["ended"] is True
    assert result["audioBytes"] > 0
    assert page.locator("#video-download").is_visible()
    src = page.evaluate("() => document.querySelector('#video-player video').currentSrc")
    assert "/sessions/" in src and context.request.get(src).status == 200
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-video-finished.png"), full_page=True)
    context.close()
