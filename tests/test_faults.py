"""Fault injection: the Freesound and OpenAI clients against a hostile server on 127.0.0.1.

Each behaviour (``tests/hostile_server.py``) must end as one clear error, quickly, with
bounded memory and nothing left in the cache: a size bomb is cut at the cap, a trickle at
the deadline, a hang at the read timeout, a redirect loop after a few hops, malformed JSON
after the retries. Memory is measured with ``tracemalloc`` (what Python allocated while
the request ran), time with the wall clock.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest
from hostile_server import HostileServer

from image_extender.llm.client import LLMClient, LLMError
from image_extender.llm.settings import LLMSettings
from image_extender.sounds.freesound.cache import FreesoundCache
from image_extender.sounds.freesound.client import MB, FreesoundClient, SoundRecord
from image_extender.sounds.freesound.errors import FreesoundError, FreesoundPreviewError

KEY = "fs-hostile-test-key-0123"
CAP = 2 * MB


@pytest.fixture(scope="module")
def hostile():
    with HostileServer() as server:
        yield server


def client(tmp_path, hostile, behaviour: str, **kw) -> FreesoundClient:
    kw.setdefault("max_attempts", 2)
    kw.setdefault("timeout", 1.0)
    kw.setdefault("deadline", 1.5)
    return FreesoundClient(FreesoundCache(tmp_path / "cache"), api_key=KEY, base_url=hostile.url(behaviour, "/apiv2"),
                           max_json_bytes=CAP, max_download_bytes=CAP, sleep=lambda s: None, **kw)


def timed(fn):
    """(exception raised by fn, seconds, peak MB allocated by Python meanwhile)."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 — the test inspects it
        caught = exc
    else:
        caught = None
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    return caught, seconds, peak


@pytest.mark.parametrize("behaviour", ["bomb", "declared", "gzip"])
def test_a_size_bomb_search_stops_at_the_cap_in_bounded_memory(tmp_path, hostile, behaviour):
    exc, seconds, peak = timed(lambda: client(tmp_path, hostile, behaviour).search("dog"))
    assert isinstance(exc, FreesoundError)
    assert "limit" in str(exc) and "\n" not in str(exc)
    assert peak < 4 * CAP / MB, f"{peak:.1f} MB allocated for a {CAP / MB:.0f} MB cap"
    assert seconds < 10
    assert hostile.requests[behaviour] >= 1


def test_a_size_bomb_preview_is_that_sounds_problem_and_leaves_no_part_file(tmp_path, hostile):
    c = client(tmp_path, hostile, "ok")
    record = SoundRecord(id=42, name="bomb", previews={"preview-hq-ogg": hostile.url("bomb", "/42.ogg")})
    exc, _, peak = timed(lambda: c.download_preview(record))
    assert isinstance(exc, FreesoundPreviewError)  # the finder tries the next candidate
    assert "larger than" in str(exc)
    assert peak < 4 * CAP / MB
    assert not list((tmp_path / "cache").rglob("42.*")), "a partial download stayed in the cache"


def test_a_trickling_server_is_cut_off_at_the_deadline(tmp_path, hostile):
    exc, seconds, _ = timed(lambda: client(tmp_path, hostile, "trickle", max_attempts=1, deadline=1.0).search("dog"))
    assert isinstance(exc, FreesoundError)
    assert "deadline" in str(exc)
    assert seconds < 4, f"a 1 s deadline took {seconds:.1f} s"


def test_a_hanging_server_times_out_after_the_attempts(tmp_path, hostile):
    exc, seconds, _ = timed(lambda: client(tmp_path, hostile, "hang", timeout=0.3, max_attempts=2).search("dog"))
    assert isinstance(exc, FreesoundError)
    assert "gave up after 2 attempts (timed out" in str(exc)
    assert seconds < 4


def test_malformed_json_is_retried_then_one_line(tmp_path, hostile):
    before = hostile.requests["malformed"]
    exc, _, _ = timed(lambda: client(tmp_path, hostile, "malformed", max_attempts=3).search("dog"))
    assert isinstance(exc, FreesoundError)
    assert "malformed JSON" in str(exc)
    assert hostile.requests["malformed"] - before == 3


def test_a_redirect_loop_stops_after_a_few_hops(tmp_path, hostile):
    before = hostile.requests["redirect"]
    exc, seconds, _ = timed(lambda: client(tmp_path, hostile, "redirect").search("dog"))
    assert isinstance(exc, FreesoundError)
    assert "redirect" in str(exc)
    assert hostile.requests["redirect"] - before <= 6
    assert seconds < 4


def test_the_cache_never_answers_for_another_host(tmp_path):
    cache_dir = tmp_path / "shared"
    with HostileServer() as first, HostileServer() as second:
        a = FreesoundClient(FreesoundCache(cache_dir), api_key=KEY, base_url=first.url("ok", "/apiv2"))
        b = FreesoundClient(FreesoundCache(cache_dir), api_key=KEY, base_url=second.url("ok", "/apiv2"))
        assert a.search("dog").results[0].name == f"answer of port {first.port}"
        assert b.search("dog").results[0].name == f"answer of port {second.port}"  # not the first one's cache
        assert a.search("dog").results[0].name == f"answer of port {first.port}"
        assert (first.requests["ok"], second.requests["ok"]) == (1, 1)  # the repeat was a cache hit


# --------------------------------------------------------------------------- OpenAI-compatible servers


@pytest.fixture()
def openai_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-hostile-test-0123456789")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


def ask(hostile, behaviour: str, **settings) -> object:
    llm = LLMClient(LLMSettings(base_url=hostile.url(behaviour, "/v1"), **settings))
    return llm.chat_json([{"role": "user", "content": "hi"}], schema={"type": "object"}, schema_name="t",
                         purpose="test", parse=lambda v: v)


def test_the_stand_in_llm_server_answers_when_it_behaves(hostile, openai_key):
    assert ask(hostile, "ok", max_retries=0) == {"ok": True}


@pytest.mark.parametrize("behaviour", ["bomb", "declared", "gzip"])
def test_an_llm_size_bomb_is_refused_once_not_retried(hostile, openai_key, behaviour):
    before = hostile.requests[behaviour]
    exc, seconds, peak = timed(lambda: ask(hostile, behaviour, max_retries=3, max_response_mb=1.0))
    assert isinstance(exc, LLMError)
    assert "limit" in str(exc) or "compressed" in str(exc)
    assert hostile.requests[behaviour] - before == 1  # the SDK's 3 retries were not spent on it
    assert peak < 8, f"{peak:.1f} MB allocated for a 1 MB cap"
    assert seconds < 10


def test_an_llm_trickle_ends_at_the_deadline_with_the_sdk_retries_inside_it(hostile, openai_key):
    exc, seconds, _ = timed(lambda: ask(hostile, "trickle", max_retries=3, deadline=1.0, timeout=5.0))
    assert isinstance(exc, LLMError)
    assert "deadline" in str(exc)
    assert seconds < 4, f"a 1 s deadline took {seconds:.1f} s"


def test_an_llm_hang_is_a_timeout(hostile, openai_key):
    exc, seconds, _ = timed(lambda: ask(hostile, "hang", max_retries=0, timeout=0.5))
    assert isinstance(exc, LLMError)
    assert "timed out" in str(exc)
    assert seconds < 4


def test_an_llm_redirect_loop_is_one_line(hostile, openai_key):
    exc, seconds, _ = timed(lambda: ask(hostile, "redirect", max_retries=0))
    assert isinstance(exc, LLMError)
    assert "\n" not in str(exc) and seconds < 4
