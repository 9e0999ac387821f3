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

from ..manifest import AmbienceTag, ImageTag, Scene, SceneObject


def _article(word: str) -> str:
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _objects_phrase(objects: list[SceneObject]) -> str:
    """"3 cars, a person and a bicycle": one phrase per label, most important first."""
    counts: dict[str, int] = {}
    for obj in sorted(objects, key=lambda o: -o.importance):
        counts[obj.label] = counts.get(obj.label, 0) + obj.count
    return _join([_article(label) if n == 1 else f"{n} {_plural(label)}" for label, n in counts.items()])


def _plural(label: str) -> str:
    irregular = {"person": "people", "mouse": "mice", "sheep": "sheep", "bus": "buses", "knife": "knives"}
    return irregular.get(label, label + "s")


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
