"""Kinds of place on real photos, and beds that never come up empty indoors.

Photos come from dev packages (gcompris monuments, Tux Paint templates, Lomiri wallpapers),
labelled in eval/photos.toml by looking; the kinds asserted here are the clear cases a
listener would not argue about. Held-out packages are never opened here.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from image_extender import pipeline
from image_extender.analyze.ambience import infer_ambience, load_rules
from image_extender.manifest import AmbienceTag, ImageInfo, Scene
from image_extender.settings import load_settings

DATA = Path(os.environ.get("IMAGE_EXTENDER_DATA", Path(__file__).resolve().parents[1] / "data"))

# photo id in eval/photos.toml -> the ambience labels a listener would accept as its first bed
CLEAR_PLACES = {
    "mon-rushmore": {"mountains"},
    "tp-redwoods": {"forest"},
    "tp-jellyfish": {"underwater"},
    "tp-sheep": {"farm", "countryside"},
    "det-giza": {"desert"},  # pyramids on sand: a desert, never a church
    "mon-konark": {"town square", "old town"},  # an empty temple courtyard: a square, not a windy field
    "mon-arles": {"town square", "old town"},
    "lom-clock": {"living room", "indoor room"},
    "farm-cat": {"living room", "indoor room"},
}


def _photo(pid: str) -> Path:
    from eval.photos import load_photos, photo_path

    (photo,) = [p for p in load_photos() if p.id == pid]
    assert photo.split == "dev"
    return photo_path(photo, DATA)


@pytest.mark.parametrize("pid", sorted(CLEAR_PLACES))
def test_a_clear_photo_gets_its_kind_of_place(pid, analyzer):
    from image_extender.analyze.image import load_image

    scene = analyzer.analyze(load_image(_photo(pid)))
    first = scene.ambience[0]
    assert first.label in CLEAR_PLACES[pid], (first.label, first.evidence)


def _flat(labels: list[str], **peaks: float) -> np.ndarray:
    probs = np.full(len(labels), 1e-5)
    for name, p in peaks.items():
        probs[labels.index(name)] = p
    return probs / probs.sum()


def test_a_lone_monument_stands_in_its_landscape_or_its_square(analyzer):
    """A palace with nobody around: on sand it is the desert's; under a bare blue sky it is
    the square it stands on, not an open field (the sky alone is no landscape)."""
    labels = analyzer._classifier.labels
    probs = _flat(labels, palace=0.6)
    sky_only = {"sky": 0.9}
    (tag,) = infer_ambience(probs, labels, [], sky_only)
    assert tag.label == "town square", tag.evidence
    (tag,) = infer_ambience(probs, labels, [], {"sky": 0.9, "sand": 0.8})
    assert tag.label == "desert", tag.evidence
    (tag,) = infer_ambience(probs, labels, [("person", 0.9), ("person", 0.8), ("car", 0.7)], sky_only)
    assert tag.label == "old town", tag.evidence  # people and cars: a town after all
    church = _flat(labels, church=0.4)
    (tag,) = infer_ambience(church, labels, [], {"sky": 0.3, "sand": 0.9})
    assert tag.label == "desert", tag.evidence  # a pyramid taken for a church


@pytest.fixture(scope="module")
def finder():
    from image_extender.sounds.factory import build_finder

    return build_finder(load_settings(data_dir=DATA, duration=20.0, seed=0))


@pytest.mark.skipif(not (DATA / "library").is_dir(), reason="starter library not built: run `make install`")
def test_every_place_finds_a_bed(finder):
    """However specific the place (a gym, a bathroom, a museum, a savanna), its chain ends in
    something the library has: a photo with nothing else to hear never fails for lack of a bed."""
    rules = load_rules()
    assert sum(r.indoor for r in rules.rules) >= 10
    empty = []
    for rule in rules.rules:
        tag = AmbienceTag(label=rule.label, query=rule.query, queries=rules.tag_queries(rule.label))
        scene = Scene(image=ImageInfo(path="-", md5="-", width=1, height=1), analyzer="test", ambience=[tag])
        (choice,) = finder(scene)
        if choice.sound is None:
            empty.append((rule.label, choice.verdict))
    assert not empty, empty


@pytest.mark.skipif(not (DATA / "library").is_dir(), reason="starter library not built: run `make install`")
def test_a_living_room_photo_is_heard_with_a_bed(finder):
    """A real living-room photo (no sounding object in it) gets a bed, so its run does not fail."""
    settings = load_settings(data_dir=DATA, duration=20.0, seed=0)
    scene = pipeline.analyze_image(_photo("lom-living-room"), settings)
    assert load_rules().rule(scene.ambience[0].label).indoor, scene.ambience[0]
    beds = [c for c in finder(scene) if c.role == "ambience" and c.sound is not None]
    assert beds, scene.ambience


# ----------------------------------------------------------------- the appearance prior (places.py)


def test_the_shipped_neighbour_table_is_what_the_dev_labels_give():
    """Rows are the sounding dev photos in file order (never a held-out one), and each row's
    accepted places are what the judge's rules give for its labels today."""
    from eval.fit_places import accepts_matrix, training_photos
    from eval.judge import load_rules as load_judge
    from eval.photos import load_photos

    from image_extender.analyze.places import load_table

    table, photos = load_table(), training_photos(load_photos())
    assert list(table.ids) == [p.id for p in photos]
    assert all(p.split == "dev" for p in photos)
    assert list(table.labels) == [r.label for r in load_rules().rules]
    accepts = accepts_matrix(photos, load_rules(), load_judge())
    np.testing.assert_allclose(table.votes, accepts / accepts.sum(axis=1, keepdims=True), atol=1e-6)


@pytest.mark.parametrize("pid", ["tp-sheep", "click-sea3", "mon-arles", "lom-clock"])
def test_the_shipped_embeddings_are_what_the_classifier_gives(pid, analyzer):
    from image_extender.analyze.image import load_image
    from image_extender.analyze.places import load_table

    table = load_table()
    stored = table.embeddings[table.ids.index(pid)]
    fresh = analyzer._classifier.embedding(load_image(_photo(pid)).rgb)
    assert float(stored @ fresh) > 0.999


def test_a_photo_is_never_its_own_neighbour_and_the_vote_is_explained(analyzer):
    """A dev photo is judged by the other photos (so dev numbers do not grade themselves), and
    the tag's evidence names the photos it looked like."""
    from image_extender.analyze.image import load_image
    from image_extender.analyze.places import load_table

    table = load_table()
    emb = analyzer._classifier.embedding(load_image(_photo("click-sea3")).rgb)
    prior, nearest = table.prior(emb, k=10, temperature=0.05, weight=0.6)
    assert "click-sea3" not in nearest and nearest
    accepted = set(np.array(table.labels)[table.votes[table.ids.index("click-sea3")] > 0])
    assert "underwater" in accepted and max(prior, key=prior.get) in accepted  # other sea-floor photos voted
    assert prior["underwater"] >= 0.1  # its vote is shared with the sea beds the judge also accepts
    assert 0 < sum(prior.values()) <= 0.6 + 1e-6
    scene = analyzer.analyze(load_image(_photo("click-sea3")))
    assert any(e.startswith("looks like:underwater") for e in scene.ambience[0].evidence), scene.ambience[0].evidence
