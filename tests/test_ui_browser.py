"""Web UI end to end in a real headless Chromium: upload, generate, listen, download, isolation.

Starts ``image-extender ui`` (the real command) on a free localhost port and drives Debian's
``/usr/bin/chromium`` with Playwright's sync API. Needs ``apt-get install chromium`` and the
``playwright`` Python package (never ``playwright install``: we use the system browser).
A screenshot of the finished page is written to ``test-artifacts/ui-finished.png``.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MIX_SECONDS = 8  # short mixes keep the run quick; set through the server's environment
SESSION_MB = 40  # the server's --max-session-mb: an 8 s run of dog.jpg takes ~25 MB (ZIP, stems, sounds)
LONG_MIX = 20  # the server's --long-mix: mixes over this many seconds never take the last free slot

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium (apt-get install chromium)"),
]
sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright Python package")

# every <audio> inside a component, also inside shadow roots (the waveform player keeps its own there)
AUDIO_JS = """(id) => {
  const found = [];
  const walk = (root) => root.querySelectorAll('*').forEach((el) => {
    if (el.tagName === 'AUDIO') found.push(el);
    if (el.shadowRoot) walk(el.shadowRoot);
  });
  const host = document.getElementById(id);
  if (host) walk(host);
  const playable = found.filter((a) => a.currentSrc && a.duration > 0);
  return playable.length ? playable[0].duration : 0;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory, darknet_photos):
    yield from _serve(tmp_path_factory, {})


def _serve(tmp_path_factory, extra_env: dict):
    root = tmp_path_factory.mktemp("ui-sessions")
    port = _free_port()
    (root.parent / "no-settings-file.toml").write_text("")  # an empty settings file (a missing one is an error)
    env = {**os.environ, "IMAGE_EXTENDER_DURATION": str(MIX_SECONDS),
           "IMAGE_EXTENDER_CONFIG": str(root.parent / "no-settings-file.toml"), **extra_env}
    env.setdefault("IMAGE_EXTENDER_DATA", "/work/main/data")
    log_path = root.parent / f"{root.name}-server.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "image_extender", "ui", "--port", str(port), "--root", str(root),
                             "--session-ttl", "30", "--allow-settings-file", "--long-mix", str(LONG_MIX),
                             "--max-session-mb", str(SESSION_MB)], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 60
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            log.close()
            pytest.fail(f"UI server did not start: {log_path.read_text()[-2000:]}")
        time.sleep(0.3)
    yield url, root
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def keyboard_only_server(tmp_path_factory):
    """A server whose sound library holds nothing but three keyboard clicks.

    With the real library every photo finds at least a bed now (each chain ends in
    last-resort queries), so a run that finds nothing needs a library that truly lacks it:
    a data folder sharing everything with the real one except its ``library``.
    """
    from image_extender.library.ingest import build_library

    real = Path(os.environ.get("IMAGE_EXTENDER_DATA", "/work/main/data"))
    data = tmp_path_factory.mktemp("keyboard-data")
    for entry in real.iterdir():
        if entry.name not in ("library", "cache"):
            (data / entry.name).symlink_to(entry)
    clicks = data.parent / "keyboard-clicks"
    clicks.mkdir()
    for wav in sorted((real / "debian" / "bucklespring-data").rglob("*.wav"))[:3]:
        shutil.copy(wav, clicks / f"keyboard key click {wav.stem}.wav")
    build_library([clicks], data / "library")
    yield from _serve(tmp_path_factory, {"IMAGE_EXTENDER_DATA": str(data)})


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, url):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("#generate", timeout=30_000)
    return context, page


def _wait(page, js: str, arg=None, timeout: float = 120_000) -> None:
    """Wait for ``js`` to be truthy; on timeout, fail with what the page says (busy CI machines are slow)."""
    try:
        page.wait_for_function(js, arg=arg, timeout=timeout)
    except sync_api.TimeoutError:
        status = page.locator("#status").inner_text() if page.locator("#status").count() else "(no status box)"
        pytest.fail(f"timed out waiting for {js[:60]!r} ({arg}); page status: {status}")


