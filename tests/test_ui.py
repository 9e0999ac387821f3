"""Web UI, fast part: session isolation, name sanitising, cleanup, the file-URL guard, boxes.

The browser end-to-end run lives in test_ui_browser.py.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings as hsettings, strategies as st
from PIL import Image

from image_extender.errors import SettingsError
from image_extender.ui.sessions import SessionStore, is_inside, sanitize_filename

# --------------------------------------------------------------------------- sanitising


@pytest.mark.parametrize(("name", "expected"), [
    ("dog.jpg", "dog.jpg"),
    ("../../etc/passwd", "passwd"),
    ("..\\..\\windows\\win.ini", "win.ini"),
    ("/abs/path/photo.PNG", "photo.PNG"),
    ("..", "photo"),
    (".", "photo"),
    ("", "photo"),
    (None, "photo"),
    (".bashrc", "bashrc"),
    ("ça va? (1).jpeg", "ca_va_1.jpeg"),
    ("evil\x00.jpg", "evil.jpg"),
    ("a b;rm -rf ~.jpg", "a_b_rm_-rf.jpg"),
])
def test_uploaded_names_become_plain_safe_names(name, expected):
    assert sanitize_filename(name) == expected


def test_long_names_are_cut_but_keep_their_extension():
    name = sanitize_filename("x" * 500 + ".jpg")
    assert name.endswith(".jpg") and len(name) <= 80 + 4


@hsettings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=200))
def test_no_name_escapes_the_folder_it_is_joined_to(tmp_path_factory, name):
    root = tmp_path_factory.getbasetemp()
    safe = sanitize_filename(name)
    assert safe and "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert (root / safe).resolve().parent == root.resolve()


# --------------------------------------------------------------------------- sessions


@pytest.fixture()
def store(tmp_path) -> SessionStore:
    return SessionStore(tmp_path / "ui", max_age=60.0)


def test_each_browser_gets_its_own_unguessable_folder(store):
    a, b = store.new_token(), store.new_token()
    run_a, run_b = store.new_run(a), store.new_run(b)
    assert run_a.parent != run_b.parent
    assert run_a.parent.parent == run_b.parent.parent == store.sessions_root
    # the folder name is a keyed hash of the token: neither the token nor derivable from it without the key
    assert a not in str(run_a) and len(run_a.parent.name) == 32
    other_server = SessionStore(store.root, secret=b"another key")
    assert other_server.dir_name(a) != store.dir_name(a)
    # every run is a fresh folder
    assert store.new_run(a) != run_a


def test_a_session_reads_only_its_own_files(store):
    a, b = store.new_token(), store.new_token()
    file_a = store.new_run(a) / "mix.wav"
    file_a.write_bytes(b"RIFF")
    file_b = store.new_run(b) / "mix.wav"
    file_b.write_bytes(b"RIFF")
    assert store.may_read(a, file_a) and not store.may_read(a, file_b)
    assert store.may_read(b, file_b) and not store.may_read(b, file_a)
    # no token, a forged token, traversal out of one's own folder, the folders themselves
    assert not store.may_read(None, file_a)
    assert not store.may_read("x" * 43, file_a)
    assert not store.may_read(a, str(file_a.parent.parent) + "/../" + file_b.parent.parent.name + "/" +
                              file_b.parent.name + "/mix.wav")
    assert not store.may_read(a, store.sessions_root)


def test_a_symlink_into_another_session_does_not_open_it(store):
    a, b = store.new_token(), store.new_token()
    secret = store.new_run(b) / "photo-private.jpg"
    secret.write_bytes(b"\xff\xd8")
    link = store.new_run(a) / "link.jpg"
    link.symlink_to(secret)
    assert not store.may_read(a, link)


def test_uploads_are_readable_only_by_who_uploaded_them(store):
    a, b, c = store.new_token(), store.new_token(), store.new_token()
    upload = store.root / ("ab" * 32) / "dog.jpg"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"\xff\xd8")
    assert store.may_read(c, upload)  # unknown to us: Gradio's own checks decide
    store.remember_upload(a, upload)
    assert store.may_read(a, upload) and not store.may_read(c, upload)
    store.remember_upload(b, upload)  # same bytes uploaded by b: same content-addressed path
    assert store.may_read(b, upload) and not store.may_read(c, upload)
    example = store.root / ("cd" * 32) / "eagle.jpg"
    example.parent.mkdir(parents=True)
    example.write_bytes(b"\xff\xd8")
    store.make_public(example)
    store.remember_upload(a, example)  # uploading an example photo does not make it private
    assert store.may_read(c, example)


def test_delete_removes_this_session_and_nothing_else(store):
    a, b = store.new_token(), store.new_token()
    (store.new_run(a) / "mix.wav").write_bytes(b"a")
    kept = store.new_run(b) / "mix.wav"
    kept.write_bytes(b"b")
    assert store.delete(a)
    assert not store.session_dir(a).exists()
    assert kept.read_bytes() == b"b"
    assert not store.delete(a)  # nothing left to delete


def test_abandoned_sessions_are_swept_after_max_age(store):
    idle, active = store.new_token(), store.new_token()
    (store.new_run(idle) / "mix.wav").write_bytes(b"x")
    (store.new_run(active) / "mix.wav").write_bytes(b"y")
    old = time.time() - 61.0
    os.utime(store.session_dir(idle), (old, old))
    removed = store.sweep()
    assert removed == [store.session_dir(idle)]
    assert not store.session_dir(idle).exists() and store.session_dir(active).exists()


def test_the_sweeper_thread_cleans_up_in_the_background(tmp_path):
    store = SessionStore(tmp_path / "ui", max_age=0.2)
    store.new_run(store.new_token())
    store.start_sweeper(interval=0.1)
    try:
        deadline = time.time() + 5
        while any(store.sessions_root.iterdir()) and time.time() < deadline:
            time.sleep(0.05)
        assert not any(store.sessions_root.iterdir())
    finally:
        store.stop_sweeper()


def test_is_inside_compares_resolved_paths_not_prefixes(tmp_path):
    (tmp_path / "ab").mkdir()
    (tmp_path / "abc").mkdir()
    assert is_inside(tmp_path / "ab" / "x", tmp_path / "ab")
    assert not is_inside(tmp_path / "abc" / "x", tmp_path / "ab")  # a shared prefix is not containment
    assert not is_inside(tmp_path / "ab" / ".." / "abc", tmp_path / "ab")


# --------------------------------------------------------------------------- settings from the page


def test_page_filters_map_to_freesound_filters_with_any():
    from image_extender.ui.app import filters_from_page

    f = filters_from_page("4", "any", "1", "any", ["cc0", "by"], ["48000", "44100"], "2", [])
    assert f == {"min_rating": 4.0, "min_downloads": "any", "min_duration": 1.0, "max_duration": "any",
                 "licences": ["by", "cc0"], "sample_rates": [44100, 48000], "channels": 2, "file_types": "any"}
    with pytest.raises(SettingsError, match="min_rating"):
        filters_from_page("lots", "any", "any", "any", [], [], "any", [])
    with pytest.raises(SettingsError, match="min_duration"):
        filters_from_page("any", "any", "30", "5", [], [], "any", [])


def test_run_settings_validate_like_the_cli(tmp_path, monkeypatch):
    from image_extender.ui.app import filters_from_page, run_settings

    (tmp_path / "empty.toml").write_text("")  # no settings of its own (a missing file is an error)
    monkeypatch.setenv("IMAGE_EXTENDER_CONFIG", str(tmp_path / "empty.toml"))
    filters = filters_from_page("any", "50", "any", "any", [], [], "any", ["wav"])
    s = run_settings({}, analyzer="offline", source="library", mode="random", sort="downloads>rating",
                     duration=12, seed=7, filters=filters)
    assert (s.mode, s.duration, s.seed, s.freesound.sort) == ("random", 12.0, 7, "downloads>rating")
    assert s.freesound.filters.min_downloads == 50 and s.freesound.filters.file_types == ["wav"]
    with pytest.raises(SettingsError, match="duration"):
        run_settings({}, analyzer="offline", source="library", mode="best", sort="rating>downloads",
                     duration=-1, seed=0, filters=filters)


def test_saved_filters_are_written_to_the_settings_file_keeping_the_rest(tmp_path, monkeypatch):
    from image_extender.settings import load_settings
    from image_extender.ui.app import filters_from_page, write_filters_to_file

    path = tmp_path / "image-extender.toml"
    path.write_text("# my settings\nduration = 12.0  # short mixes\n\n[freesound]\npreview = \"mp3\"\n")
    filters = filters_from_page("3.5", "any", "any", "20", ["cc0"], [], "any", [])
    write_filters_to_file(path, filters, "downloads>rating")
    text = path.read_text()
    assert "# my settings" in text and "# short mixes" in text
    monkeypatch.setenv("IMAGE_EXTENDER_CONFIG", str(path))
    s = load_settings()
    assert s.duration == 12.0 and s.freesound.preview == "mp3" and s.freesound.sort == "downloads>rating"
    assert s.freesound.filters.min_rating == 3.5 and s.freesound.filters.max_duration == 20.0
    assert s.freesound.filters.licences == ["cc0"] and s.freesound.filters.min_downloads == "any"


def test_only_backends_that_exist_are_offered():
    from image_extender.analyze import ANALYZERS
    from image_extender.ui.app import analyzer_choices, source_choices

    assert "offline" in analyzer_choices() and set(analyzer_choices()) <= set(ANALYZERS)
    assert "library" in source_choices()


def test_error_messages_name_the_users_file_not_server_paths(tmp_path):
    from image_extender.errors import InputError
    from image_extender.ui.app import public_message

    run = tmp_path / "sessions" / "abc" / "run1"
    exc = InputError(f"{run}/photo-notes.jpg: not an image file Pillow can read")
    msg = public_message(exc, {f"{run}/photo-notes.jpg": "notes.jpg", str(run) + "/": ""})
    assert msg == "notes.jpg: not an image file Pillow can read"


# --------------------------------------------------------------------------- boxes


@pytest.fixture(scope="module")
def dog_scene(darknet_photos):
    from image_extender.pipeline import analyze_image
    from image_extender.settings import load_settings

    photo = darknet_photos / "dog.jpg"
    return photo, analyze_image(photo, load_settings())


def test_boxes_are_drawn_where_the_objects_are_in_importance_colours(dog_scene, tmp_path):
    from image_extender.ui.boxes import importance_colour, save_boxes

    photo, scene = dog_scene
    out = save_boxes(photo, scene, tmp_path / "boxes.png")
    original = np.asarray(Image.open(photo).convert("RGB"), dtype=np.int16)
    drawn = np.asarray(Image.open(out).convert("RGB"), dtype=np.int16)
    assert drawn.shape == original.shape
    h, w, _ = drawn.shape
    dog = next(o for o in scene.objects if o.label == "dog")
    top = max(scene.objects, key=lambda o: o.importance)
    # the most important object's box (drawn last) has its exact colour along its bottom edge
    y = round(top.bbox.y1 * (h - 1))
    x0, x1 = round(top.bbox.x0 * (w - 1)) + 10, round(top.bbox.x1 * (w - 1)) - 10
    edge = drawn[y - 1, x0:x1]
    assert np.mean(np.all(edge == importance_colour(top.importance), axis=1)) > 0.5
    # most of the picture is untouched: boxes are outlines, not fills
    changed = np.any(drawn != original, axis=2).mean()
    assert 0.005 < changed < 0.15
    # more important → warmer (more red, less blue)
    assert dog.importance > 0
    warm, cold = importance_colour(1.0), importance_colour(0.0)
    assert warm[0] > cold[0] and warm[2] < cold[2]


# --------------------------------------------------------------------------- the guard in front of Gradio


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from starlette.testclient import TestClient

    from image_extender.ui.app import UIOptions, build_app

    saved = os.environ.get("GRADIO_TEMP_DIR")
    app, store = build_app(UIOptions(root=tmp_path_factory.mktemp("ui-root"), examples=[]))
    try:
        with TestClient(app) as alice, TestClient(app) as bob:
            yield store, alice, bob
    finally:
        if saved is None:
            os.environ.pop("GRADIO_TEMP_DIR", None)
        else:
            os.environ["GRADIO_TEMP_DIR"] = saved


def test_the_page_sets_a_private_session_cookie(served):
    store, alice, _ = served
    page = alice.get("/")
    assert page.status_code == 200
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert store.valid_token(alice.cookies.get("image_extender_session"))
    assert alice.get("/").headers.get("set-cookie") is None  # kept, not renewed


def test_file_urls_are_served_only_to_their_session(served):
    store, alice, bob = served
    alice.get("/")
    bob.get("/")
    a, b = alice.cookies.get("image_extender_session"), bob.cookies.get("image_extender_session")
    assert a != b
    mix = store.new_run(a) / "mix.wav"
    mix.write_bytes(b"RIFF-alice")
    url = f"/gradio_api/file={mix}"
    assert alice.get(url).content == b"RIFF-alice"
    assert bob.get(url).status_code == 404
    # traversal spelled in the URL, and files outside the UI root
    sneaky = f"/gradio_api/file={store.session_dir(b)}/..%2F{mix.parent.parent.name}/{mix.parent.name}/mix.wav"
    assert bob.get(sneaky).status_code == 404
    assert alice.get("/gradio_api/file=/etc/passwd").status_code in (403, 404)
    assert alice.get(f"/gradio_api/file={Path(__file__).resolve()}").status_code in (403, 404)


# ----------------------------------------------------------------- new-user defects (issue 14)


def test_a_negative_or_fractional_seed_is_a_one_line_settings_error():
    from image_extender.errors import SettingsError
    from image_extender.ui.app import check_seed

    assert check_seed(7) == 7 and check_seed(None) is None
    for bad in (-5, 2.5):
        with pytest.raises(SettingsError, match="whole number from 0"):
            check_seed(bad)


def test_transparent_pixels_are_flattened_onto_white_before_analysis(darknet_photos, tmp_path):
    import numpy as np
    from PIL import Image

    from image_extender.ui.photo import prepare_photo

    rgba = Image.open(darknet_photos / "dog.jpg").convert("RGBA")
    alpha = np.array(rgba)
    alpha[:, : rgba.width // 2, 3] = 0  # the left half erased, its pixels still in the file
    src = tmp_path / "erased.png"
    Image.fromarray(alpha).save(src)
    out = prepare_photo(src, tmp_path / "photo-erased.png", "erased.png")
    flat = np.array(Image.open(out).convert("RGB"))
    assert (flat[:, : rgba.width // 2] == 255).all()
    assert flat[:, rgba.width // 2 :].std() > 20  # the visible half is the photo


def test_a_phone_sized_photo_is_downscaled_not_refused(darknet_photos, tmp_path):
    from PIL import Image

    from image_extender.analyze.image import load_image
    from image_extender.ui.photo import MAX_PIXELS, prepare_photo

    big = tmp_path / "phone.jpg"
    Image.open(darknet_photos / "dog.jpg").resize((12000, 9000)).save(big, quality=70)
    out = prepare_photo(big, tmp_path / "photo-phone.jpg", "phone.jpg")
    loaded = load_image(out)  # the pipeline's own loader accepts it
    h, w = loaded.rgb.shape[:2]
    assert w * h <= MAX_PIXELS and abs(w / h - 4 / 3) < 0.01


def test_a_session_over_its_storage_cap_loses_its_oldest_runs_first(store):
    token = store.new_token()
    runs = []
    for _ in range(3):
        run = store.new_run(token)
        (run / "mix.wav").write_bytes(b"\0" * 1000)
        runs.append(run)
        time.sleep(0.01)
    removed = store.cap(token, 2500, keep=runs[-1])
    assert removed == [runs[0]] and runs[1].exists() and runs[2].exists()


def test_box_labels_use_a_font_that_has_the_times_sign():
    from image_extender.ui.boxes import label_font

    font = label_font(16)
    # a missing glyph draws the same box for every unknown character; "×" must differ from it
    assert font.getmask("×").getbbox() != font.getmask("\uffff").getbbox()


def test_the_desk_mutes_solos_and_offsets_gains_on_the_planned_tracks(tmp_path):
    from image_extender.manifest import Event, ImageInfo, Manifest, Scene, Sound, Track
    from image_extender.ui.desk import Strip, edited_manifest

    sound = Sound(provider="library", id="a", path="sounds/a.wav", name="a", licence="CC0", duration=1.0,
                  sample_rate=44100, channels=1)
    tracks = [Track(role="object", label=name, choice_index=0, sound=sound, events=[Event(start=0, length=1)],
                    target_db=-20, gain_db=3.0) for name in ("dog", "car", "bird")]
    base = Manifest(scene=Scene(image=ImageInfo(path="x.jpg", md5="0", width=1, height=1), analyzer="t"),
                    tracks=tracks)
    edited = edited_manifest(base, [Strip(gain_db=-6), Strip(mute=True), Strip()])
    assert [t.label for t in edited.tracks] == ["dog", "bird"]
    assert edited.tracks[0].gain_db == -3.0 and edited.tracks[0].target_db == -26
    soloed = edited_manifest(base, [Strip(), Strip(solo=True), Strip(mute=True)])
    assert [t.label for t in soloed.tracks] == ["car"]


def test_swapping_a_sound_on_the_desk_changes_the_credits_and_keeps_the_level(darknet_photos, tmp_path, monkeypatch):
    """A real run (dog photo, starter library), then the ambience swapped for another library bed."""
    from image_extender.manifest import Manifest
    from image_extender.mix.render import StemCache
    from image_extender.pipeline import sonify, write_outputs
    from image_extender.settings import load_settings
    from image_extender.ui.desk import Strip, edited_manifest, search_candidates, swap_sound

    monkeypatch.setenv("IMAGE_EXTENDER_CONFIG", str(tmp_path / "empty.toml"))
    (tmp_path / "empty.toml").write_text("")
    settings = load_settings(duration=8.0)
    run = tmp_path / "out"
    sonify(darknet_photos / "dog.jpg", run, settings)
    base = Manifest.load(run / "manifest.json")
    bed = next(i for i, t in enumerate(base.tracks) if t.role == "ambience")
    other = next(s for s in search_candidates(settings, base.tracks[bed].sound.name, "ambience")
                 if s.id != base.tracks[bed].sound.id)
    strips = [Strip() for _ in base.tracks]
    strips[bed].sound = swap_sound(base.tracks[bed], other, StemCache(base.mix), run)
    written = write_outputs(edited_manifest(base, strips), tmp_path / "take", base_dir=run, overwrite=False)
    credits = (tmp_path / "take" / "CREDITS.md").read_text()
    assert other.name in credits and base.tracks[bed].sound.name not in credits
    report = next(t for t in written.report.tracks if t.label == base.tracks[bed].label)
    assert abs(report.error_db) < 0.5  # the new recording plays at the planned level


def test_visitors_cannot_write_the_server_settings_file_unless_the_server_allows_it(tmp_path, monkeypatch):
    from image_extender.ui.app import UIOptions, build_blocks

    monkeypatch.setenv("IMAGE_EXTENDER_CONFIG", str(tmp_path / "empty.toml"))
    (tmp_path / "empty.toml").write_text("")
    store = SessionStore(tmp_path / "root")

    def to_file_visible(options) -> bool:
        demo = build_blocks(store, options)
        return next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "to-file").visible

    assert to_file_visible(UIOptions(examples=[Path("x.jpg")])) is False
    assert to_file_visible(UIOptions(examples=[Path("x.jpg")], allow_settings_file=True)) is True


def test_the_why_trail_names_each_sound_once():
    from image_extender.manifest import TrailStep
    from image_extender.ui.app import readable_trail

    steps = [TrailStep(action="search", query="dog barking"),
             TrailStep(action="candidate", query="dog barking", sound_id="a", score=0.8),
             TrailStep(action="accept", query="dog barking", sound_id="a", score=0.8, detail="names dog"),
             TrailStep(action="search", query="dog barking")]
    assert [s.action for s in readable_trail(steps)] == ["search", "accept"]


def test_the_playhead_layout_matches_where_the_timeline_draws_the_mix(soundscape):
    """The page's playhead puts second t at LAYOUT's fractions of timeline.png: the mix lane's
    dashed ceiling lines (axhline: the lane's full width, 0 s to the end) must start and end there,
    and lie between LAYOUT's top and bottom."""
    import numpy as np
    from PIL import Image

    from image_extender.ui.playhead import LAYOUT

    pixels = np.asarray(Image.open(soundscape / "timeline.png").convert("RGB")).astype(int)
    height, width, _ = pixels.shape
    ceiling_red = np.all(np.abs(pixels - np.array([0xC0, 0x39, 0x2B])) < 12, axis=2)
    lines = np.argsort(ceiling_red.sum(axis=1))[-2:]  # the two dashed rows
    cols = np.nonzero(ceiling_red[lines].any(axis=0))[0]
    assert cols.size > 0.5 * (LAYOUT["right"] - LAYOUT["left"]) * width  # dashes along the whole lane
    assert cols.min() == pytest.approx(LAYOUT["left"] * width, abs=5)
    assert cols.max() == pytest.approx(LAYOUT["right"] * width, abs=5)
    assert LAYOUT["top"] < lines.min() and lines.max() < height - LAYOUT["bottom"]


def test_a_file_that_is_no_picture_is_told_apart_at_upload(darknet_photos, tmp_path):
    from image_extender.ui.photo import unreadable

    notes = tmp_path / "holiday.jpg"
    notes.write_text("these are my notes, not a photo\n")
    assert unreadable(notes, "holiday.jpg").startswith("holiday.jpg is not an image file")
    assert unreadable(darknet_photos / "dog.jpg", "dog.jpg") is None
    png = tmp_path / "dog.png"
    from PIL import Image

    Image.open(darknet_photos / "dog.jpg").save(png)
    assert unreadable(png, "dog.png") is None
