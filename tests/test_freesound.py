"""The Freesound source, against a local fake Freesound server serving real recordings.

Every test runs offline: tests/fake_freesound.py is a real HTTP server on 127.0.0.1 over
tests/data/freesound_catalogue.json, whose previews are recordings from scaper's test
set and from Debian game/education packages. No test sleeps for real: the client's and
the budget's ``sleep`` are injected and recorded.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
from pathlib import Path

import httpx
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fake_freesound import FakeFreesound, matches_filter, parse_filter
from image_extender.errors import RetrievalError, SettingsError
from image_extender.library.debian import fetch_package
from image_extender.manifest import SoundChoice, TrailStep
from image_extender.sounds.freesound import (
    ANY,
    FreesoundBudgetError,
    FreesoundCache,
    FreesoundClient,
    FreesoundError,
    FreesoundFilters,
    FreesoundKeyError,
    FreesoundOfflineError,
    FreesoundPreviewError,
    FreesoundSettings,
    FreesoundSource,
    QualityStep,
    RateBudget,
    licence_key,
    licence_name,
    licence_url,
)
from image_extender.sounds.freesound.client import SEARCH_FIELDS

KEY = "fs-test-key-3b9f27c1d0e84a55"  # a made-up key; must never leak anywhere
DATA = Path(os.environ.get("IMAGE_EXTENDER_DATA", Path(__file__).resolve().parents[1] / "data"))
PACKAGES = ["megaglest-data", "tuxpaint-stamps-default", "lincity-ng-data", "minetest-data"]


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def fake():
    for package in PACKAGES:  # the real recordings the fake serves as previews
        fetch_package(package, DATA)
    with FakeFreesound(KEY, DATA) as server:
        yield server


@pytest.fixture
def server(fake):
    fake.clear()
    return fake


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_client(tmp: Path, server: FakeFreesound | None, *, offline=False, key=KEY, **kw) -> FreesoundClient:
    cache = FreesoundCache(tmp / "cache" / "freesound")
    return FreesoundClient(
        cache,
        api_key=key,
        base_url=server.api_url if server else "http://127.0.0.1:9/apiv2",
        offline=offline,
        sleep=kw.pop("sleep", Sleeps()),
        rng=random.Random(0),
        **kw,
    )


def all_text_under(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


# ----------------------------------------------------------------------------- filters


def test_every_filter_has_an_any_option_and_any_means_no_filter_at_all():
    everything_any = FreesoundFilters(min_rating=ANY, min_downloads=ANY)
    assert everything_any.to_filter() == ""
    assert FreesoundFilters().to_filter() == "avg_rating:[4 TO *] num_downloads:[500 TO *]"


def test_filter_string_uses_the_documented_solr_syntax():
    f = FreesoundFilters(
        min_rating=3.5, min_downloads=ANY, min_duration=ANY, max_duration=30,
        licences=["cc0"], sample_rates=[48000, 44100], channels=2, file_types=["wav", "flac"],
    )  # fmt: skip
    assert f.to_filter() == (
        'avg_rating:[3.5 TO *] duration:[* TO 30] license:"Creative Commons 0" '
        "samplerate:(44100 OR 48000) channels:2 type:(flac OR wav)"
    )


def test_no_bit_depth_filter_exists_because_the_api_field_is_unreliable():
    assert "bitdepth" not in FreesoundFilters.model_fields
    assert "bitdepth" in (FreesoundFilters.__module__ and __import__(FreesoundFilters.__module__, fromlist=["x"]).__doc__)


@pytest.mark.parametrize(
    "bad",
    [{"min_rating": 5.5}, {"min_duration": 10, "max_duration": 2}, {"licences": []}, {"channels": 0},
     {"sample_rates": [-1]}, {"file_types": ["exe"]}],
)  # fmt: skip
def test_impossible_filters_are_refused(bad):
    with pytest.raises(ValueError):
        FreesoundFilters(**bad)


maybe = lambda s: st.one_of(st.just(ANY), s)  # noqa: E731
filters_strategy = st.builds(
    FreesoundFilters,
    min_rating=maybe(st.floats(0, 5, allow_nan=False)),
    min_downloads=maybe(st.integers(0, 100_000)),
    min_duration=maybe(st.floats(0, 30, allow_nan=False)),
    max_duration=maybe(st.floats(30, 600, allow_nan=False)),
    licences=maybe(st.lists(st.sampled_from(["cc0", "by", "by-nc", "sampling+"]), min_size=1, max_size=4)),
    sample_rates=maybe(st.lists(st.sampled_from([8000, 16000, 22050, 44100, 48000, 96000]), min_size=1, max_size=3)),
    channels=maybe(st.integers(1, 2)),
    file_types=maybe(st.lists(st.sampled_from(["wav", "aiff", "flac", "ogg", "mp3", "m4a"]), min_size=1, max_size=3)),
)
LICENCE_URLS = [
    "http://creativecommons.org/publicdomain/zero/1.0/", "http://creativecommons.org/licenses/by/3.0/",
    "https://creativecommons.org/licenses/by/4.0/", "http://creativecommons.org/licenses/by-nc/3.0/",
    "http://creativecommons.org/licenses/sampling+/1.0/",
]  # fmt: skip
record_strategy = st.fixed_dictionaries(
    {
        "avg_rating": st.floats(0, 5, allow_nan=False).map(lambda x: round(x, 2)),
        "num_downloads": st.integers(0, 200_000),
        "duration": st.floats(0, 700, allow_nan=False).map(lambda x: round(x, 3)),
        "license": st.sampled_from(LICENCE_URLS),
        "samplerate": st.sampled_from([8000, 16000, 22050, 44100, 48000, 96000]),
        "channels": st.integers(1, 6),
        "type": st.sampled_from(["wav", "aiff", "flac", "ogg", "mp3", "m4a"]),
    }
)


@settings(max_examples=300, deadline=None)
@given(filters_strategy, st.lists(record_strategy, min_size=1, max_size=8))
def test_the_server_and_our_own_check_agree_on_every_record(filters, records):
    """What the filter string selects on a server == what FreesoundFilters.accepts selects."""
    clauses = parse_filter(filters.to_filter())
    for record in records:
        assert matches_filter(clauses, record) == filters.accepts(record)


@settings(max_examples=200, deadline=None)
@given(filters_strategy)
def test_filter_string_parses_back_into_exactly_the_chosen_constraints(filters):
    parsed = parse_filter(filters.to_filter())
    assert parsed == filters.clauses()
    fields = [f for f, _ in parsed]
    assert len(fields) == len(set(fields))  # one clause per knob
    assert "e-" not in filters.to_filter() and "e+" not in filters.to_filter()  # no scientific notation


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filters_strategy)
def test_settings_survive_a_round_trip_through_the_toml_file(tmp_path, filters):
    path = tmp_path / "image-extender.toml"
    path.write_text('seed = 7\n[mix]\nduration = 12.0\n', encoding="utf-8")
    saved = FreesoundSettings(filters=filters, sort="downloads>rating", mode="random", seed=11)
    saved.save_to_toml(path)
    assert FreesoundSettings.load_from_toml(path) == saved
    text = path.read_text(encoding="utf-8")
    assert "seed = 7" in text and "duration = 12.0" in text  # the user's other keys are kept


def test_a_bad_value_in_the_settings_file_names_the_key(tmp_path):
    path = tmp_path / "image-extender.toml"
    path.write_text('[freesound.filters]\nmin_rating = 9\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"freesound\.filters\.min_rating"):
        FreesoundSettings.load_from_toml(path)
    assert FreesoundSettings.load_from_toml(tmp_path / "missing.toml") == FreesoundSettings()


def test_relaxation_must_go_from_strict_to_loose():
    with pytest.raises(ValueError):
        FreesoundSettings(relaxation=[QualityStep(min_rating=3, min_downloads=10), QualityStep(min_rating=4, min_downloads=50)])


@pytest.mark.parametrize(
    ("deed", "key", "name"),
    [
        ("http://creativecommons.org/publicdomain/zero/1.0/", "cc0", "CC0 1.0"),
        ("https://creativecommons.org/licenses/by/4.0/", "by", "CC BY 4.0"),
        ("http://creativecommons.org/licenses/by/3.0/", "by", "CC BY 3.0"),
        ("http://creativecommons.org/licenses/by-nc/3.0/", "by-nc", "CC BY-NC 3.0"),
        ("http://creativecommons.org/licenses/sampling+/1.0/", "sampling+", "Sampling+ 1.0"),
        ("Attribution", "by", "CC BY"),
        ("Some custom licence", None, "Some custom licence"),
    ],
)
def test_licences_are_credited_by_name_with_their_deed(deed, key, name):
    assert licence_key(deed) == key
    assert licence_name(deed) == name
    if key and deed.startswith("http"):
        assert licence_url(deed).rstrip("/").split("//")[1] == deed.rstrip("/").split("//")[1]


# ----------------------------------------------------------------------------- client


def test_a_search_is_one_request_with_every_field_and_the_key_in_a_header(tmp_path, server):
    client = make_client(tmp_path, server)
    page = client.search("dog bark", filter="avg_rating:[4 TO *]", sort="rating_desc", page_size=150)
    assert server.count("/apiv2/search/") == 1
    sent = server.log[0]
    assert sent.params["fields"].split(",") == list(SEARCH_FIELDS)
    assert sent.params["page_size"] == "150"
    assert "token" not in sent.params and sent.headers["authorization"] == f"Token {KEY}"
    names = [r.name for r in page.results]
    assert names[:2] == ["Dog", "Dog Bark Single.wav"]  # the song (4.91), then the best rated real bark (4.62)
    assert all(r.avg_rating >= 4 for r in page.results)
    assert all(r.previews.get("preview-hq-ogg") for r in page.results)  # no second request needed


def test_pages_follow_next_until_the_last_and_every_record_comes_once(tmp_path, server):
    client = make_client(tmp_path, server)
    page = client.search("", sort="downloads_desc", page_size=10)
    seen = [r.id for r in page.results]
    while (page := client.next_page(page)) is not None:
        seen += [r.id for r in page.results]
    assert len(seen) == len(server.sounds) == len(set(seen)) == 45
    assert server.count("/apiv2/search/") == 5  # 45 records / 10 per page


def test_a_second_identical_search_and_download_make_zero_requests(tmp_path, server):
    first = make_client(tmp_path, server)
    page = first.search("rain", sort="rating_desc")
    path = first.download_preview(page.results[0])
    before = len(server.log)
    assert before == 2
    again = make_client(tmp_path, server)  # a new run over the same cache
    page2 = again.search("rain", sort="rating_desc")
    assert again.download_preview(page2.results[0]) == path
    assert len(server.log) == before and again.stats.requests == 0 and again.stats.cache_hits == 2


def test_offline_uses_only_the_cache_and_needs_no_key(tmp_path, server):
    online = make_client(tmp_path, server).search("wind", sort="score")
    offline = make_client(tmp_path, server, offline=True, key="")  # same host, no key, no requests
    assert offline.search("wind", sort="score") == online
    assert online.results[0].name == "Cold winter wind"
    with pytest.raises(FreesoundOfflineError, match="offline.*'thunder'"):
        offline.search("thunder")
    assert offline.stats.requests == 0


def test_a_missing_key_says_which_variable_to_set(tmp_path, monkeypatch):
    monkeypatch.delenv("FREESOUND_API_KEY", raising=False)
    with pytest.raises(SettingsError, match="FREESOUND_API_KEY is not set"):
        FreesoundClient(FreesoundCache(tmp_path))


def test_the_base_url_and_key_come_from_the_environment(tmp_path, server, monkeypatch):
    monkeypatch.setenv("FREESOUND_API_URL", server.api_url + "/")
    monkeypatch.setenv("FREESOUND_API_KEY", KEY)
    client = FreesoundClient(FreesoundCache(tmp_path), sleep=Sleeps())
    assert client.search("cow").results[0].name == "Cow moo"


def test_a_rejected_key_is_a_settings_error_that_never_shows_the_key(tmp_path, server):
    wrong = "fs-wrong-key-77aa01"
    client = make_client(tmp_path, server, key=wrong)
    with pytest.raises(FreesoundKeyError) as err:
        client.search("dog")
    assert "401" in str(err.value) and wrong not in str(err.value)
    assert server.count() == 1  # auth errors are not retried


def test_429_waits_exactly_what_retry_after_says_then_succeeds(tmp_path, server):
    sleeps = Sleeps()
    server.inject("429", times=2, retry_after="7")
    page = make_client(tmp_path, server, sleep=sleeps).search("horse")
    assert sleeps == [7.0, 7.0]
    assert page.results[0].name == "Horse neigh"
    assert [e.status for e in server.log] == [429, 429, 200]


def test_server_errors_back_off_exponentially_with_jitter_and_give_up_bounded(tmp_path, server):
    sleeps = Sleeps()
    server.inject("500", times=2)
    assert make_client(tmp_path, server, sleep=sleeps).search("frog").count == 1
    assert len(sleeps) == 2 and 0 <= sleeps[0] <= 0.5 and 0 <= sleeps[1] <= 1.0
    server.clear()
    sleeps.clear()
    server.inject("500", times=99)
    with pytest.raises(FreesoundError, match="gave up after 4 attempts.*HTTP 500") as err:
        make_client(tmp_path, server, sleep=sleeps, max_attempts=4).search("frog crocking")
    assert server.count() == 4 and len(sleeps) == 3  # bounded: no sleep after the last try
    assert isinstance(err.value, RetrievalError) and KEY not in str(err.value)


def test_a_slow_server_times_out_and_the_retry_gets_the_answer(tmp_path, server):
    server.inject("slow", delay=1.5)
    client = make_client(tmp_path, server, timeout=0.3)
    assert client.search("crickets").results[0].name == "Night crickets ambience"
    assert client.stats.retries == 1 and server.count() == 2


def test_malformed_json_is_retried_and_never_cached(tmp_path, server):
    server.inject("malformed")
    client = make_client(tmp_path, server)
    assert client.search("seagull").results[0].id == 322025
    assert client.stats.retries == 1
    db = sqlite3.connect(tmp_path / "cache" / "freesound" / "responses.sqlite")
    bodies = [json.loads(b) for (b,) in db.execute("SELECT body FROM responses")]
    assert len(bodies) == 1 and bodies[0]["results"][0]["id"] == 322025


def test_preview_is_real_audio_in_the_format_asked_for(tmp_path, server):
    client = make_client(tmp_path, server)
    rec = next(r for r in client.search("street").results if r.id == 150993)
    path = client.download_preview(rec, prefer="ogg")
    info = sf.info(str(path))
    assert path.name == "150993.ogg" and info.format == "OGG"
    assert info.samplerate == 44100 and info.duration == pytest.approx(45.0, abs=0.05)
    assert server.log[-1].headers.get("authorization") is None or server.log[-1].path.startswith("/previews/")
    mp3 = client.download_preview(client.search("horn").results[0], prefer="mp3")
    assert sf.info(str(mp3)).format == "MP3"  # soundfile here decodes MP3 too


def test_previews_go_to_another_host_without_the_key(tmp_path, server):
    client = make_client(tmp_path, server)
    rec = client.search("cow").results[0]
    cdn = rec.model_copy(update={"previews": {k: v.replace("127.0.0.1", "localhost") for k, v in rec.previews.items()}})
    client.download_preview(cdn)
    assert "authorization" not in server.log[-1].headers


@pytest.mark.parametrize("fault", ["preview404", "preview_not_audio"])
def test_a_broken_preview_is_a_clear_error_and_leaves_nothing_in_the_cache(tmp_path, server, fault):
    client = make_client(tmp_path, server)
    rec = client.search("duck").results[0]
    server.inject(fault, sound_id=rec.id)
    with pytest.raises(FreesoundPreviewError, match=f"sound {rec.id}") as err:
        client.download_preview(rec)
    assert KEY not in str(err.value)
    assert list((tmp_path / "cache" / "freesound" / "previews").iterdir()) == []
    assert sf.info(str(client.download_preview(rec))).frames > 0  # the next try works


def test_empty_results_are_an_empty_page_not_a_crash(tmp_path, server):
    server.inject("empty")
    page = make_client(tmp_path, server).search("dog")
    assert page.count == 0 and page.results == [] and page.next is None


# ----------------------------------------------------------------------------- budget


class Clock:
    def __init__(self, t: float = 1_700_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.t += s


def test_budget_waits_for_the_minute_window_instead_of_failing(tmp_path):
    clock = Clock()
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(s)
        clock.sleep(s)

    budget = RateBudget(tmp_path / "budget.sqlite", per_minute=3, per_day=100, clock=clock, sleep=sleep)
    for _ in range(3):
        budget.acquire()
        clock.t += 1.0
    budget.acquire()  # 4th in the same minute: waits until the first leaves the window
    assert waits == [pytest.approx(57.0)]
    assert budget.used() == (3, 4)


def test_spent_daily_budget_is_a_clear_error_and_survives_a_restart(tmp_path):
    clock = Clock()
    db = tmp_path / "budget.sqlite"
    budget = RateBudget(db, per_minute=100, per_day=5, clock=clock, sleep=clock.sleep)
    for _ in range(5):
        budget.acquire()
        clock.t += 10
    restarted = RateBudget(db, per_minute=100, per_day=5, clock=clock, sleep=clock.sleep)  # next run
    with pytest.raises(FreesoundBudgetError, match=r"daily request budget spent \(5 of 5 in 24 h\).*requests_per_day"):
        restarted.acquire()
    clock.t += 86_400
    restarted.acquire()  # a day later it works again


def test_the_client_counts_every_request_against_the_budget(tmp_path, server):
    clock = Clock()
    budget = RateBudget(tmp_path / "b.sqlite", per_minute=60, per_day=2, clock=clock, sleep=clock.sleep)
    client = make_client(tmp_path, server, budget=budget)
    client.search("owl")
    client.search("pig")
    with pytest.raises(FreesoundBudgetError):
        client.search("sheep")
    assert server.count() == 2


# ----------------------------------------------------------------------------- source


def source(tmp_path: Path, server: FakeFreesound | None, offline=False, **settings_kw) -> FreesoundSource:
    return FreesoundSource(make_client(tmp_path, server, offline=offline, key="" if offline else KEY),
                           FreesoundSettings(**settings_kw))  # fmt: skip


def test_rating_ties_are_broken_by_downloads_not_by_the_servers_rating_count(tmp_path, server):
    loose = FreesoundFilters(min_rating=ANY, min_downloads=ANY)
    src = source(tmp_path, server, filters=loose, ambience_min_duration=ANY, object_max_duration=ANY)
    names = [c.sound.name for c in src.search("ambience", "object", limit=50)]
    # both rated 4.0; the market has more ratings (25 vs 21), the crickets more downloads (4100 vs 3900)
    assert names.index("Night crickets ambience") < names.index("busy market crowd")
    assert names[0] == "Forest birds daytime ambience"  # 4.7
    by_downloads = source(tmp_path / "b", server, filters=loose, sort="downloads>rating",
                          ambience_min_duration=ANY, object_max_duration=ANY)  # fmt: skip
    top = [c.sound.name for c in by_downloads.search("bird", "object", limit=3)]
    assert top == ["Forest birds daytime ambience", "Rooster crowing", "dark forest day birds"]


def test_search_sorts_rating_first_with_downloads_breaking_ties(tmp_path, server):
    found = source(tmp_path, server).search("dog", "object", limit=10)
    ratings = [(c.sound.rating, c.sound.downloads) for c in found]
    assert ratings == sorted(ratings, reverse=True)
    assert found[0].sound.name == "Dog"  # the highly rated SONG comes first: verification's job
    assert server.count() == 1 and server.log[0].params["sort"] == "rating_desc"
    by_downloads = source(tmp_path / "b", server, sort="downloads>rating").search("bird", "object", limit=10)
    downloads = [c.sound.downloads for c in by_downloads]
    assert downloads == sorted(downloads, reverse=True)


def test_candidates_carry_credits_and_point_at_the_preview_they_will_fetch(tmp_path, server):
    src = source(tmp_path, server)
    cand = next(c for c in src.search("dog bark", "object", limit=3) if c.sound.id == "322001")
    s = cand.sound
    assert (s.provider, s.id, s.name, s.author) == ("freesound", "322001", "Dog Bark Single.wav", "keith_fieldrec")
    assert s.licence == "CC0 1.0" and s.url == "https://freesound.org/people/keith_fieldrec/sounds/322001/"
    assert src.licence_url(s.id) == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert not Path(s.path).exists()  # nothing downloaded for a candidate not yet accepted
    assert server.count("/previews/") == 0
    fetched = src.fetch(s)
    assert fetched.path == s.path and Path(fetched.path).is_file()
    assert fetched.duration == pytest.approx(0.163, abs=0.01) and fetched.sample_rate == 44100
    assert cand.score == pytest.approx(4.62 / 5)


def test_rounds_relax_rating_step_by_step_until_something_is_found(tmp_path, server):
    rounds = source(tmp_path, server).rounds("owl", "object")
    described = []
    for desc, cands in rounds:
        described.append(desc)
        if cands:
            break
    assert [d.split(": ", 1)[1].split(";")[0] for d in described] == [
        "rating≥4, downloads≥500, duration 0–60 s",
        "rating≥3.5, downloads≥200, duration 0–60 s",
        "rating≥3, downloads≥50, duration 0–60 s",
    ]
    assert [c.sound.name for c in cands] == ["Owl hooting at night"]  # rated 3.2
    assert server.count() == 3  # one request per rung, and no more once found


def test_rounds_never_repeat_a_sound_and_are_bounded(tmp_path, server):
    src = source(tmp_path, server, preload=2, page_size=3, max_pages=2, filters=FreesoundFilters(min_rating=4.0, min_downloads=500))
    got = list(src.rounds("dog", "object"))
    ids = [c.sound.id for _, cands in got for c in cands]
    assert len(ids) == len(set(ids))
    assert server.count() <= 1 + 3 + 1  # 4 rungs + one extra page of the loosest
    assert all(len(c) <= 2 for _, c in got)
    assert set(ids) >= {"322006", "322001", "322002"}


def test_nothing_found_ends_cleanly_after_every_rung(tmp_path, server):
    got = list(source(tmp_path, server).rounds("giraffe", "object"))
    assert [c for _, c in got] == [[], [], [], []] and server.count() == 4  # strict, 3.5, 3.0, 2.5
    assert all("no new results (of 0)" in d for d, _ in got)


def test_ambience_asks_for_long_recordings_and_objects_for_short_ones(tmp_path, server):
    beds = source(tmp_path, server).search("forest birds", "ambience", limit=10)
    assert beds and all(c.sound.duration >= 10 for c in beds) and all(c.sound.kind == "bed" for c in beds)
    assert 'duration:[10 TO *]' in server.log[-1].params["filter"]


def test_cc0_only_keeps_every_candidate_public_domain(tmp_path, server):
    src = source(tmp_path, server, filters=FreesoundFilters(licences=["cc0"], min_rating=ANY, min_downloads=ANY))
    found = [c for _, cs in src.rounds("bird", "object") for c in cs]
    assert found and {c.sound.licence for c in found} == {"CC0 1.0"}


def test_random_mode_ignores_quality_and_is_a_seeded_shuffle(tmp_path, server):
    def order(seed: int, sub: str) -> list[str]:
        src = source(tmp_path / sub, server, mode="random", seed=seed)
        return [c.sound.id for _, cs in src.rounds("dog", "object") for c in cs]

    a, again, other = order(1, "a"), order(1, "b"), order(2, "c")
    assert a == again and a != other and sorted(a) == sorted(other)
    assert "322005" in a  # rated 2.7 with 60 downloads: quality filters are off
    assert "avg_rating" not in server.log[-1].params.get("filter", "")


def test_a_second_run_of_the_whole_strategy_makes_zero_requests_and_offline_matches(tmp_path, server):
    def run(src: FreesoundSource) -> list[tuple[str, list[str]]]:
        out = []
        for query, role in [("forest birds", "ambience"), ("dog barking", "object"), ("car horn", "object")]:
            for desc, cands in src.rounds(query, role):
                if cands:
                    out.append((desc, [c.sound.id for c in cands]))
                    src.fetch(cands[0].sound)
                    break
        return out

    first = run(source(tmp_path, server))
    first_requests = server.count()
    second = run(source(tmp_path, server))
    offline = run(source(tmp_path, server, offline=True))
    assert first_requests == 6  # 3 searches + 3 previews
    assert server.count() == first_requests  # second run: zero requests
    assert second == first == offline


def test_the_key_is_in_no_message_cache_file_or_manifest(tmp_path, server):
    src = source(tmp_path, server)
    messages = []
    server.inject("500", times=10)
    try:
        src.client.max_attempts = 2
        src.search("dog", "object", 5)
    except FreesoundError as exc:
        messages.append(str(exc))
    server.clear()
    cands = src.search("dog", "object", 5)
    server.inject("preview_not_audio", sound_id=int(cands[0].sound.id))
    try:
        src.fetch(cands[0].sound)
    except FreesoundPreviewError as exc:
        messages.append(str(exc))
    sound = src.fetch(cands[1].sound)
    choice = SoundChoice(role="object", target="dog", target_index=0, query="dog", sound=sound,
                         trail=[TrailStep(action="accept", query="dog", sound_id=sound.id)])  # fmt: skip
    assert len(messages) == 2
    assert all(KEY not in m for m in messages)
    assert KEY.encode() not in all_text_under(tmp_path / "cache")
    assert KEY not in choice.model_dump_json() and KEY not in FreesoundSettings().model_dump_json()


def test_a_dead_server_is_a_retrieval_error_not_a_crash(tmp_path):
    client = FreesoundClient(FreesoundCache(tmp_path), api_key=KEY, base_url="http://127.0.0.1:9/apiv2",
                             sleep=Sleeps(), max_attempts=2, transport=httpx.HTTPTransport(retries=0))  # fmt: skip
    with pytest.raises(RetrievalError, match="gave up after 2 attempts.*connection failed"):
        client.search("dog")


def test_the_highly_rated_song_called_dog_comes_first_and_the_default_verifier_rejects_it(tmp_path, server):
    from image_extender.library.embed import get_embedder
    from image_extender.sounds.verify import EmbeddingVerifier

    verifier = EmbeddingVerifier(get_embedder())
    desc, cands = next(source(tmp_path, server).rounds("dog barking", "object"))
    verdicts = verifier.verify("dog barking", cands)
    assert cands[0].sound.name == "Dog" and cands[0].sound.rating == 4.91  # best rated of the round
    assert not verdicts[0].accepted and "song" in verdicts[0].reason
    accepted = [c.sound.name for c, v in zip(cands, verdicts) if v.accepted]
    assert accepted[0] == "Dog Bark Single.wav"
    assert "strict" in desc and server.count() == 1


# ----------------------------------------------------------------------------- originals (OAuth2)

OAUTH = "oa2-access-token-9c4e1f77b2"  # made up; must never leak either
DOG_BARK_SINGLE = "322001"  # type wav; its real recording is scaper's dogbark.wav


@pytest.fixture
def oauth_server(server):
    """The fake with a valid OAuth2 access token (reset after the test)."""
    server.oauth_token = OAUTH
    yield server
    server.oauth_token = None


def originals_source(tmp_path: Path, server: FakeFreesound, *, token: str | None = OAUTH, offline=False, **kw):
    client = make_client(tmp_path, server, offline=offline, key="" if offline else KEY, oauth_token=token or "")
    return FreesoundSource(client, FreesoundSettings(download_originals=True, **kw))


def bark(src: FreesoundSource):
    return next(c.sound for c in src.search("dog bark", "object", 10) if c.sound.id == DOG_BARK_SINGLE)


def test_originals_come_with_the_bearer_token_when_configured_and_are_the_real_file(tmp_path, oauth_server):
    src = originals_source(tmp_path, oauth_server)
    sound = src.fetch(bark(src))
    path = Path(sound.path)
    assert path.parent.name == "originals" and path.name == "322001.wav"
    assert path.read_bytes() == (Path(__file__).parents[1] / "assets" / "scaper-audio" / "dogbark.wav").read_bytes()
    assert sound.source == "freesound.org (original wav file)"
    info = sf.info(str(path))
    assert (sound.sample_rate, sound.channels) == (info.samplerate, info.channels)
    download = oauth_server.log[-1]
    assert download.path == "/apiv2/sounds/322001/download/" and download.status == 200
    assert download.headers["authorization"] == f"Bearer {OAUTH}"  # the OAuth2 token, not the API key
    assert oauth_server.count("/previews/") == 0 and src.take_notes() == []


def test_previews_unless_originals_are_asked_for_and_a_token_is_set(tmp_path, oauth_server):
    off = source(tmp_path / "a", oauth_server)  # download_originals defaults to false
    assert FreesoundSettings().download_originals is False
    plain = off.fetch(bark(off))
    assert Path(plain.path).parent.name == "previews" and plain.source == "freesound.org"

    no_token = originals_source(tmp_path / "b", oauth_server, token=None)
    sound = no_token.fetch(bark(no_token))
    assert Path(sound.path).parent.name == "previews"
    assert "FREESOUND_OAUTH_TOKEN is not set" in sound.source
    assert no_token.take_notes() == [(DOG_BARK_SINGLE, f"sound {DOG_BARK_SINGLE}: HQ preview used; originals are on but FREESOUND_OAUTH_TOKEN is not set")]
    assert oauth_server.count("/apiv2/sounds/") == 0  # never asked without a token


def test_an_expired_token_falls_back_to_the_preview_with_a_clear_note_and_is_asked_once(tmp_path, oauth_server):
    src = originals_source(tmp_path, oauth_server, token="oa2-expired-token-0000aa")
    first, second = [c.sound for c in src.search("dog bark", "object", 10)[:2]]
    got = [src.fetch(first), src.fetch(second)]
    assert all(Path(s.path).parent.name == "previews" and sf.info(s.path).frames > 0 for s in got)
    assert [e.status for e in oauth_server.log if e.path.startswith("/apiv2/sounds/")] == [401]  # not per sound
    notes = [n for _, n in src.take_notes()]
    assert "original refused" in notes[0] and "HTTP 401" in notes[0] and "expired" in notes[0]
    assert "FREESOUND_OAUTH_TOKEN" in notes[0] and "original not tried" in notes[1]
    assert "HTTP 401" in got[0].source
    assert not (tmp_path / "cache" / "freesound" / "originals").exists() or not any(
        (tmp_path / "cache" / "freesound" / "originals").iterdir())  # fmt: skip


def test_a_missing_original_falls_back_for_that_sound_only(tmp_path, oauth_server):
    src = originals_source(tmp_path, oauth_server)
    oauth_server.inject("original404", sound_id=int(DOG_BARK_SINGLE))
    sound = src.fetch(bark(src))
    assert Path(sound.path).parent.name == "previews" and "HTTP 404" in sound.source
    other = src.fetch(next(c.sound for c in src.search("cow", "object", 5)))
    assert Path(other.path).parent.name == "originals"  # the token still works for the next sound


def test_originals_are_cached_and_served_offline_with_zero_requests(tmp_path, oauth_server):
    online = originals_source(tmp_path, oauth_server)
    first = online.fetch(bark(online))
    oauth_server.clear()
    offline = originals_source(tmp_path, oauth_server, token=None, offline=True)
    again = offline.fetch(bark(offline))
    assert again.path == first.path and oauth_server.count() == 0


def test_the_oauth_token_is_in_no_message_note_cache_file_or_manifest(tmp_path, oauth_server):
    src = originals_source(tmp_path, oauth_server)
    sound = src.fetch(bark(src))
    oauth_server.oauth_token = "rotated"  # ours is now refused
    refused = src.fetch(next(c.sound for c in src.search("cow", "object", 5)))
    oauth_server.inject("original500", times=10)
    client = src.client
    client.max_attempts = 2
    messages = []
    for call in (lambda: client.download_original(client.search("horse").results[0]),):
        try:
            call()
        except FreesoundError as exc:
            messages.append(str(exc))
    choice = SoundChoice(role="object", target="dog", target_index=0, query="dog", sound=sound)
    texts = [*messages, *(n for _, n in src.take_notes()), refused.source, choice.model_dump_json()]
    assert len(messages) == 1 and "401" in refused.source
    assert all(OAUTH not in t and KEY not in t for t in texts)
    assert OAUTH.encode() not in all_text_under(tmp_path / "cache")