def _upload(page, path: Path) -> None:
    page.locator("#photo input[type=file]").set_input_files(str(path))
    page.wait_for_selector("#photo img", timeout=15_000)


def test_a_user_uploads_a_photo_hears_the_mix_downloads_it_and_strangers_cannot_reach_it(
        server, browser, darknet_photos, tmp_path):
    url, root = server
    ctx1, page = _open(browser, url)
    _upload(page, darknet_photos / "dog.jpg")
    page.click("#generate")

    # the mix player gets a playable source of the requested length
    _wait(page, AUDIO_JS, "mix")
    duration = page.evaluate(AUDIO_JS, "mix")
    assert duration == pytest.approx(MIX_SECONDS, abs=0.1)
    status = page.locator("#status").inner_text()
    assert status.startswith("Done:") and "dog" in status

    # the photo with boxes is shown (decoded by the browser) and so is every source sound with its credits
    boxes = page.locator("#boxes img")
    assert boxes.evaluate("(img) => img.complete && img.naturalWidth") == 768  # dog.jpg is 768×576
    _wait(page, AUDIO_JS, "sound-0", timeout=30_000)
    sounds = page.locator(".source-sound")
    assert sounds.count() >= 2  # dog bark + street ambience
    credits = page.locator("#credits").inner_text()
    assert "Credits" in credits and "Licence" in credits and "dog" in credits
    assert page.get_by_text("Why this sound").count() == sounds.count()
    assert "urban street" in page.locator("#ambience").inner_text()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-finished.png"), full_page=True)

    # the ZIP bundle downloads and holds the whole soundscape
    with page.expect_download(timeout=15_000) as info:
        page.click("#download")
    bundle = tmp_path / "bundle.zip"
    info.value.save_as(bundle)
    with zipfile.ZipFile(bundle) as z:
        names = set(z.namelist())
        assert {"mix.wav", "manifest.json", "timeline.png", "CREDITS.md"} <= names
        assert any(n.startswith("sounds/") for n in names) and any(n.startswith("stems/") for n in names)
        manifest = json.loads(z.read("manifest.json"))
        assert len(manifest["tracks"]) == sounds.count()
        assert any(t["label"] == "dog" for t in manifest["tracks"])
        import soundfile

        audio, rate = soundfile.read(io.BytesIO(z.read("mix.wav")))
        assert audio.shape[0] / rate == pytest.approx(MIX_SECONDS, abs=0.05)

    # the files live in this session's folder, under a random name
    mix_url = page.locator("#mix a[download]").get_attribute("href")
    assert "/sessions/" in mix_url and mix_url.endswith("/mix.wav")
    run_dir = Path(mix_url.split("/file=", 1)[1]).parent.parent
    assert run_dir.is_dir() and str(run_dir).startswith(str(root))
    assert ctx1.request.get(mix_url).status == 200

    # a second browser cannot fetch them, neither directly nor from its page
    ctx2, page2 = _open(browser, url)
    assert ctx2.request.get(mix_url).status == 404
    assert page2.evaluate("(u) => fetch(u).then((r) => r.status)", mix_url) == 404

    # ... and a file that is not an image gives that second user a readable message the moment it
    # arrives (next to the button, no broken picture in the box, no traceback)
    fake = tmp_path / "holiday.jpg"
    fake.write_text("these are my notes, not a photo\n")
    page2.locator("#photo input[type=file]").set_input_files(str(fake))
    _status_has(page2, "#run-status", "Not a photo", timeout=5_000)
    message = page2.locator("#run-status").inner_text()
    assert "holiday.jpg" in message and "not an image" in message
    assert page2.locator("#photo img").count() == 0
    assert "Traceback" not in page2.content() and str(root) not in message
    page2.click("#generate")  # and Make says there is no photo yet, not a server error
    _status_has(page2, "#run-status", "no photo yet", timeout=30_000)

    # delete removes the first session's folder and its URLs stop working; the second browser is untouched
    page.click("#delete")
    _wait(page, "() => document.querySelector('#status').innerText.includes('Deleted')", timeout=30_000)
    assert not run_dir.exists() and not run_dir.parent.exists()
    assert ctx1.request.get(mix_url).status in (403, 404)
    assert not page.locator("#download").is_visible()
    ctx1.close()
    ctx2.close()


