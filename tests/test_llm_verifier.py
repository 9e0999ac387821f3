"""LLM verifier (is the recording the thing, or only about it?) and tag regeneration.

Offline against the local fake OpenAI server; the model's answers are scripted, so what is
tested is our side: what the request carries, how answers become verdicts, the on-disk
cache, and the attempt / time budgets of regeneration.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import soundfile as sf
from fake_openai import Fault, Reply, json_reply, server_fixtures

from image_extender.llm.client import LLMClient, LLMError
from image_extender.llm.regenerate import QueryRegenerator
from image_extender.llm.settings import LLMSettings
from image_extender.llm.verifier import LLMVerifier
from image_extender.manifest import Sound
from image_extender.sounds.base import Candidate

SECRET = "sk-test-verifier-SECRET-987654"
SCAPER = Path(__file__).resolve().parent.parent / "assets" / "scaper-audio"


fake, env = server_fixtures(SECRET)


@pytest.fixture(scope="module")
def bark() -> Candidate:
    """The real dog-bark recording shipped with scaper's test data."""
    path = SCAPER / "dogbark.wav"
    info = sf.info(path)
    sound = Sound(provider="library", id="scaper-audio/dogbark.wav", path=str(path), name="dogbark",
                  description="one dog bark (dogbark)", tags=["dog", "bark", "animal"], licence="CC0",
                  source="scaper test data", duration=info.duration, sample_rate=info.samplerate,
                  channels=info.channels)
    return Candidate(sound=sound, score=0.71)


@pytest.fixture(scope="module")
def song() -> Candidate:
    """A track whose title says "Dog" but which is music."""
    sound = Sound(provider="freesound", id="584213", path="/nonexistent/dog-song.mp3", name="Dog",
                  description="Indie pop song with vocals, guitar and drums. Lyrics about my dog.",
                  tags=["music", "song", "indie", "vocals"], licence="CC-BY-4.0", duration=182.0,
                  sample_rate=44100, channels=2)
    return Candidate(sound=sound, score=0.78)


def asked_in(request: dict) -> dict:
    """The JSON question the verifier put in its user message (a retry appends more turns)."""
    return json.loads(next(m["content"] for m in request["messages"] if m["role"] == "user"))


def judge(request: dict) -> Reply:
    """Scripted model: says yes to recordings, no to music, echoing the ids it was given."""
    asked = asked_in(request)
    verdicts = []
    for c in asked["candidates"]:
        music = "music" in c["tags"] or "song" in c["description"].lower()
        verdicts.append({"id": c["id"], "is_the_thing": not music, "confidence": 0.9,
                         "reason": "a song titled Dog, not a dog" if music else "a recording of a dog barking"})
    return json_reply({"verdicts": verdicts}, prompt_tokens=300, completion_tokens=60)


def verifier(tmp_path: Path, **llm) -> LLMVerifier:
    llm.setdefault("max_retries", 0)
    v = LLMVerifier(LLMSettings(**llm), cache_path=tmp_path / "verdicts.sqlite")
    v.load()
    return v


# --------------------------------------------------------------------------- verifier


def test_accepts_the_bark_recording_and_rejects_the_song_called_dog(env, tmp_path, bark, song):
    env.push(judge)
    verdicts = verifier(tmp_path).verify("dog barking", [song, bark])

    assert [v.accepted for v in verdicts] == [False, True]
    assert verdicts[0].reason == "LLM: a song titled Dog, not a dog"
    assert verdicts[1].score == pytest.approx(0.9) and verdicts[0].score == pytest.approx(0.1)
    (req,) = env.requests
    asked = asked_in(req.body)
    assert asked["visual_tag"] == "dog barking"
    assert [c["name"] for c in asked["candidates"]] == ["Dog", "dogbark"]
    assert asked["candidates"][0]["description"].startswith("Indie pop song")
    assert asked["candidates"][0]["tags"] == ["music", "song", "indie", "vocals"]
    assert req.body["response_format"]["json_schema"]["strict"] is True
    assert "REFERENCES" in req.text()


def test_cache_answers_a_second_ask_without_a_request(env, tmp_path, bark, song):
    env.push(judge)
    first = verifier(tmp_path).verify("dog barking", [bark, song])
    assert len(env.requests) == 1
    # A new verifier (a new run) on the same cache file: no request at all.
    again = verifier(tmp_path).verify("Dog  Barking", [song, bark])
    assert len(env.requests) == 1
    assert [v.accepted for v in again] == [False, True] and again[1] == first[0]
    # Another tag is another question.
    env.push(judge)
    verifier(tmp_path).verify("puppy", [bark])
    assert len(env.requests) == 2


