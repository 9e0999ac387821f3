"""The `openai` scene analyzer, spoken to through the real SDK against a local fake server.

Every test runs offline: ``tests/fake_openai.py`` is a real HTTP server on 127.0.0.1 that
answers in the chat-completions shape and injects faults (bad JSON, schema violations,
prose, 429 with Retry-After, timeouts, 401 echoing the key).
"""

from __future__ import annotations

import io
import logging
import time

import numpy as np
import pytest
from fake_openai import Fault, Reply, json_reply, server_fixtures
from PIL import Image

from image_extender.analyze.image import load_image
from image_extender.analyze.nonsonic import is_non_sonic
from image_extender.analyze.openai_vlm import SCENE_SCHEMA, OpenAIAnalyzer
from image_extender.errors import ImageExtenderError, SettingsError
from image_extender.llm.client import LLMError
from image_extender.llm.settings import LLMSettings
from image_extender.manifest import AmbienceTag, BBox, ImageInfo, ImageTag, Manifest, Scene, SceneObject

SECRET = "sk-test-0123456789-SECRET-abcdef"

# What a good model says about darknet's dog.jpg (768x576): dog lower left, bicycle
# across the middle, pickup truck upper right. Boxes are the well-known YOLO ones / size.
DOG_REPLY = {
    "caption": "A dog sits next to a bicycle in front of a parked pickup truck.",
    "image_tags": ["photo", "dog", "bicycle", "street"],
    "mood": "calm suburban",
    "objects": [
        {"label": "bicycle", "sound_query": "bicycle bell and freewheel ticking", "count": 1,
         "bbox": {"x0": 0.16, "y0": 0.22, "x1": 0.74, "y1": 0.78}, "importance": 0.4, "confidence": 0.9},
        {"label": "dog", "sound_query": "dog panting and barking outdoors", "count": 1,
         "bbox": {"x0": 0.16, "y0": 0.38, "x1": 0.42, "y1": 0.94}, "importance": 0.9, "confidence": 0.95},
        {"label": "pickup truck", "sound_query": "pickup truck engine idling", "count": 1,
         "bbox": {"x0": 0.61, "y0": 0.13, "x1": 0.90, "y1": 0.30}, "importance": 0.5, "confidence": 0.8},
    ],
    "scene_and_location": [
        {"label": "suburban street", "sound_query": "quiet suburban street ambience", "confidence": 0.8},
    ],
}


fake, env = server_fixtures(SECRET)


@pytest.fixture(scope="module")
def dog(darknet_photos):
    return load_image(darknet_photos / "dog.jpg")


def analyzer(**llm) -> OpenAIAnalyzer:
    llm.setdefault("max_retries", 0)
    a = OpenAIAnalyzer(LLMSettings(**llm), min_confidence=0.0, max_objects=6)
    a.load()
    return a


# --------------------------------------------------------------------------- the request


def test_request_carries_the_downscaled_photo_and_the_strict_schema(env, dog):
    env.push(json_reply(DOG_REPLY))
    analyzer(max_image_side=320).analyze(dog)

    (req,) = env.requests
    assert req.path == "/v1/chat/completions"
    assert req.body["model"] == "gpt-4.1"
    assert req.headers["authorization"] == f"Bearer {SECRET}"
    fmt = req.body["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"] == SCENE_SCHEMA

    (mime, data), = req.image_data()
    assert mime == "image/jpeg"
    sent = Image.open(io.BytesIO(data))
    assert sent.format == "JPEG"
    assert sent.size == (320, 240)  # 768x576 fitted into 320, aspect kept
    # It is the photo, not a placeholder: close to a plain downscale of the original.
    reference = np.asarray(Image.fromarray(dog.rgb).resize((320, 240), Image.Resampling.LANCZOS), dtype=float)
    assert np.abs(np.asarray(sent.convert("RGB"), dtype=float) - reference).mean() < 6.0
    # The prompt asks for visible, present sources phrased as sounds.
    text = req.text()
    assert "VISIBLE and PRESENT" in text and "statues" in text and "dog barking on" in text


