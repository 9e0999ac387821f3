"""`image-extender freesound filters|search` through the real CLI.

The filter knobs a Freesound user knows, typed on the command line, shown with the exact
``filter`` the API receives, saved into ``[freesound]`` of the settings file — and a
later ``sonify --source freesound`` (against tests/fake_freesound.py, real recordings)
really searches with them.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from image_extender.cli import app
from image_extender.manifest import Manifest
from image_extender.sounds.freesound import FreesoundSettings
from test_sonify_online import (  # noqa: F401  (fixtures)
    DOG_BARK_SINGLE,
    DOG_SONG,
    FS_KEY,
    PHOTOS,
    choice_for,
    freesound_server,
    online,
    openai_server,
    template,
)

runner = CliRunner()


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A folder without a settings file, as the current directory."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IMAGE_EXTENDER_CONFIG", raising=False)
    return tmp_path


def filters(*args: str):
    return runner.invoke(app, ["freesound", "filters", *args])


def line(output: str, head: str) -> str:
    return next(ln for ln in output.splitlines() if ln.startswith(head))[len(head):].strip()


def test_defaults_show_the_exact_filter_and_sort_sent(here):
    result = filters()
    assert result.exit_code == 0, result.output
    assert line(result.output, "filter") == "avg_rating:[4 TO *] num_downloads:[500 TO *]"
    # objects fill the open duration end with object_max_duration, beds with ambience_min_duration
    assert line(result.output, "sent for objects") == "filter=avg_rating:[4 TO *] num_downloads:[500 TO *] duration:[* TO 60]"
    assert line(result.output, "sent for beds") == "filter=avg_rating:[4 TO *] num_downloads:[500 TO *] duration:[10 TO *]"
    assert line(result.output, "sort") == "sort=rating_desc"
    assert line(result.output, "relaxes to") == "rating≥3.5, downloads≥200 → rating≥3, downloads≥50 → rating≥2.5, downloads≥10"


def test_every_knob_from_the_command_line_in_the_apis_syntax(here):
    result = filters("--min-rating", "3.5", "--min-downloads", "100", "--duration", "1-30", "--licence", "cc0,cc-by",
                     "--samplerate", "44100,48000", "--channels", "2", "--type", "wav,flac", "--sort", "downloads>rating")
    assert result.exit_code == 0, result.output
    assert line(result.output, "filter") == (
        'avg_rating:[3.5 TO *] num_downloads:[100 TO *] duration:[1 TO 30] license:("Attribution" OR "Creative Commons 0") '
        "samplerate:(44100 OR 48000) channels:2 type:(flac OR wav)"
    )
    assert line(result.output, "sort") == "sort=downloads_desc"
    assert line(result.output, "--licence") == "cc-by,cc0   (flag)"
    assert not (here / "image-extender.toml").exists()  # nothing written without --save


def test_every_knob_accepts_any_and_any_everywhere_means_no_filter(here):
    knobs = ["--min-rating", "--min-downloads", "--duration", "--licence", "--samplerate", "--channels", "--type"]
    result = filters(*[x for k in knobs for x in (k, "any")], "--save")
    assert result.exit_code == 0, result.output
    assert line(result.output, "filter") == "(none)"
    saved = FreesoundSettings.load_from_toml(here / "image-extender.toml").filters
    assert all(v == "any" for v in saved.model_dump().values())


def test_random_mode_sends_no_quality_thresholds(here):
    result = filters("--mode", "random", "--licence", "cc0")
    assert line(result.output, "sent for objects") == 'filter=duration:[* TO 60] license:"Creative Commons 0"'
    assert "sort=score, then a shuffle seeded with 0" in result.output


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--min-rating", "7", "between 0 and 5"),
        ("--min-rating", "four", "not a rating"),
        ("--min-downloads", "-5", ">= 0"),
        ("--duration", "30-1", "must not exceed"),
        ("--duration", "10", "MIN-MAX"),
        ("--licence", "gpl", "unknown licence 'gpl'"),
        ("--samplerate", "44k", "sample rates"),
        ("--channels", "0", ">= 1"),
        ("--type", "exe", "unknown file type 'exe'"),
        ("--sort", "rating", "rating>downloads, downloads>rating"),
        ("--mode", "worst", "'best' or 'random'"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_flag_and_the_file_stays_untouched(here, flag, value, says):
    path = here / "image-extender.toml"
    original = "# mine\nseed = 3\n\n[freesound.filters]\nmin_rating = 3.0\n"
    path.write_text(original, encoding="utf-8")
    result = filters(flag, value, "--save")
    assert result.exit_code != 0
    errors = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(errors) == 1 and errors[0].startswith(f"error: {flag}:") and says in errors[0], result.output
    assert path.read_text(encoding="utf-8") == original


def test_save_writes_the_freesound_section_and_keeps_other_keys_and_comments(here):
    path = here / "image-extender.toml"
    path.write_text("# my settings\nseed = 3\nduration = 12.0\n\n[freesound]\n# be gentle\nrequests_per_minute = 30\n",
                    encoding="utf-8")  # fmt: skip
    result = filters("--licence", "cc0", "--min-rating", "4.5", "--save")
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert "# my settings" in text and "# be gentle" in text and "seed = 3" in text and "duration = 12.0" in text
    fs = FreesoundSettings.load_from_toml(path)
    assert fs.requests_per_minute == 30 and fs.filters.licences == ["cc0"] and fs.filters.min_rating == 4.5
    # the next call starts from the file: flags change only what they name
    again = filters("--channels", "1")
    assert line(again.output, "filter") == 'avg_rating:[4.5 TO *] num_downloads:[500 TO *] license:"Creative Commons 0" channels:1'


def test_config_flag_names_the_file_and_a_missing_one_is_created_only_with_save(here):
    target = here / "conf" / "fs.toml"
    assert filters("--config", str(target)).exit_code != 0
    assert filters("--config", str(target), "--type", "wav", "--save").exit_code == 0
    assert FreesoundSettings.load_from_toml(target).filters.file_types == ["wav"]


def test_saved_filters_are_what_a_later_sonify_searches_with(online, tmp_path, freesound_server):
    config = tmp_path / "image-extender.toml"
    saved = filters("--licence", "cc0", "--min-rating", "4.5", "--save", "--config", str(config))
    assert saved.exit_code == 0, saved.output
    result = runner.invoke(app, ["sonify", str(PHOTOS / "dog.jpg"), "-o", str(tmp_path / "out"), "--duration", "10",
                                 "--source", "freesound", "--config", str(config)])  # fmt: skip
    assert result.exit_code == 0, result.output
    searches = [e.params.get("filter", "") for e in freesound_server.log if e.path == "/apiv2/search/"]
    assert searches and all('license:"Creative Commons 0"' in f for f in searches)
    assert any(f.startswith("avg_rating:[4.5 TO *]") for f in searches)
    manifest = Manifest.load(tmp_path / "out" / "manifest.json")
    used = [c.sound for c in manifest.choices if c.sound is not None]
    assert used and all(s.licence == "CC0 1.0" for s in used), [s.licence for s in used]
    assert choice_for(manifest, "dog").sound.id == DOG_BARK_SINGLE  # the CC0, 4.62-rated bark
    assert manifest.settings["freesound"]["filters"]["licences"] == ["cc0"]
    assert FS_KEY not in json.dumps(manifest.settings)


def test_search_lists_what_a_tag_would_get_with_the_verifiers_verdict(online, freesound_server):
    result = runner.invoke(app, ["freesound", "search", "dog barking", "-n", "5"])
    assert result.exit_code == 0, result.output
    rows = {ln.split("│")[1].strip(): ln for ln in result.output.splitlines() if ln.count("│") > 5 and ln.split("│")[1].strip().isdigit()}
    assert DOG_SONG in rows and DOG_BARK_SINGLE in rows
    assert "│ no " in rows[DOG_SONG] and "│ ok " in rows[DOG_BARK_SINGLE]  # a song called "Dog" is not a bark
    assert "4.62" in rows[DOG_BARK_SINGLE] and "48211" in rows[DOG_BARK_SINGLE]
    assert freesound_server.count("/apiv2/search/") == 1 and freesound_server.count("/previews/") == 0