def test_only_uncached_candidates_are_sent(env, tmp_path, bark, song):
    env.push(judge, judge)
    v = verifier(tmp_path)
    v.verify("dog barking", [bark])
    v.verify("dog barking", [bark, song])
    assert len(env.requests) == 2
    asked = asked_in(env.requests[1].body)
    assert [c["name"] for c in asked["candidates"]] == ["Dog"]
    assert [u["input_tokens"] for u in v.usage] == [300, 300]


def test_a_verdict_missing_for_a_candidate_is_retried_then_an_error(env, tmp_path, bark, song):
    half = json_reply({"verdicts": [{"id": "s1", "is_the_thing": True, "confidence": 0.8, "reason": "bark"}]})
    env.push(half, half)
    with pytest.raises(LLMError, match=r"no verdict for candidate id\(s\) s2"):
        verifier(tmp_path).verify("dog barking", [bark, song])
    assert len(env.requests) == 2
    env.reset()
    env.push(half, judge)  # second chance is used when the model gets it right
    assert [v.accepted for v in verifier(tmp_path).verify("dog barking", [bark, song])] == [True, False]


def test_no_candidates_no_request(env, tmp_path):
    assert verifier(tmp_path).verify("dog barking", []) == []
    assert env.requests == []


# --------------------------------------------------------------------------- regeneration


def regenerator(**llm) -> QueryRegenerator:
    llm.setdefault("max_retries", 0)
    r = QueryRegenerator(LLMSettings(**llm))
    r.load()
    return r


def test_regeneration_offers_new_queries_and_drops_already_tried_ones(env):
    env.push(json_reply({"queries": ["dog bark", "Dog barking on gravel", "canine growl", "puppy whimper"]}))
    r = regenerator(queries_per_regeneration=3)
    out = r.alternatives("dog", tried=["dog barking on gravel"])
    assert out.queries == ["dog bark", "canine growl", "puppy whimper"]
    text = env.requests[0].text()
    assert "Thing seen in the photo: dog" in text and "Already tried: dog barking on gravel" in text
    assert env.requests[0].body["response_format"]["json_schema"]["schema"]["properties"]["queries"]["maxItems"] == 3


def test_regeneration_stops_after_max_attempts(env):
    for i in range(5):
        env.push(json_reply({"queries": [f"truck engine idle {i}"]}))
    r = regenerator(max_regenerations=2)
    results = [r.alternatives("pickup truck", tried=[]) for _ in range(4)]
    assert [bool(x.queries) for x in results] == [True, True, False, False]
    assert "budget used (2 of 2" in results[2].detail
    assert len(env.requests) == 2 and r.attempts("pickup truck") == 2
    assert r.alternatives("bicycle", tried=[]).queries  # budgets are per tag


def test_regeneration_respects_its_time_limit(env):
    env.push(Reply('{"queries": ["late"]}', delay=3.0), json_reply({"queries": ["never asked"]}))
    r = regenerator(regeneration_timeout=0.5, timeout=60, max_regenerations=5)
    started = time.monotonic()
    out = r.alternatives("waterfall", tried=[])
    took = time.monotonic() - started
    assert out.queries == [] and "failed" in out.detail and "timed out after 0.5" in out.detail
    assert took < 1.5
    later = r.alternatives("waterfall", tried=[])
    assert later.queries == [] and "time limit reached" in later.detail
    assert len(env.requests) == 1  # the second call did not even ask


def test_regeneration_failure_is_reported_not_raised(env):
    env.push(Fault(500, "boom", {"x-should-retry": "false"}))
    out = regenerator().alternatives("kite", tried=[])
    assert out.queries == [] and "HTTP 500" in out.detail


def test_one_client_accounts_for_every_purpose(env, tmp_path, bark):
    client = LLMClient(LLMSettings(max_retries=0, price_input_per_mtok=2.0, price_output_per_mtok=8.0))
    env.push(judge, json_reply({"queries": ["dog bark"]}, prompt_tokens=50, completion_tokens=10))
    LLMVerifier(client.settings, client=client).verify("dog", [bark])
    QueryRegenerator(client.settings, client=client).alternatives("dog", tried=[])
    assert [u["purpose"] for u in client.usage] == ["verification of 'dog'", "query regeneration for 'dog'"]
    assert client.total_tokens() == (350, 70)
    assert client.usage[0]["cost_usd"] == pytest.approx((300 * 2 + 60 * 8) / 1e6)