def test_saved_filters_come_back_after_a_reload_and_reach_the_settings_file(server, browser):
    url, root = server
    settings_file = root.parent / "no-settings-file.toml"  # the server's IMAGE_EXTENDER_CONFIG
    context, page = _open(browser, url)
    page.get_by_text("Search filters").click()
    page.get_by_label("Downloads > Rating").check()
    page.get_by_label("cc0").check()
    page.get_by_label("Also write them to the settings file").check()
    page.get_by_role("button", name="Save filters for next runs").click()
    page.get_by_text("Saved: these filters apply").wait_for(timeout=15_000)
    assert 'sort = "downloads>rating"' in settings_file.read_text()
    assert 'licences = ["cc0"]' in settings_file.read_text()

    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector("#generate", timeout=30_000)
    page.get_by_text("Search filters").click()
    page.wait_for_function("() => [...document.querySelectorAll('input[type=checkbox]')]"
                           ".some((c) => c.checked && c.closest('label')?.innerText.trim() === 'cc0')", timeout=10_000)
    assert page.get_by_label("Downloads > Rating").is_checked()
    context.close()


# ----------------------------------------------------------------- the mixing desk


def _fetch_wav(context, page, selector: str):
    import soundfile

    href = page.locator(f"{selector} a[download]").get_attribute("href")
    response = context.request.get(href)
    assert response.status == 200, href
    return soundfile.read(io.BytesIO(response.body()))[0]


def _rms_db(x) -> float:
    import numpy as np

    return float(10 * np.log10(np.mean(np.square(x)) + 1e-20))


def _pick_first_option(page, selector: str, timeout: float = 60.0) -> str:
    """Open a dropdown and pick its first option (its choices may still be on their way); returns its text."""
    deadline = time.time() + timeout
    while True:
        page.locator(selector).click(force=True)
        options = page.get_by_role("option")
        try:
            options.first.wait_for(timeout=3_000)
            text = options.first.inner_text()
            options.first.click()
            return text
        except sync_api.TimeoutError:
            page.keyboard.press("Escape")
            if time.time() > deadline:
                pytest.fail(f"no choices in {selector}; page status: {page.locator('#status').inner_text()}")


def _settled(page, status: str) -> None:
    """The desk's take is written (status says so) and the strips are drawn again."""
    _status_has(page, "#status", status)
    page.wait_for_timeout(1500)


def _href(page, selector: str) -> str | None:
    return page.locator(f"{selector} a[download]").get_attribute("href")


def _type_number(page, box: str, value: str, holds: str) -> None:
    """Type ``value`` into the input ``box`` until ``holds`` (JS, given the value) says the
    component has it. On a loaded machine the page may still be settling (the Settings
    panel rendering, the slider taking the typed number), and a value typed too early is
    lost: a click right away would send the default (a "long" mix of 8 s, seed 0)."""
    for _ in range(3):
        field = page.locator(box)
        field.fill(value)
        field.press("Enter")
        field.blur()  # the number is committed on change/blur; a click that lands first sends the old one
        try:
            page.wait_for_function(holds, arg=value, timeout=10_000)
            page.wait_for_timeout(300)
            return
        except sync_api.TimeoutError:
            continue
    pytest.fail(f"{box} never took {value!r}")


def _set_duration(page, seconds: int) -> None:
    _type_number(page, "#duration input[type=number]", str(seconds),
                 "(n) => document.querySelector('#duration input[type=range]')?.value === n")


