"""The ``openai`` scene analyzer: a vision-language model describes what in the photo sounds.

Works with OpenAI (default model ``gpt-4.1``) and any OpenAI-compatible server (Ollama,
vLLM, LM Studio) through ``OPENAI_BASE_URL``. The image is downscaled and sent inline as a
data URL; the reply is strict JSON-schema structured output, parsed into the same
:class:`Scene` the offline analyzer produces.

The prompt follows what Petermann & Kalayeh found when sonifying images with VLMs
("Seeing Sound: Assembling Sounds from Visuals for Audio-to-Image Generation",
arXiv:2501.05413, 2025): asked freely, VLMs describe the *picture* and invent plausible
off-screen sources (seagulls on every beach), which pairs images with the wrong audio; asked
for the sonic qualities of sources actually in view, phrased as sounds, they give
retrieval-ready descriptions. So we ask only for sources that are visible and present (no
statues, paintings or toys of animals) and for queries written as sounds ("dog barking on
gravel"), not as nouns.

Replies are checked by :func:`parse_scene_reply`, which repairs only what is unambiguous
(a box edge a hair outside the frame, swapped corners, a score slightly above 1, code
fences) and otherwise reports the problem so the client retries once, then raises.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any, TypeVar

from ..manifest import AmbienceTag, BBox, ImageInfo, ImageTag, Scene, SceneObject
from ..llm.client import LLMBacked, LLMClient, ReplyError
from ..llm.image_payload import encode_image
from ..llm.settings import LLMSettings
from .base import LoadedImage
from .nonsonic import mark_non_sonic
from .vocabulary import enrich_object, enrich_tag

log = logging.getLogger(__name__)

E = TypeVar("E")

BOX_TOLERANCE = 0.05  # a box edge this far outside 0–1 is rounding; farther is another unit (pixels)
SCORE_TOLERANCE = 0.25  # a score up to 1.25 is over-enthusiasm; 7 or 80 is another scale

SYSTEM_PROMPT = """\
You describe images for a sound designer who builds a soundscape from real recordings.

List only sound sources that are VISIBLE and PRESENT in the image: things you can point at
that would really make sound in this scene. Do not guess at anything off camera (no seagulls
just because it is a beach, no traffic just because it is a city unless vehicles are visible).
Depictions do not sound: statues, paintings, posters, toys, printed photos of animals or people
are not sound sources.

For each sound source:
- label: a short noun ("dog", "car", "waterfall").
- sound_query: how it sounds here, written as a sound-library search, e.g. "dog barking on
  gravel", "idling diesel engine", "children laughing in a park". A sound, not a noun.
- bbox: its box as fractions of the image width and height, 0 to 1: x0,y0 top-left corner,
  x1,y1 bottom-right corner.
- importance: 0 to 1, how much it should stand out in the mix (large, central, active
  sources high; small or quiet ones low).
- confidence: 0 to 1, how sure you are it is there and sounding.
- count: how many instances this entry groups (1 if one).