def test_small_images_are_not_upscaled_and_png_is_available(env, tmp_path):
    from skimage import data as skdata

    path = tmp_path / "coffee.png"
    Image.fromarray(skdata.coffee()).save(path)  # 600x400
    env.push(json_reply({**DOG_REPLY, "objects": []}))
    analyzer(max_image_side=1024, image_format="png").analyze(load_image(path))
    (mime, data), = env.requests[0].image_data()
    assert mime == "image/png"
    sent = Image.open(io.BytesIO(data))
    assert sent.size == (600, 400)
    assert np.array_equal(np.asarray(sent.convert("RGB")), skdata.coffee())  # lossless, untouched


# --------------------------------------------------------------------------- good replies


def test_good_reply_becomes_a_valid_scene_ranked_by_importance(env, dog):
    env.push(json_reply(DOG_REPLY, prompt_tokens=812, completion_tokens=230))
    a = analyzer()
    scene = a.analyze(dog)

    assert scene.analyzer == "openai"
    assert (scene.image.width, scene.image.height) == (768, 576)
    assert scene.image.md5 == dog.md5
    assert [o.label for o in scene.objects] == ["dog", "pickup truck", "bicycle"]
    by = {o.label: o for o in scene.objects}
    assert by["dog"].query == "dog panting and barking outdoors"
    assert by["dog"].bbox.pan < -0.3  # dog on the left of the stereo field
    assert by["pickup truck"].bbox.pan > 0.3
    assert by["dog"].importance == 0.9 and by["dog"].confidence == 0.95
    assert [t.label for t in scene.ambience] == ["suburban street"]
    assert scene.ambience[0].query == "quiet suburban street ambience"
    assert scene.mood == "calm suburban"
    assert scene.caption.startswith("A dog sits")
    assert "photo" in [t.label for t in scene.tags]
    assert scene.non_sonic is False
    # Round-trips through the manifest model unchanged.
    assert Scene.model_validate_json(scene.model_dump_json()) == scene
    # Token accounting for the run.
    assert a.usage == [
        {"purpose": "scene analysis of dog.jpg", "model": "gpt-4.1", "input_tokens": 812, "output_tokens": 230,
         "seconds": a.usage[0]["seconds"], "retries": 0, "ok": True, "cost_usd": None}
    ]


def test_settings_cap_objects_and_drop_unsure_ones(env, dog):
    env.push(json_reply(DOG_REPLY))
    a = OpenAIAnalyzer(LLMSettings(max_retries=0), min_confidence=0.85, max_objects=1)
    scene = a.analyze(dog)
    assert [o.label for o in scene.objects] == ["dog"]  # truck (0.8) below min, bicycle cut by the cap


def test_unambiguous_slips_are_repaired_without_a_second_request(env, dog):
    sloppy = {
        **DOG_REPLY,
        "objects": [
            # corners swapped, edges a hair outside the frame, importance a bit over 1
            {"label": "dog", "sound_query": "dog barking", "count": 1,
             "bbox": {"x0": 0.42, "y0": 1.03, "x1": -0.02, "y1": 0.38}, "importance": 1.1, "confidence": 0.9},
        ],
    }
    import json

    env.push(Reply("```json\n" + json.dumps(sloppy) + "\n```"))
    scene = analyzer().analyze(dog)
    assert len(env.requests) == 1
    (obj,) = scene.objects
    assert obj.bbox == BBox(x0=0.0, y0=0.38, x1=0.42, y1=1.0)
    assert obj.importance == 1.0


def test_model_saying_nothing_sounds_is_non_sonic_not_silently_empty(env, dog):
    env.push(json_reply({**DOG_REPLY, "objects": [], "scene_and_location": [], "caption": "A blank grey wall."}))
    scene = analyzer().analyze(dog)
    assert scene.objects == [] and scene.non_sonic is True


# --------------------------------------------------------------------------- bad replies