def _status_has(page, selector: str, text: str, timeout: float = 120_000) -> None:
    _wait(page, "([s, t]) => (document.querySelector(s)?.innerText || '').includes(t)", [selector, text], timeout)


def test_the_mixing_desk_moves_levels_mutes_and_swaps_and_the_bundle_follows(server, browser, darknet_photos, tmp_path):
    url, _ = server
    context, page = _open(browser, url)
    page.set_viewport_size({"width": 1280, "height": 720})
    # the Make button is in view without scrolling on a laptop screen
    assert page.locator("#generate").bounding_box()["y"] + 40 < 720
    _upload(page, darknet_photos / "dog.jpg")
    page.click("#generate")
    _wait(page, "() => document.querySelector('#gain-1')", timeout=240_000)
    _wait(page, AUDIO_JS, "mix")
    n = page.locator(".source-sound").count()
    labels = [page.locator(f"#sound-{i}").inner_text() for i in range(n)]
    dog = next(i for i, text in enumerate(labels) if "dog (object)" in text)
    bed = next(i for i, text in enumerate(labels) if "(ambience)" in text)
    heard_all = f"{n} tracks heard"
    sounds_all = f"Done: {n} sounds"
    # each layer's player plays its stem: placed in the mix, as long as the mix
    _wait(page, AUDIO_JS, f"sound-{dog}", timeout=30_000)
    assert page.evaluate(AUDIO_JS, f"sound-{dog}") == pytest.approx(MIX_SECONDS, abs=0.1)

    # solo the dog: the mix is the dog alone; then its fader down 6 dB moves the mix by 6 dB
    page.locator(f"#solo-{dog} input").check()
    _status_has(page, "#run-status", "1 track heard")
    _settled(page, "Done: 1 sound ")
    before = _rms_db(_fetch_wav(context, page, "#mix"))
    href = page.locator("#mix a[download]").get_attribute("href")
    fader = page.locator(f"#gain-{dog} input[type=number]")
    fader.fill("-6")
    fader.press("Enter")
    _wait(page, "(h) => document.querySelector('#mix a[download]')?.getAttribute('href') !== h", href)
    after = _rms_db(_fetch_wav(context, page, "#mix"))
    assert after - before == pytest.approx(-6.0, abs=0.2)

    # unsolo, mute the dog: the mix is every other stem through the master (the dog is absent), credits follow
    _settled(page, "Done: 1 sound ")
    page.locator(f"#solo-{dog} input").uncheck()
    _status_has(page, "#run-status", heard_all)
    _settled(page, sounds_all)
    page.locator(f"#mute-{dog} input").check()
    _status_has(page, "#run-status", f"{n - 1} track")
    _wait(page, "() => !document.querySelector('#credits').innerText.includes('object “dog”')", timeout=120_000)
    import numpy as np

    _settled(page, f"Done: {n - 1} sound")
    mix = _fetch_wav(context, page, "#mix")
    others = sum(_fetch_wav(context, page, f"#sound-{i}") for i in range(n) if i != dog)
    assert "not heard" in page.locator(f"#sound-{dog}").inner_text()
    assert np.max(np.abs(mix - others)) < 1e-3  # the master stage leaves this quiet mix alone

    # swap the ambience for another library recording: the credits name the new one
    page.locator(f"#mute-{dog} input").uncheck()
    _status_has(page, "#run-status", heard_all)
    _settled(page, sounds_all)
    old_credits = page.locator("#credits").inner_text()
    page.locator(f"#find-{bed}").click()
    _status_has(page, "#status", "Found")
    _wait(page, "(s) => { const i = document.querySelector(s); return i && !i.disabled; }", f"#swap-{bed} input")
    new_name = _pick_first_option(page, f"#swap-{bed} input").split(" — ")[0].strip()
    _wait(page, "(n) => document.querySelector('#credits').innerText.includes(n)", new_name, timeout=120_000)
    assert page.locator("#credits").inner_text() != old_credits

    # the ZIP follows the desk: the swapped sound is in its manifest, and no server path anywhere
    with page.expect_download(timeout=30_000) as info:
        page.click("#download")
    bundle = tmp_path / "desk.zip"
    info.value.save_as(bundle)
    with zipfile.ZipFile(bundle) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert any(t["sound"]["name"] == new_name for t in manifest["tracks"])
        assert manifest["scene"]["image"]["path"] == "dog.jpg"
        text = z.read("manifest.json").decode()
        assert "/sessions/" not in text and "/work/" not in text and str(Path.home()) + "/" not in text
    assert str(Path.cwd()) not in page.locator("#status").inner_text()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-desk-1280x720.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "ui-desk-phone.png"), full_page=True)
    # earlier runs: this run is listed to go back to
    assert "dog.jpg" in page.locator("#runs input").input_value()

    # a second tab of the same browser goes back to that run from the list ...
    other = context.new_page()
    other.goto(url, wait_until="domcontentloaded")
    other.wait_for_selector("#generate", timeout=30_000)
    _pick_first_option(other, "#runs input")
    _wait(other, AUDIO_JS, "mix")
    # ... and when the first tab deletes the session's files, the second says so instead of dead players
    page.set_viewport_size({"width": 1280, "height": 720})
    page.click("#delete")
    _status_has(page, "#status", "Deleted")
    _status_has(other, "#status", "deleted (from another tab", timeout=60_000)
    assert other.locator("#mix audio").count() == 0 or not _href(other, "#mix")
    context.close()


