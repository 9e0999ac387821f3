"""The offline caption's words: plurals and articles of labels, the analyzer's and a VLM's."""

from __future__ import annotations

from image_extender.manifest import AmbienceTag, BBox, ImageTag, SceneObject
from image_extender.video.caption import offline_caption


def _obj(label: str, count: int = 1, importance: float = 0.5) -> SceneObject:
    return SceneObject(label=label, query=f"{label} sound", bbox=BBox(x0=0.1, y0=0.1, x1=0.4, y1=0.9),
                       importance=importance, confidence=0.9, count=count)


def test_a_label_is_counted_by_its_head_noun():
    """"2 person up closes" was the caption of a street clip: the plural goes on the head noun,
    the phrase after it stays, and irregular or unchanged plurals are the English ones."""
    objects = [_obj("person up close", 2, 0.9), _obj("wine glass", 3, 0.8), _obj("bird of prey", 2, 0.7),
               _obj("child", 2, 0.6), _obj("sheep", 4, 0.5), _obj("bus", 2, 0.4)]
    caption = offline_caption(objects, [AmbienceTag(label="urban street", query="street")], [])
    assert caption == ("A video of an urban street with 2 people up close, 3 wine glasses, 2 birds of prey, "
                       "2 children, 4 sheep and 2 buses.")


def test_articles_follow_the_sound_of_the_word_and_a_plural_label_takes_none():
    objects = [_obj("old telephone", 1, 0.9), _obj("people in a square", 1, 0.8), _obj("unicorn", 1, 0.7)]
    caption = offline_caption(objects, [], [ImageTag(label="hourglass", score=0.5)])
    assert caption == ("A video of a scene with an old telephone, people in a square and a unicorn "
                       "(the picture looks like: hourglass).")
