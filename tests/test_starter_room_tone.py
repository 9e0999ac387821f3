"""Starter sources for the quiet of a room (issue #15, "no room tone"): GNOME Pomodoro's clock
ticking in a quiet room and Endless Sky's machinery hum inside a building, each read from its
real Debian package. With them in the library, a room with nothing else heard gets the quiet
of a room, not a fire crackling in a hearth that is not there."""

from __future__ import annotations

from pathlib import Path

import pytest

from starter_folders import assert_real_credited_files, bed_text, library_of, materialized, records
from image_extender.library.starter import endless_sky, homedecor, pomodoro

SOURCES = [pomodoro, endless_sky, homedecor]


@pytest.fixture(scope="module")
def folders() -> dict[str, Path]:
    return materialized(SOURCES)


def seconds(path: Path) -> float:
    from image_extender.library.audio_io import read_audio

    samples, rate = read_audio(path)
    return samples.shape[0] / rate


def test_the_clock_and_the_hum_are_real_credited_beds(folders):
    clock = records(folders[pomodoro.NAME])
    assert sorted(clock) == ["clock.ogg"]  # the UI bells and the timer are left out
    assert clock["clock.ogg"].kind == "bed" and clock["clock.ogg"].licence == "GPL-3+"
    assert "quiet room" in clock["clock.ogg"].description and seconds(folders[pomodoro.NAME] / "clock.ogg") > 14
    assert_real_credited_files(folders[pomodoro.NAME], clock, min_rate=44100, min_frames_per=1)
    hum = records(folders[endless_sky.NAME])
    assert list(hum) == ["machinery.mp3"]  # an MP3: the only one among the game's sounds kept
    assert hum["machinery.mp3"].kind == "bed" and hum["machinery.mp3"].licence == "public-domain"
    assert_real_credited_files(folders[endless_sky.NAME], hum, min_rate=44100, min_frames_per=1)
    assert seconds(folders[endless_sky.NAME] / "machinery.mp3") > 150


@pytest.fixture(scope="module")
def finder(folders, tmp_path_factory):
    from image_extender.settings import load_settings
    from image_extender.sounds.factory import build_finder

    root = tmp_path_factory.mktemp("room-tone-data")
    report = library_of(folders, root)
    assert not report.failed and report.total == 14
    return build_finder(load_settings(data_dir=root, source="library", verifier="embedding"))


@pytest.mark.parametrize("place, words", [
    ("indoor room", ("clock",)),
    ("living room", ("clock",)),
    ("bedroom", ("clock",)),
    ("bathroom", ("shower", "tap")),
])  # fmt: skip
def test_a_room_with_nothing_else_heard_sounds_like_a_quiet_room(finder, place, words):
    """Beside Home Decor's fireplace and shower, a room, a living room and a bedroom are heard
    by the clock of a quiet room; a bathroom keeps its shower."""
    text = bed_text(finder, place)
    assert any(w in text for w in words) and "fireplace" not in text, (place, text)
