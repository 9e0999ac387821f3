"""Sonify with online services, end to end through the real CLI, against local fake servers.

``image-extender sonify dog.jpg --source freesound`` on darknet's real dog photo, served by
tests/fake_freesound.py (a real HTTP server on 127.0.0.1 over a catalogue of realistic
records whose previews are real recordings from Debian packages), and ``--verifier llm``
against tests/fake_openai.py (the chat-completions API the official SDK speaks, answers
scripted here). Each test gets a fresh data folder: a copy of the real starter library and
WordNet, and an empty Freesound / LLM cache, so nothing is ever written into the real
data folder and request counts start from zero.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from fake_freesound import FakeFreesound
from fake_openai import FakeOpenAI, Reply, json_reply
from typer.testing import CliRunner

from image_extender.cli import app
from image_extender.library.debian import fetch_package
from image_extender.manifest import Manifest, SoundChoice

DATA = Path(os.environ.get("IMAGE_EXTENDER_DATA", Path(__file__).resolve().parents[1] / "data"))
PHOTOS = DATA / "debian" / "darknet" / "usr" / "share" / "darknet" / "data"
PREVIEW_PACKAGES = ["megaglest-data", "tuxpaint-stamps-default", "lincity-ng-data", "minetest-data"]
FS_KEY = "fs-online-test-key-5e1d0c9a"  # made up; must never leak into any output
OPENAI_KEY = "sk-online-test-SECRET-424242"

pytestmark = pytest.mark.skipif(not (DATA / "library").is_dir(), reason="starter library not built: run `make install`")

runner = CliRunner()

# Freesound catalogue ids (tests/data/freesound_catalogue.json)
DOG_SONG = "322006"  # "Dog": a 4.91-rated pop song, first by rating
DOG_BARK_SINGLE = "322001"  # best-rated real dog bark
SMALL_DOG = "322002"  # "small dog barking close"
STREET = "150993"  # "street scene 1", CC BY 3.0 by saphe


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A data folder with the real library and WordNet and empty caches (copied once per module)."""
    for package in ["darknet", *PREVIEW_PACKAGES]:
        fetch_package(package, DATA)
    root = tmp_path_factory.mktemp("template") / "data"
    root.mkdir()
    shutil.copytree(DATA / "library", root / "library")
    shutil.copytree(DATA / "nltk_data", root / "nltk_data")
    (root / "cache").mkdir()
    if (DATA / "cache" / "embeddings.sqlite").is_file():  # text embeddings only: saves ~10 s, changes nothing
        shutil.copyfile(DATA / "cache" / "embeddings.sqlite", root / "cache" / "embeddings.sqlite")
    (root / "debian").symlink_to(DATA / "debian")
    return root


@pytest.fixture(scope="module")
def freesound_server():
    with FakeFreesound(FS_KEY, DATA) as server:
        yield server


@pytest.fixture(scope="module")
def openai_server():
    with FakeOpenAI() as server:
        yield server


def fresh_data(template: Path, where: Path) -> Path:
    data = where / "data"
    shutil.copytree(template, data, symlinks=True)
    return data


def use_servers(mp: pytest.MonkeyPatch, data: Path, freesound: FakeFreesound, openai: FakeOpenAI, cwd: Path) -> None:
    """Environment of a user with both keys set, servers pointed at the fakes, data in ``data``."""
    mp.chdir(cwd)  # no stray image-extender.toml
    for var in ("IMAGE_EXTENDER_CONFIG", "IMAGE_EXTENDER_SOURCE", "IMAGE_EXTENDER_VERIFIER", "IMAGE_EXTENDER_OFFLINE"):
        mp.delenv(var, raising=False)
    mp.setenv("IMAGE_EXTENDER_DATA", str(data))
    mp.setenv("FREESOUND_API_KEY", FS_KEY)
    mp.setenv("FREESOUND_API_URL", freesound.api_url)
    mp.setenv("IMAGE_EXTENDER_FREESOUND__REQUESTS_PER_MINUTE", "100000")  # tests run faster than a user
    mp.setenv("OPENAI_API_KEY", OPENAI_KEY)
    mp.setenv("OPENAI_BASE_URL", openai.base_url)
    mp.setenv("IMAGE_EXTENDER_LLM__MAX_RETRIES", "0")
    freesound.clear()
    openai.reset()


@pytest.fixture
def online(template, freesound_server, openai_server, tmp_path, monkeypatch) -> Path:
    """Fresh data folder (empty caches) and the environment of :func:`use_servers`."""
    data = fresh_data(template, tmp_path)
    use_servers(monkeypatch, data, freesound_server, openai_server, tmp_path)
    return data