def test_a_negative_seed_is_refused_in_the_form_in_plain_words(server, browser, darknet_photos):
    url, _ = server
    context, page = _open(browser, url)
    _upload(page, darknet_photos / "dog.jpg")
    page.get_by_text("Settings", exact=True).click()
    _type_number(page, "#seed input", "-5", "(n) => document.querySelector('#seed input')?.value === n")
    page.click("#generate")
    _status_has(page, "#run-status", "seed", timeout=60_000)
    assert "whole number from 0" in page.locator("#run-status").inner_text()
    assert "went wrong" not in page.locator("#status").inner_text()
    context.close()


def test_a_failed_run_shows_what_was_seen_and_says_why_next_to_the_button(keyboard_only_server, browser,
                                                                          darknet_photos):
    url, _ = keyboard_only_server
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("#generate", timeout=30_000)
    _upload(page, darknet_photos / "scream.jpg")
    page.locator("#generate").scroll_into_view_if_needed()
    page.click("#generate")
    _status_has(page, "#run-status", "No soundscape", timeout=240_000)
    message = page.locator("#run-status")
    box = message.bounding_box()
    assert box is not None and 0 <= box["y"] < 900  # where the user is looking, not scrolled away
    assert "scream.jpg" in message.inner_text() and "sound library" in message.inner_text()
    # the picture of what was seen stays (on a loaded machine it may still be decoding: wait for it)
    page.wait_for_function("() => { const img = document.querySelector('#boxes img');"
                           " return !!img && img.complete && img.naturalWidth > 0; }", timeout=30_000)
    context.close()


def test_an_oversized_upload_is_explained_after_the_toast_is_gone(server, browser, tmp_path):
    url, _ = server
    context, page = _open(browser, url)
    big = tmp_path / "huge.jpg"
    big.write_bytes(os.urandom(21 * 1024 * 1024))  # over the server's 20 MB upload limit
    page.locator("#photo input[type=file]").set_input_files(str(big))
    page.wait_for_timeout(3000)
    page.click("#generate")
    _status_has(page, "#run-status", "MB", timeout=60_000)
    text = page.locator("#run-status").inner_text()
    assert "over 20 MB" in text and "upload" in text
    context.close()


# ----------------------------------------------------------------- playhead, layout, the line of runs

