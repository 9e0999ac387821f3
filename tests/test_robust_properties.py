"""Property tests (hypothesis): random hand edits of a real manifest, random settings.

The property, from issue 12: a valid result or one clean error — never a traceback, never
a sample over the ceiling. The manifest is a real ``sonify dog.jpg`` output (the
``soundscape`` fixture); hypothesis edits one to three of its values at a time, with
values inside, at and far outside their ranges, and of the wrong type.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from image_extender.errors import ImageExtenderError, SettingsError
from image_extender.pipeline import render_manifest
from image_extender.settings import load_settings

JUNK = st.one_of(st.none(), st.text(max_size=4), st.lists(st.integers(), max_size=2), st.booleans())
FINITE = {"allow_nan": False, "allow_infinity": False}

# JSON path template -> values to try there ({t}: a track, {e}: one of its events)
EDITS: dict[str, st.SearchStrategy] = {
    "version": st.integers(-2, 4),
    # above the 3600 s limit, not at it: hypothesis favours bounds, and a valid hour-long mix took
    # one suite run 12 minutes to render; a mix within the limit is what every other example renders
    "mix.duration": st.one_of(st.floats(0.2, 10.0), st.floats(-1e9, 0.0, **FINITE),
                              st.floats(3600.0, 1e12, exclude_min=True, **FINITE)),
    "mix.sample_rate": st.one_of(st.sampled_from([8000, 22050, 48000, 96000]), st.integers(-10**6, 7999),
                                 st.integers(192_001, 10**9)),
    "mix.ceiling_dbfs": st.floats(-80.0, 30.0),
    "mix.seed": st.integers(-2**40, 2**40),
    "mix.level_unit": st.sampled_from(["dbfs", "lufs", "sones"]),
    "tracks.{t}.gain_db": st.floats(-300.0, 300.0),
    "tracks.{t}.target_db": st.floats(-300.0, 300.0),
    "tracks.{t}.pan": st.floats(-100.0, 100.0),
    "tracks.{t}.loop": st.booleans(),
    "tracks.{t}.crossfade": st.floats(-1.0, 5000.0),
    "tracks.{t}.role": st.sampled_from(["object", "ambience", "music"]),
    "tracks.{t}.events.{e}.start": st.floats(-10.0, 5000.0),
    "tracks.{t}.events.{e}.offset": st.floats(-10.0, 1e6),
    "tracks.{t}.events.{e}.length": st.floats(-1.0, 5000.0),
    "tracks.{t}.events.{e}.fade_in": st.floats(-1.0, 100.0),
    "tracks.{t}.events.{e}.fade_out": st.floats(-1.0, 100.0),
    "tracks.{t}.sound.path": st.sampled_from(["../x.wav", "/etc/passwd", "sounds/../../x.wav", "sounds", "",
                                              "manifest.json", "sounds/nope.ogg"]),
    "tracks.{t}.choice_index": st.integers(-5, 50),
}


@st.composite
def edits(draw) -> list[tuple[str, object]]:
    out = []
    for _ in range(draw(st.integers(1, 3))):
        template = draw(st.sampled_from(sorted(EDITS)))
        value = draw(st.one_of(EDITS[template], JUNK) if draw(st.integers(0, 9)) == 0 else EDITS[template])
        out.append((template.format(t=draw(st.integers(0, 2)), e=0), value))
    return out


def apply(data: dict, path: str, value: object) -> None:
    *keys, last = path.split(".")
    node = data
    for key in keys:
        node = node[int(key) % len(node)] if key.isdigit() else node[key]
    node[int(last) % len(node) if last.isdigit() else last] = value


@pytest.fixture(scope="module")
def original(soundscape) -> dict:
    data = json.loads((soundscape / "manifest.json").read_text())
    data["mix"]["duration"] = 4.0  # keep each example's render short
    for track in data["tracks"]:
        track["eq"] = []
        for event in track["events"]:
            event["length"] = min(event["length"], 4.0)
    return data


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=edits())
@example(changes=[("tracks.0.choice_index", -4)])  # found by a suite run: Python read it from the end, then past it
def test_an_edited_manifest_renders_under_its_ceiling_or_fails_in_one_line(soundscape, original, tmp_path, changes):
    work = tmp_path / "work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(soundscape, work)
    data = copy.deepcopy(original)
    for path, value in changes:
        apply(data, path, value)
    (work / "manifest.json").write_text(json.dumps(data))
    out = work / "out"
    try:
        manifest = render_manifest(work / "manifest.json", out)
    except ImageExtenderError as exc:
        event(f"clean error, exit {exc.exit_code}")
        text = str(exc)
        assert text and "\n" not in text, text
        assert not out.exists()
        assert not [p for p in work.iterdir() if ".partial" in p.name]
        return
    event("rendered")
    mix, sr = sf.read(out / "mix.wav", always_2d=True)
    assert sr == manifest.mix.sample_rate
    assert np.all(np.isfinite(mix))
    ceiling = 10.0 ** (manifest.mix.ceiling_dbfs / 20.0)
    peak = float(np.max(np.abs(mix))) if mix.size else 0.0
    assert peak <= ceiling * (1.0 + 1e-4) + 2.0**-23, f"peak {20 * np.log10(peak):.2f} dBFS over {manifest.mix.ceiling_dbfs} dBFS"


SETTING_VALUES = {
    "duration": st.one_of(st.floats(), st.integers(-10, 10_000)),
    "sample_rate": st.integers(-10, 400_000),
    "seed": st.integers(-2**70, 2**70),
    "ceiling_dbfs": st.floats(),
    "object_db_min": st.floats(),
    "object_db_max": st.floats(),
    "eq_max_cut_db": st.floats(),
    "optimize_seconds": st.floats(),
    "mode": st.text(max_size=8),
    "analyzer": st.sampled_from(["offline", "openai", "hybrid", "magic", ""]),
}


@settings(max_examples=200, deadline=None)
@given(overrides=st.dictionaries(st.sampled_from(sorted(SETTING_VALUES)), st.none(), max_size=4).flatmap(
    lambda keys: st.fixed_dictionaries({k: SETTING_VALUES[k] for k in keys})))
def test_random_settings_load_or_fail_with_one_line_naming_the_flag(overrides):
    try:
        s = load_settings(**overrides)
    except SettingsError as exc:
        text = str(exc)
        assert "\n" not in text
        assert any(f"'{k}'" in text for k in overrides) or "object_db_min must not exceed" in text, text
        return
    assert 0 < s.duration <= 3600 and np.isfinite(s.duration)
    assert 0 <= s.seed < 2**32
    assert -60 <= s.ceiling_dbfs <= 0
    assert s.object_db_min <= s.object_db_max