def sonify(out: Path, *args: str, photo: str = "dog") -> tuple[int, str]:
    result = runner.invoke(app, ["sonify", str(PHOTOS / f"{photo}.jpg"), "-o", str(out), "--duration", "10", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def sonify_ok(out: Path, *args: str, photo: str = "dog") -> Manifest:
    code, output = sonify(out, *args, photo=photo)
    assert code == 0, output
    return Manifest.load(out / "manifest.json")


def error_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error:")]


def choice_for(manifest: Manifest, target: str) -> SoundChoice:
    return next(c for c in manifest.choices if c.target == target)


def sound_ids(manifest: Manifest) -> list[tuple[str, str | None]]:
    return [(c.target, c.sound.id if c.sound else None) for c in manifest.choices]


# ----------------------------------------------------------------------------- Freesound


@pytest.fixture(scope="module")
def first_run(template, freesound_server, openai_server, tmp_path_factory):
    """(out dir, manifest, requests, preview downloads, data dir) of a first `--source freesound` run."""
    where = tmp_path_factory.mktemp("first")
    data = fresh_data(template, where)
    with pytest.MonkeyPatch.context() as mp:
        use_servers(mp, data, freesound_server, openai_server, where)
        out = where / "out1"
        manifest = sonify_ok(out, "--source", "freesound")
        yield out, manifest, freesound_server.count(), freesound_server.count("/previews/"), data


def test_dog_from_freesound_shows_query_filters_verdict_and_credits(first_run):
    out, manifest, requests, _, _ = first_run
    dog = choice_for(manifest, "dog")
    assert dog.query == "dog barking"
    assert dog.sound.provider == "freesound" and dog.sound.id == DOG_BARK_SINGLE
    searches = [s for s in dog.trail if s.action == "search"]
    assert "strict: rating≥4, downloads≥500, duration 0–60 s; sort rating>downloads" in searches[0].detail
    # the 4.91-rated song called "Dog" comes first by rating and is rejected, with the reason
    song = next(s for s in dog.trail if s.sound_id == DOG_SONG)
    assert song.action == "reject" and "song" in song.detail
    accept = next(s for s in dog.trail if s.action == "accept")
    assert accept.sound_id == DOG_BARK_SINGLE
    assert "ranks 1st" in dog.verdict and "2 requests to freesound" in dog.verdict
    street = choice_for(manifest, "urban street")
    assert street.sound.id == STREET and street.sound.kind == "bed" and street.sound.duration > 10

    credits = (out / "CREDITS.md").read_text(encoding="utf-8")
    section = credits.split("## street scene 1", 1)[1].split("##", 1)[0]
    assert "Author: saphe" in section
    assert "Licence: CC BY 3.0 <https://creativecommons.org/licenses/by/3.0/>" in section
    assert "<https://freesound.org/people/saphe/sounds/150993/>" in section
    assert "Dog Bark Single.wav" in credits and "creativecommons.org/publicdomain/zero/1.0/" in credits
    for name in ("manifest.json", "CREDITS.md"):
        assert FS_KEY not in (out / name).read_text(encoding="utf-8")


def test_nothing_is_downloaded_but_the_accepted_sounds_and_requests_are_bounded(first_run):
    out, manifest, requests, previews, _ = first_run
    used = {c.sound.id for c in manifest.choices if c.sound is not None}
    assert previews == len(used) == 2  # the bed and the bark; rejected candidates cost no download
    assert len(list((out / "sounds").iterdir())) == 2
    # bound: per target (query + hierarchy steps ≤ 4) × (4 relaxation rungs + 2 extra pages), plus previews
    targets = len(manifest.choices)
    assert requests <= targets * 5 * 6 + previews
    assert requests == 28, requests  # measured: 26 searches (mostly the car walking its own queries and the hierarchy; it is not in the catalogue) + 2 previews
    gave_up = [c for c in manifest.choices if c.sound is None]
    assert {c.target for c in gave_up} == {"car"}  # the bicycle leaning on the fence is silent: nobody rides it
    assert all(c.verdict.startswith("no recording accepted for") for c in gave_up)


def test_a_second_identical_run_and_an_offline_run_make_zero_requests(
    first_run, freesound_server, openai_server, tmp_path, monkeypatch
):
    _, manifest, requests, _, data = first_run
    assert requests > 0
    use_servers(monkeypatch, data, freesound_server, openai_server, tmp_path)  # same data folder, same cache
    again = sonify_ok(tmp_path / "out2", "--source", "freesound")
    assert freesound_server.count() == 0
    assert sound_ids(again) == sound_ids(manifest)
    assert "0 requests to freesound" in choice_for(again, "dog").verdict

    monkeypatch.delenv("FREESOUND_API_KEY")  # offline needs no key
    offline = sonify_ok(tmp_path / "out3", "--source", "freesound", "--offline")
    assert freesound_server.count() == 0
    assert sound_ids(offline) == sound_ids(manifest)


def test_offline_with_a_cold_cache_is_one_clear_error_and_no_output(online, freesound_server, tmp_path):
    out = tmp_path / "cold"
    code, output = sonify(out, "--source", "freesound", "--offline")
    assert code == 5, output
    (line,) = error_lines(output)
    assert "no sound found for anything in the image" in line and "offline" in line and "not in the cache" in line
    assert freesound_server.count() == 0
    assert not out.exists()


def test_a_storm_of_500s_and_429s_is_survived(online, freesound_server, tmp_path):
    freesound_server.inject("500", times=2)
    freesound_server.inject("429", times=2, retry_after="1")
    manifest = sonify_ok(tmp_path / "storm", "--source", "freesound")
    statuses = [e.status for e in freesound_server.log]
    assert statuses.count(500) == 2 and statuses.count(429) == 2
    assert choice_for(manifest, "urban street").sound.id == STREET  # the first search got through on attempt 5
    assert choice_for(manifest, "dog").sound.id == DOG_BARK_SINGLE


def test_a_dead_server_costs_one_searchs_retries_then_every_tag_gives_up_with_the_reason(online, tmp_path, monkeypatch):
    monkeypatch.setenv("FREESOUND_API_URL", "http://127.0.0.1:9/apiv2")  # nothing listens on the discard port
    monkeypatch.setenv("IMAGE_EXTENDER_FREESOUND__MAX_ATTEMPTS", "2")
    out = tmp_path / "dead"
    code, output = sonify(out, "--source", "freesound")
    assert code == 5, output
    (line,) = error_lines(output)
    assert "urban street: no recording accepted for 'city street traffic ambience'" in line
    assert "search failed: Freesound search 'city street traffic ambience': gave up after 2 attempts" in line
    # later tags knock no more: each says why (quoting the first failure) instead of retrying
    assert line.count("freesound not searched: it failed earlier in this run") == 2  # dog, car
    assert not out.exists()


def test_a_missing_freesound_key_is_a_one_line_error_naming_it(online, freesound_server, tmp_path, monkeypatch):
    monkeypatch.delenv("FREESOUND_API_KEY")
    out = tmp_path / "nokey"
    code, output = sonify(out, "--source", "freesound")
    assert code == 2
    (line,) = error_lines(output)
    assert "FREESOUND_API_KEY is not set" in line
    assert freesound_server.count() == 0 and not out.exists()


# ----------------------------------------------------------------------------- LLM verifier


def scripted_model(request: dict) -> Reply:
    """The fake model's answers: a verdict per candidate, or alternative queries.

    Verification: music is not the thing; a *single* bark is judged too short to be "dog
    barking" (a choice the embedding verifier would not make, so the test can tell whose
    verdicts were used); everything else is. Regeneration: "car" -> "car horn".
    """
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    if user.startswith("Thing seen in the photo:"):
        thing = user.splitlines()[0].split(":", 1)[1].strip()
        return json_reply({"queries": ["car horn"] if thing == "car" else []}, prompt_tokens=90, completion_tokens=12)
    asked = json.loads(user)
    verdicts = []
    for c in asked["candidates"]:
        if "song" in c["tags"] or "music" in c["tags"]:
            verdicts.append({"id": c["id"], "is_the_thing": False, "confidence": 0.95, "reason": "a pop song, not a dog"})
        elif "single" in c["tags"]:
            verdicts.append({"id": c["id"], "is_the_thing": False, "confidence": 0.7, "reason": "one short bark only"})
        else:
            verdicts.append({"id": c["id"], "is_the_thing": True, "confidence": 0.9, "reason": "a field recording of it"})
    return json_reply({"verdicts": verdicts}, prompt_tokens=400, completion_tokens=80)


def test_llm_verifier_decides_records_usage_and_regenerates_queries(online, freesound_server, openai_server, tmp_path):
    openai_server.push(*[scripted_model] * 40)
    manifest = sonify_ok(tmp_path / "llm", "--source", "freesound", "--verifier", "llm")
    dog = choice_for(manifest, "dog")
    rejected = {s.sound_id: s.detail for s in dog.trail if s.action == "reject"}
    assert rejected[DOG_SONG] == "LLM: a pop song, not a dog"
    assert rejected[DOG_BARK_SINGLE] == "LLM: one short bark only"
    assert dog.sound.id == SMALL_DOG and dog.verdict.startswith("LLM: a field recording of it")

    car = choice_for(manifest, "car")  # nothing for "car engine passing" or its hierarchy: the model suggests
    assert car.query == "car horn" and car.sound is not None and "car horn" in car.sound.name.lower()
    assert "fallback: LLM alternative query" in car.verdict
    assert any(s.action == "fallback" and "LLM query regeneration" in s.detail for s in car.trail)

    usage = manifest.llm_usage
    assert len(usage) == len(openai_server.requests) > 0
    assert any(u.purpose == "verification of 'dog barking'" and u.input_tokens == 400 for u in usage)
    assert any(u.purpose == "query regeneration for 'car'" for u in usage)
    assert OPENAI_KEY not in (tmp_path / "llm" / "manifest.json").read_text(encoding="utf-8")

    # verdicts are cached per (tag, sound): the same run again asks neither server anything
    openai_server.reset()
    openai_server.push(*[scripted_model] * 40)
    freesound_server.clear()
    again = sonify_ok(tmp_path / "llm2", "--source", "freesound", "--verifier", "llm")
    assert choice_for(again, "dog").sound.id == SMALL_DOG
    assert freesound_server.count() == 0
    assert all(u.purpose.startswith("query regeneration") for u in again.llm_usage)  # only the regenerations


def test_a_failing_llm_server_falls_back_to_the_embedding_verdicts(online, openai_server, tmp_path):
    # nothing scripted: every request gets HTTP 500 (not retried, see IMAGE_EXTENDER_LLM__MAX_RETRIES)
    manifest = sonify_ok(tmp_path / "llm-down", "--source", "freesound", "--verifier", "llm")
    dog = choice_for(manifest, "dog")
    assert dog.sound.id == DOG_BARK_SINGLE  # what the embedding verifier picks
    notes = [s.detail for s in dog.trail if s.action == "skip" and "verification unavailable" in s.detail]
    assert notes and notes[0].startswith("LLM verification unavailable:")
    assert "embedding" in notes[0]
    verifications = [u for u in manifest.llm_usage if u.purpose.startswith("verification")]
    assert len(verifications) == 1 and not verifications[0].ok  # asked once, then not again in this run


def test_a_logo_is_reported_non_sonic_with_exit_code_7_and_a_flag_in_the_manifest(online, openai_server, tmp_path):
    from PIL import Image
    from skimage import data as skdata

    logo = tmp_path / "logo.png"
    Image.fromarray(skdata.logo()).save(logo)
    openai_server.push(json_reply({
        "caption": "The scikit-image logo: a stylised snake in a green and orange circle.",
        "image_tags": ["logo", "graphic design"], "mood": "neutral", "objects": [], "scene_and_location": [],
    }))  # fmt: skip
    out = tmp_path / "out"
    result = runner.invoke(app, ["sonify", str(logo), "-o", str(out), "--analyzer", "openai"])
    assert result.exit_code == 7, result.output
    (line,) = error_lines(result.output)
    assert "logo.png" in line and "non-sonic" in line
    manifest = Manifest.load(out / "manifest.json")
    assert manifest.scene.non_sonic and not manifest.tracks
    assert manifest.llm_usage and manifest.llm_usage[0].input_tokens
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]
    assert OPENAI_KEY not in (out / "manifest.json").read_text()


def test_a_refused_oauth_token_falls_back_to_previews_and_says_so_in_the_trail(online, freesound_server, tmp_path,
                                                                               monkeypatch):
    monkeypatch.setattr(freesound_server, "oauth_token", "the-valid-token-0001")
    monkeypatch.setenv("FREESOUND_OAUTH_TOKEN", "an-expired-token-0002")
    monkeypatch.setenv("IMAGE_EXTENDER_FREESOUND__DOWNLOAD_ORIGINALS", "true")
    out = tmp_path / "out"
    manifest = sonify_ok(out, "--source", "freesound")
    dog = choice_for(manifest, "dog")
    assert dog.sound is not None and "HQ preview" in dog.sound.source
    notes = [t for t in dog.trail if t.action == "fallback" and t.sound_id == dog.sound.id]
    assert notes and "original" in notes[0].detail.lower()
    text = (out / "manifest.json").read_text()
    assert "an-expired-token-0002" not in text and "the-valid-token-0001" not in text