PLAYHEAD_JS = """() => {
  const line = document.getElementById('playhead');
  const img = document.querySelector('#timeline img');
  const walk = (root, found) => { root.querySelectorAll('*').forEach((el) => {
    if (el.tagName === 'AUDIO' && el.currentSrc) found.push(el);
    if (el.shadowRoot) walk(el.shadowRoot, found); }); return found; };
  const audio = walk(document.getElementById('mix'), [])[0];
  const r = img.getBoundingClientRect(), l = line.getBoundingClientRect();
  return {x: l.left + l.width / 2, top: l.top, bottom: l.bottom, shown: line.style.display !== 'none',
          img: {left: r.left, top: r.top, width: r.width, height: r.height, nw: img.naturalWidth, nh: img.naturalHeight},
          time: audio.currentTime, duration: audio.duration, paused: audio.paused};
}"""

# every visible icon button against every visible label/heading: overlapping pairs, and icons
# cut off by their own block
OVERLAPS_JS = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 ? r : null; };
  const hit = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  const icons = [...document.querySelectorAll('.icon-button-wrapper button, .icon-button-wrapper a')].filter(box);
  const labels = [...document.querySelectorAll('[data-testid="block-label"], label, h1, h2, h3, h4, .label-wrap')]
    .filter(box);
  const bad = [];
  for (const i of icons) {
    const where = (i.closest('[id]') || {}).id;
    for (const l of labels) {
      if (!l.contains(i) && !i.contains(l) && hit(box(i), box(l)))
        bad.push(`${where}: icon '${i.getAttribute('aria-label') || i.title}' on '${l.innerText.trim().slice(0, 30)}'`);
    }
    const block = i.closest('.block');
    const b = block && box(block), r = box(i);
    if (b && (r.top < b.top - 1 || r.bottom > b.bottom + 1 || r.left < b.left - 1 || r.right > b.right + 1))
      bad.push(`${where}: icon '${i.getAttribute('aria-label') || i.title}' sticks out of its box`);
  }
  return {icons: icons.length, bad};
}"""


def _lane_x(img: dict, seconds: float, duration: float) -> float:
    """Where second ``seconds`` is drawn in the timeline as the browser shows it (report/timeline.py's
    layout: lanes from HEADER_WIDTH to FIG_WIDTH − RIGHT_MARGIN inches, image centred in its box)."""
    from image_extender.report.timeline import FIG_WIDTH, HEADER_WIDTH, RIGHT_MARGIN

    scale = min(img["width"] / img["nw"], img["height"] / img["nh"])
    shown = img["nw"] * scale
    left = img["left"] + (img["width"] - shown) / 2
    return left + shown * (HEADER_WIDTH + (seconds / duration) * (FIG_WIDTH - HEADER_WIDTH - RIGHT_MARGIN)) / FIG_WIDTH


def test_the_timeline_playhead_follows_the_player_and_a_click_seeks(server, browser, darknet_photos):
    url, _ = server
    context, page = _open(browser, url)
    page.set_viewport_size({"width": 1280, "height": 720})
    _upload(page, darknet_photos / "horses.jpg")
    page.click("#generate")
    _wait(page, "() => document.querySelector('#gain-0')", timeout=240_000)
    _wait(page, AUDIO_JS, "mix")
    _wait(page, "() => { const i = document.querySelector('#timeline img'); return i && i.complete && i.naturalWidth; }")
    page.locator("#timeline").scroll_into_view_if_needed()

    # at rest the line stands at 0 s, over the lanes (below the title, above the axis)
    state = page.evaluate(PLAYHEAD_JS)
    assert state["shown"] and state["time"] == 0
    assert state["x"] == pytest.approx(_lane_x(state["img"], 0, state["duration"]), abs=1.5)
    assert state["img"]["top"] + 50 < state["top"] < state["bottom"] < state["img"]["top"] + state["img"]["height"] - 50

    # playing: the line moves with the player's clock
    page.locator("#mix button[aria-label='Play']").first.click()
    _wait(page, "() => document.getElementById('playhead').dataset.time > 1.5", timeout=15_000)
    state = page.evaluate(PLAYHEAD_JS)
    assert not state["paused"] and 1.5 < state["time"] < state["duration"]
    assert state["x"] == pytest.approx(_lane_x(state["img"], state["time"], state["duration"]), abs=3)  # ≤ a frame apart
    page.locator("#mix button[aria-label='Pause']").first.click()

    # scrubbing the player elsewhere moves the line there
    page.evaluate("""() => { const walk = (root) => { for (const el of root.querySelectorAll('*')) {
        if (el.tagName === 'AUDIO' && el.currentSrc) { el.currentTime = 6.25; return; }
        if (el.shadowRoot) walk(el.shadowRoot); } }; walk(document.getElementById('mix')); }""")
    page.wait_for_timeout(200)
    state = page.evaluate(PLAYHEAD_JS)
    assert state["time"] == pytest.approx(6.25, abs=0.05)
    assert state["x"] == pytest.approx(_lane_x(state["img"], 6.25, state["duration"]), abs=1.5)

    # a click on the timeline at second 2 seeks the player there
    img = state["img"]
    target = _lane_x(img, 2.0, state["duration"]) - img["left"]
    page.locator("#timeline img").click(position={"x": target, "y": 150})
    page.wait_for_timeout(200)
    state = page.evaluate(PLAYHEAD_JS)
    assert state["time"] == pytest.approx(2.0, abs=0.1)
    assert state["x"] == pytest.approx(_lane_x(state["img"], 2.0, state["duration"]), abs=1.5)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#timeline").screenshot(path=str(ARTIFACTS / "ui-timeline-playhead.png"))

    # laptop and phone: no icon sits on a label or sticks out of its box, and Make is in view at the top
    for size, name in (({"width": 1280, "height": 720}, "1280x720"), ({"width": 390, "height": 844}, "phone")):
        page.set_viewport_size(size)
        page.evaluate("() => window.scrollTo(0, 0)")
        page.wait_for_timeout(800)
        found = page.evaluate(OVERLAPS_JS)
        assert found["icons"] >= 6 and found["bad"] == [], (name, found)
        make = page.locator("#generate").bounding_box()
        assert make is not None and make["y"] >= 0 and make["y"] + make["height"] <= size["height"], (name, make)
        page.screenshot(path=str(ARTIFACTS / f"ui-top-{name}.png"))
    context.close()


def test_a_short_mix_is_not_stuck_behind_long_ones_and_a_waiting_run_is_told_its_place(
        server, browser, darknet_photos):
    url, _ = server
    long_seconds = 120  # "long" for this server (over LONG_MIX), and slow enough that the short run ends first

    def ready(photo: str, seconds: int):
        """A page with the photo uploaded and the duration set, one click from making."""
        context, page = _open(browser, url)
        _upload(page, darknet_photos / photo)
        page.get_by_text("Settings", exact=True).click()
        _set_duration(page, seconds)
        return context, page

    # both long mixes are clicked within a moment of each other (pages made ready first), so one of them
    # holds the long slot while the other waits, however fast this machine makes a mix
    ctx_a, first_long = ready("dog.jpg", long_seconds)
    ctx_c, second_long = ready("horses.jpg", long_seconds)
    ctx_b, short = ready("eagle.jpg", MIX_SECONDS)
    first_long.click("#generate")
    second_long.click("#generate")
    # the long mix that waits for the other says so, with its place and an expected start
    _wait(first_long, "() => document.body.innerText.match(/In line|reading image|loading scene|analysing|"
                      "finding|planning|rendering|writing|Done:/)", timeout=120_000)
    _wait(second_long, "() => document.body.innerText.match(/In line|reading image|loading scene|analysing|"
                       "finding|planning|rendering|writing|Done:/)", timeout=120_000)
    if "In line" not in second_long.evaluate("() => document.body.innerText"):
        first_long, second_long = second_long, first_long  # the horses reached the server first
    words = second_long.evaluate("() => document.body.innerText.match(/In line[^\\n]*/)[0]")
    assert "waiting for a free slot" in words or "1 run ahead" in words
    assert "should start in about" in words
    ARTIFACTS.mkdir(exist_ok=True)
    second_long.screenshot(path=str(ARTIFACTS / "ui-queue-waiting.png"))

    # meanwhile a short mix goes straight through: it never waits in line and is done first
    short.click("#generate")
    started = time.monotonic()
    waited = False
    while "Done:" not in short.locator("#status").inner_text():
        waited = waited or "In line" in short.locator("body").inner_text()
        assert time.monotonic() - started < 240, short.locator("#status").inner_text()
        short.wait_for_timeout(250)
    short_took = time.monotonic() - started
    assert not waited
    assert "Done:" not in second_long.locator("#status").inner_text()
    _status_has(second_long, "#status", "Done:", timeout=400_000)
    _status_has(first_long, "#status", "Done:", timeout=60_000)
    print(f"short {MIX_SECONDS} s mix done in {short_took:.1f} s while two {long_seconds} s mixes were made")
    for context in (ctx_a, ctx_b, ctx_c):
        context.close()


def test_a_session_keeps_its_runs_under_the_storage_cap_oldest_removed_first(server, browser, darknet_photos):
    url, root = server
    context, page = _open(browser, url)
    runs = []
    _upload(page, darknet_photos / "dog.jpg")
    for _ in range(3):
        before = _href(page, "#mix") if page.locator("#mix a[download]").count() else None
        page.click("#generate")
        _wait(page, "(b) => { const a = document.querySelector('#mix a[download]'); "
                    "return a && a.getAttribute('href') !== b && document.querySelector('#status').innerText"
                    ".startsWith('Done:'); }", before)
        runs.append(Path(_href(page, "#mix").split("/file=", 1)[1]).parent.parent)
        page.wait_for_timeout(2500)  # the desk's warm-up; then the next run
    from image_extender.ui.sessions import folder_bytes

    session = runs[-1].parent
    kept = sorted(p for p in session.iterdir() if p.is_dir())
    # the first run went when the third started (two runs were over the cap), the others stay
    assert not runs[0].exists() and runs[1].exists() and runs[2].exists()
    assert sum(folder_bytes(r) for r in kept if r != runs[-1]) <= SESSION_MB * 1024 * 1024
    # ... and the list of earlier runs offers only what is still there
    page.locator("#runs input").click(force=True)
    options = page.get_by_role("option")
    options.first.wait_for(timeout=10_000)
    assert options.count() == 2
    page.keyboard.press("Escape")
    context.close()


def test_re_mix_at_a_new_length_re_renders_without_new_analysis_and_takes_its_turn(server, browser, darknet_photos):
    url, _ = server
    context, page = _open(browser, url)
    _upload(page, darknet_photos / "dog.jpg")
    page.click("#generate")
    _wait(page, AUDIO_JS, "mix", timeout=240_000)
    assert len(_fetch_wav(context, page, "#mix")) == pytest.approx(MIX_SECONDS * 44100, rel=0.02)
    page.get_by_text("Settings", exact=True).click()
    _set_duration(page, MIX_SECONDS + 4)
    href = _href(page, "#mix")
    page.click("#remix")
    _status_has(page, "#status", "Re-mixed with the new settings", timeout=180_000)
    _wait(page, "(h) => document.querySelector('#mix a[download]')?.getAttribute('href') !== h", href)
    mix = _fetch_wav(context, page, "#mix")
    assert len(mix) == pytest.approx((MIX_SECONDS + 4) * 44100, rel=0.02)
    assert "went wrong" not in page.locator("#status").inner_text()
    context.close()
