"""Describe the clip in words, and turn the words into a sound prompt (Immersivaudio's
"description" and "prompt enhancer" steps).

* **Caption**: the VLM's caption of the best frame when the analyzer is a VLM (it writes
  ``caption``); offline, a sentence composed from what the offline models saw — the kind
  of place (ambience tags), the sounding objects over the clip and the classifier's top tag.
* **Prompt**: the caption and the object list interpolated into one text-to-audio prompt,
  and one prompt per sound target (an object's sound query placed in the scene), which the
  generation backend uses; all are recorded in the manifest.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..manifest import AmbienceTag, ImageTag, Scene, SceneObject

# where a label's head noun ends: "person | up close", "people | in a square", "bird | of prey"
_PHRASE = re.compile(r"\s+(?=(?:in|on|at|by|of|up|with|near|under|over|from|for|to)\b)")


@lru_cache(maxsize=1)
def _inflect():
    import inflect

    return inflect.engine()


def _article(word: str) -> str:
    """"an old telephone", "a unicorn", "an hour" (inflect knows how a word sounds)."""
    return _inflect().a(word)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _objects_phrase(objects: list[SceneObject]) -> str:
    """"3 cars, a person and a bicycle": one phrase per label, most important first."""
    counts: dict[str, int] = {}
    for obj in sorted(objects, key=lambda o: -o.importance):
        counts[obj.label] = counts.get(obj.label, 0) + obj.count
    return _join([_one(label) if n == 1 else f"{n} {_plural(label)}" for label, n in counts.items()])


def _one(label: str) -> str:
    """"a dog", "an old telephone"; a label that already names several ("people in a square") as it is."""
    head = _PHRASE.split(label.strip(), maxsplit=1)[0].split()
    return label if head and _is_plural(head[-1]) else _article(label)


def _plural(label: str) -> str:
    """The label's head noun in the plural, the rest as it is: "wine glasses", "people up
    close", "birds of prey"; a head already plural ("people in a square") stays."""
    head, *rest = _PHRASE.split(label.strip(), maxsplit=1)
    if head and not _is_plural(head.split()[-1]):
        head = _inflect().plural_noun(head)
    return " ".join([head, *rest])


def _is_plural(word: str) -> bool:
    """"people", "cows", "glasses" are; "bus", "gas", "cactus" are not (inflect reads any final
    s as a plural: "bus" would be the plural of "bu"); "sheep" is its own singular."""
    single = _inflect().singular_noun(word)
    return bool(single) and single != word and not word.endswith(("us", "ss", "is", "as"))


def offline_caption(objects: list[SceneObject], ambience: list[AmbienceTag], tags: list[ImageTag]) -> str:
    """"A video of an urban street with a dog and a bicycle (the picture looks like: seashore)."""
    place = _article(ambience[0].label) if ambience else "a scene"
    sentence = f"A video of {place}"
    if objects:
        sentence += f" with {_objects_phrase(objects)}"
    if tags:
        sentence += f" (the picture looks like: {tags[0].label})"
    return sentence + "."


def enhance_prompt(caption: str, scene: Scene) -> str:
    """One prompt for a whole-clip soundtrack: caption + sounding objects + place."""
    parts = [caption.rstrip(".") + "."]
    sounds = [o.query for o in sorted(scene.objects, key=lambda o: -o.importance)]
    if sounds:
        parts.append("Sounds: " + ", ".join(dict.fromkeys(sounds)) + ".")
    if scene.ambience:
        parts.append("Background: " + ", ".join(dict.fromkeys(a.query for a in scene.ambience)) + ".")
    parts.append("Realistic field recording, no music, no speech.")
    return " ".join(parts)


def target_prompt(query: str, scene: Scene) -> str:
    """A prompt for one sound: its query, placed in the clip's kind of place."""
    where = f", in {_article(scene.ambience[0].label)}" if scene.ambience else ""
    return f"{query}{where}, realistic field recording, no music"