scene_and_location: 0 to 3 ambience beds for the place itself (label "city street",
sound_query "city street traffic ambience"); empty if the place has no sound of its own.
image_tags: 2 to 6 words for what kind of image this is ("photo", "illustration", "logo",
"icon", "emblem", "sign", "screenshot") and what it shows.
If the image is a logo, icon, emblem, symbol, trademark or sign rather than a scene, say so
in the caption and image_tags and return no objects and no scene_and_location.
caption: one short sentence. mood: one to three words for the atmosphere ("calm", "busy").
Answer with JSON only."""

_SCORE = {"type": "number", "minimum": 0, "maximum": 1}

SCENE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["caption", "image_tags", "mood", "objects", "scene_and_location"],
    "properties": {
        "caption": {"type": "string"},
        "image_tags": {"type": "array", "items": {"type": "string"}},
        "mood": {"type": "string"},
        "objects": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["label", "sound_query", "bbox", "importance", "confidence", "count"],
                "properties": {
                    "label": {"type": "string"},
                    "sound_query": {"type": "string"},
                    "bbox": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["x0", "y0", "x1", "y1"],
                        "properties": {k: _SCORE for k in ("x0", "y0", "x1", "y1")},
                    },
                    "importance": _SCORE,
                    "confidence": _SCORE,
                    "count": {"type": "integer", "minimum": 1},
                },
            },
        },
        "scene_and_location": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["label", "sound_query", "confidence"],
                "properties": {
                    "label": {"type": "string"},
                    "sound_query": {"type": "string"},
                    "confidence": _SCORE,
                },
            },
        },
    },
}


class OpenAIAnalyzer(LLMBacked):
    """``SceneAnalyzer`` backed by an OpenAI-compatible vision model."""

    name = "openai"

    def __init__(
        self,
        llm: LLMSettings | None = None,
        *,
        min_confidence: float = 0.0,
        max_objects: int = 8,
        client: LLMClient | None = None,
    ) -> None:
        super().__init__(llm, client)
        self.min_confidence = min_confidence
        self.max_objects = max_objects

    @classmethod
    def from_settings(cls, settings: Any) -> OpenAIAnalyzer:
        """Build from the main ``Settings`` (uses ``settings.llm`` when it exists)."""
        return cls(
            getattr(settings, "llm", None) or LLMSettings(),
            min_confidence=settings.min_confidence,
            max_objects=settings.max_objects,
        )

    def analyze(self, image: LoadedImage) -> Scene:
        self.load()
        assert self.client is not None
        payload = encode_image(image.rgb, self.llm.max_image_side, self.llm.image_format, self.llm.jpeg_quality)
        log.info("%s: sending %dx%d %s (%d kB)", image.path, payload.width, payload.height,
                 self.llm.image_format, payload.n_bytes // 1024)
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "List the visible sound sources and the scene of this image."},
                    {"type": "image_url", "image_url": {"url": payload.data_url, "detail": self.llm.image_detail}},
                ],
            },
        ]
        scene = self.client.chat_json(
            messages,
            schema=SCENE_SCHEMA,
            schema_name="scene_sounds",
            purpose=f"scene analysis of {image.path.name}",
            parse=lambda data: parse_scene_reply(data, image, analyzer=self.name),
        )
        return self._finish(scene)

    def _finish(self, scene: Scene) -> Scene:
        objects = [o for o in scene.objects if o.confidence >= self.min_confidence]
        objects.sort(key=lambda o: (-o.importance, -o.confidence))
        return mark_non_sonic(scene.model_copy(update={"objects": objects[: self.max_objects]}))


# --------------------------------------------------------------------------- parsing


def parse_scene_reply(data: Any, image: LoadedImage, analyzer: str = "openai") -> Scene:
    """Turn the model's JSON into a :class:`Scene`, repairing only unambiguous slips.

    Repairs: box coordinates within :data:`BOX_TOLERANCE` outside 0–1 are clamped; swapped
    corners are swapped back; importance/confidence up to :data:`SCORE_TOLERANCE` outside
    0–1 are clamped; a missing ``count`` is 1; missing caption/mood/tags are ``None``/empty.
    Everything else (missing objects list, labels, boxes; pixel coordinates; scores on
    another scale; non-numbers) raises :class:`ReplyError` listing the problems.

    A reply with no objects and no scene is the model saying nothing here sounds, so the
    scene is marked ``non_sonic`` rather than returned silently empty.
    """
    if not isinstance(data, dict):
        raise ReplyError(f"expected a JSON object, got {type(data).__name__}")
    problems: list[str] = []
    raw_objects = _list(data, "objects", problems)
    raw_ambience = _list(data, "scene_and_location", problems)

    objects = _entries(raw_objects, "objects", _object, problems)
    ambience = _entries(raw_ambience, "scene_and_location", _ambience, problems)
    if problems:
        more = f" (+{len(problems) - 4} more)" if len(problems) > 4 else ""
        raise ReplyError("; ".join(problems[:4]) + more)

    raw_tags = data.get("image_tags")
    raw_tags = raw_tags if isinstance(raw_tags, list) else []
    tags = [ImageTag(label=t.strip(), score=1.0) for t in raw_tags if isinstance(t, str) and t.strip()]
    scene = Scene(
        image=ImageInfo(path=str(image.path), md5=image.md5, width=image.width, height=image.height),
        analyzer=analyzer,
        objects=objects,
        ambience=ambience,
        tags=tags,
        mood=_text(data.get("mood")),
        caption=_text(data.get("caption")),
        non_sonic=not objects and not ambience,
    )
    return scene


def _list(data: dict, key: str, problems: list[str]) -> list:
    value = data.get(key)
    if not isinstance(value, list):
        problems.append(f"'{key}' must be a list" + (" (missing)" if value is None else ""))
        return []
    return value


def _entries(raw: list, key: str, build: Callable[[dict, str, list[str]], E | None], problems: list[str]) -> list[E]:
    """``build`` each JSON object in ``raw`` (``key[i]`` names it in problems); a non-object is a problem."""
    built: list[E] = []
    for i, item in enumerate(raw):
        where = f"{key}[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where} must be an object")
            continue
        entry = build(item, where, problems)
        if entry is not None:
            built.append(entry)
    return built


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _label(item: dict, key: str, where: str, problems: list[str]) -> str | None:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}.{key} missing or empty")
        return None
    return " ".join(value.split())


def _score(value: Any, where: str, problems: list[str], tolerance: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        problems.append(f"{where} must be a number 0–1, got {value!r}")
        return None
    if -tolerance <= value <= 1 + tolerance:
        return min(1.0, max(0.0, float(value)))
    problems.append(f"{where}={value!r} is outside 0–1")
    return None


def _object(item: dict, where: str, problems: list[str]) -> SceneObject | None:
    before = len(problems)
    label = _label(item, "label", where, problems)
    query = _label(item, "sound_query", where, problems)
    bbox = _bbox(item.get("bbox"), f"{where}.bbox", problems)
    importance = _score(item.get("importance"), f"{where}.importance", problems, SCORE_TOLERANCE)
    confidence = _score(item.get("confidence"), f"{where}.confidence", problems, SCORE_TOLERANCE)
    count = item.get("count", 1)
    if isinstance(count, float) and count.is_integer():
        count = int(count)
    if isinstance(count, bool) or not isinstance(count, int):
        problems.append(f"{where}.count must be an integer, got {count!r}")
    if len(problems) > before:
        return None
    obj = SceneObject(label=label, query=query, bbox=bbox, importance=importance,
                      confidence=confidence, count=max(1, count))
    return enrich_object(obj)  # the vocabulary's further queries and accepted concepts, after the model's


def _bbox(value: Any, where: str, problems: list[str]) -> BBox | None:
    if not isinstance(value, dict):
        problems.append(f"{where} missing (want x0, y0, x1, y1 as fractions 0–1)")
        return None
    coords = {}
    for key in ("x0", "y0", "x1", "y1"):
        v = _score(value.get(key), f"{where}.{key}", problems, BOX_TOLERANCE)
        if v is None:
            return None
        coords[key] = v
    x0, x1 = sorted((coords["x0"], coords["x1"]))
    y0, y1 = sorted((coords["y0"], coords["y1"]))
    return BBox(x0=x0, y0=y0, x1=x1, y1=y1)


def _ambience(item: dict, where: str, problems: list[str]) -> AmbienceTag | None:
    before = len(problems)
    label = _label(item, "label", where, problems)
    query = _label(item, "sound_query", where, problems)
    confidence = _score(item.get("confidence", 1.0), f"{where}.confidence", problems, SCORE_TOLERANCE)
    if len(problems) > before:
        return None
    return enrich_tag(AmbienceTag(label=label, query=query, confidence=confidence, evidence=["vision model"]))