def test_malformed_json_is_retried_once_with_the_problem_stated(env, dog):
    env.push(Reply('{"caption": "A dog", "objects": [ {"label": "dog", '), json_reply(DOG_REPLY))
    a = analyzer()
    scene = a.analyze(dog)
    assert [o.label for o in scene.objects][0] == "dog"
    assert len(env.requests) == 2
    retry = env.requests[1]
    assert "not valid JSON" in retry.text()
    assert retry.image_data(), "the retry still carries the image"
    assert [u["ok"] for u in a.usage] == [True, True]


def test_schema_violation_twice_is_a_clear_error_naming_the_problem(env, dog):
    in_pixels = {**DOG_REPLY, "objects": [
        {"label": "dog", "sound_query": "dog barking", "count": 1,
         "bbox": {"x0": 124, "y0": 220, "x1": 320, "y1": 540}, "importance": 0.9, "confidence": 0.9}]}
    env.push(json_reply(in_pixels), json_reply(in_pixels))
    with pytest.raises(LLMError) as err:
        analyzer().analyze(dog)
    assert len(env.requests) == 2
    message = str(err.value)
    assert "objects[0].bbox.x0=124 is outside 0–1" in message
    assert "after one retry" in message and "gpt-4.1" in message and "\n" not in message


def test_missing_fields_are_not_guessed(env, dog):
    no_box = {**DOG_REPLY, "objects": [{"label": "dog", "sound_query": "dog barking", "importance": 0.9,
                                        "confidence": 0.9, "count": 1}]}
    no_objects = {k: v for k, v in DOG_REPLY.items() if k != "objects"}
    env.push(json_reply(no_box), json_reply(no_objects))
    with pytest.raises(LLMError, match=r"'objects' must be a list \(missing\)"):
        analyzer().analyze(dog)
    assert "objects[0].bbox missing" in env.requests[1].text()


def test_prose_instead_of_json_is_an_error_after_one_retry(env, dog):
    prose = Reply("I see a lovely dog next to a bicycle. It would probably bark!")
    env.push(prose, prose)
    with pytest.raises(LLMError, match="not valid JSON"):
        analyzer().analyze(dog)
    assert len(env.requests) == 2


def test_rate_limit_is_retried_after_retry_after(env, dog):
    limit = Fault(429, "Rate limit reached", {"Retry-After": "0.3"})
    env.push(limit, limit, json_reply(DOG_REPLY))
    a = analyzer(max_retries=3)
    started = time.monotonic()
    scene = a.analyze(dog)
    assert scene.objects
    assert len(env.requests) == 3
    gaps = [b.at - a_.at for a_, b in zip(env.requests, env.requests[1:])]
    assert all(g >= 0.28 for g in gaps), gaps  # the server's Retry-After was honoured
    assert time.monotonic() - started < 5
    assert a.usage[0]["retries"] == 2


def test_persistent_rate_limit_and_server_errors_give_up_with_a_clear_error(env, dog):
    env.push(*[Fault(429, "Rate limit reached", {"Retry-After": "0.05"})] * 2)
    with pytest.raises(LLMError, match=r"rate limited \(HTTP 429\) after 2 attempts"):
        analyzer(max_retries=1).analyze(dog)
    env.reset()
    env.push(Fault(503, "overloaded", {"Retry-After": "0.05"}), json_reply(DOG_REPLY))
    assert analyzer(max_retries=1).analyze(dog).objects  # one 5xx is retried


def test_timeout_is_an_error_within_the_configured_time(env, dog):
    env.push(Reply("{}", delay=5.0))
    started = time.monotonic()
    with pytest.raises(LLMError, match=r"timed out after 0.4 s"):
        analyzer(timeout=0.4).analyze(dog)
    assert time.monotonic() - started < 2.0


def test_unreachable_server_is_an_error_not_a_crash(monkeypatch, dog):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # discard port: refused
    with pytest.raises(LLMError, match="cannot connect"):
        analyzer().analyze(dog)


# --------------------------------------------------------------------------- the key


def test_missing_key_names_the_variable(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(SettingsError, match="OPENAI_API_KEY is not set"):
        OpenAIAnalyzer().load()


def test_key_never_appears_in_logs_errors_or_manifest(env, dog, caplog):
    caplog.set_level(logging.DEBUG)
    # A server that echoes the key in its 401 body, as some proxies do.
    env.push(Fault(401, f"Incorrect API key provided: {SECRET}"))
    with pytest.raises(SettingsError) as err:
        analyzer().analyze(dog)
    assert "OPENAI_API_KEY" in str(err.value)
    assert SECRET not in str(err.value) and err.value.__cause__ is None

    env.push(Fault(500, f"upstream said: Bearer {SECRET}", {"x-should-retry": "false"}))
    with pytest.raises(LLMError) as err2:
        analyzer().analyze(dog)
    assert SECRET not in str(err2.value) and "[redacted]" in str(err2.value)

    env.push(json_reply(DOG_REPLY))
    a = analyzer()
    scene = a.analyze(dog)
    manifest = Manifest(scene=scene, settings={"llm": a.llm.model_dump(mode="json"), "usage": a.usage})
    assert SECRET not in manifest.model_dump_json()
    assert SECRET not in repr(a.client) and SECRET not in repr(a.llm)
    assert caplog.records, "the run did log something"
    assert SECRET not in caplog.text


# --------------------------------------------------------------------------- non-sonic images


def test_logo_image_is_flagged_non_sonic(env, tmp_path):
    from skimage import data as skdata

    path = tmp_path / "logo.png"
    Image.fromarray(skdata.logo()).save(path)  # RGBA, composited over white by load_image
    env.push(json_reply({
        "caption": "The scikit-image logo: a stylised snake in a green and orange circle.",
        "image_tags": ["logo", "graphic design"], "mood": "neutral", "objects": [], "scene_and_location": [],
    }))
    scene = analyzer().analyze(load_image(path))
    assert scene.non_sonic is True
    (mime, data), = env.requests[0].image_data()
    assert Image.open(io.BytesIO(data)).size == (500, 500)


def test_non_sonic_words_need_a_silent_scene():
    """A stop sign on a busy street names a sign, but the traffic still sounds."""
    info = ImageInfo(path="street.jpg", md5="0" * 32, width=640, height=480)
    box = BBox(x0=0.1, y0=0.1, x1=0.3, y1=0.5)
    car = SceneObject(label="car", query="car passing", bbox=box, importance=0.8, confidence=0.9)
    sign = SceneObject(label="stop sign", query="", bbox=box, importance=0.2, confidence=0.9)
    street = Scene(image=info, analyzer="offline", objects=[car, sign], caption="A stop sign at a busy crossing",
                   ambience=[AmbienceTag(label="urban street", query="city traffic")])
    assert not is_non_sonic(street)
    only_sign = street.model_copy(update={"objects": [sign], "ambience": []})
    assert is_non_sonic(only_sign)
    icon = Scene(image=info, analyzer="offline", tags=[ImageTag(label="icons", score=0.7)])
    assert is_non_sonic(icon)
    design = Scene(image=info, analyzer="offline", caption="A designer's signal lamp")  # no whole word
    assert not is_non_sonic(design)


def test_errors_are_image_extender_errors_with_exit_codes():
    assert issubclass(LLMError, ImageExtenderError) and LLMError.exit_code not in (0, 1)


# --------------------------------------------------------------------------- hybrid


@pytest.fixture(scope="module")
def offline():
    from image_extender.analyze import get_analyzer
    from image_extender.settings import load_settings

    detector = get_analyzer("offline", load_settings())
    detector.load()
    return detector


def hybrid(offline, **llm):
    from image_extender.analyze.hybrid import HybridAnalyzer

    llm.setdefault("max_retries", 0)
    h = HybridAnalyzer(offline, OpenAIAnalyzer(LLMSettings(**llm), min_confidence=0.0, max_objects=6))
    h.load()
    return h


def test_hybrid_takes_llm_semantics_and_detector_geometry(env, dog, offline):
    detected = offline.analyze(dog)
    det = {o.label: o for o in detected.objects}
    assert {"dog", "car"} <= set(det) and "bicycle" not in det, "the real detector finds these in dog.jpg (the bicycle nobody rides is silent)"
    env.push(json_reply({
        "caption": "A dog sits by a bicycle, a pickup truck parked behind.",
        "image_tags": ["photo"], "mood": "calm",
        "objects": [
            # rough LLM boxes, as real VLMs give them
            {"label": "dog", "sound_query": "dog panting and barking", "count": 1,
             "bbox": {"x0": 0.12, "y0": 0.30, "x1": 0.48, "y1": 1.0}, "importance": 0.9, "confidence": 0.7},
            {"label": "pickup truck", "sound_query": "pickup truck engine idling", "count": 1,
             "bbox": {"x0": 0.55, "y0": 0.05, "x1": 0.97, "y1": 0.36}, "importance": 0.5, "confidence": 0.8},
            {"label": "trees", "sound_query": "leaves rustling in the wind", "count": 1,
             "bbox": {"x0": 0.0, "y0": 0.0, "x1": 0.3, "y1": 0.25}, "importance": 0.2, "confidence": 0.6},
        ],
        "scene_and_location": [{"label": "suburban yard", "sound_query": "quiet suburban yard", "confidence": 0.7}],
    }))
    scene = hybrid(offline).analyze(dog)

    assert scene.analyzer == "hybrid"
    assert [o.label for o in scene.objects] == ["dog", "pickup truck", "trees"]
    dog_obj, truck, trees = scene.objects
    assert dog_obj.bbox == det["dog"].bbox and truck.bbox == det["car"].bbox  # detector geometry
    assert dog_obj.query == "dog panting and barking" and dog_obj.importance == 0.9  # LLM semantics
    assert dog_obj.confidence == pytest.approx(1 - 0.3 * (1 - det["dog"].confidence), abs=1e-4)
    assert trees.bbox == BBox(x0=0.0, y0=0.0, x1=0.3, y1=0.25)  # LLM-only keeps its box
    assert [a.label for a in scene.ambience] == ["suburban yard"]
    assert {"photo", "malamute"} <= {t.label for t in scene.tags}
    assert scene.non_sonic is False


def test_hybrid_does_not_borrow_a_box_that_does_not_overlap(env, dog, offline):
    env.push(json_reply({**DOG_REPLY, "objects": [
        {"label": "dog", "sound_query": "dog barking", "count": 1,
         "bbox": {"x0": 0.70, "y0": 0.6, "x1": 0.98, "y1": 0.98}, "importance": 0.9, "confidence": 0.9}]}))
    (obj,) = hybrid(offline).analyze(dog).objects
    assert obj.bbox == BBox(x0=0.70, y0=0.6, x1=0.98, y1=0.98)


def test_hybrid_labels_match_through_plurals_and_synonyms():
    from image_extender.analyze.hybrid import same_kind

    assert same_kind("pickup truck", "car") and same_kind("puppies", "dog") and same_kind("Horses", "horse")
    assert same_kind("cyclist", "bicycle") and same_kind("seagull", "bird")
    assert not same_kind("dog", "cat") and not same_kind("bus stop", "clock")


def test_hybrid_missing_key_fails_before_loading_the_detector(monkeypatch):
    from image_extender.analyze import get_analyzer
    from image_extender.settings import load_settings

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    h = get_analyzer("hybrid", load_settings())
    with pytest.raises(SettingsError, match="OPENAI_API_KEY"):
        h.load()
    assert not h.detector.loaded


def test_a_reply_cut_off_at_the_token_limit_is_retried_with_more_room(env, dog):
    import json

    env.push(Reply(json.dumps(DOG_REPLY)[:200], finish_reason="length"), json_reply(DOG_REPLY))
    scene = analyzer(max_output_tokens=500).analyze(dog)
    assert scene.objects
    assert [r.body["max_tokens"] for r in env.requests] == [500, 1000]
    assert "cut off at 500 tokens" in env.requests[1].text()
