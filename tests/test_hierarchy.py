"""Concept hierarchy: the user-editable table, WordNet from Debian's packages, and their chain."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from image_extender.errors import SettingsError
from image_extender.sounds.hierarchy import MAX_STEPS, ConceptHierarchy, builtin_table
from image_extender.sounds.wordnet import LEXNAMES, WordNet, ensure_wordnet


def default_data_dir() -> Path:
    """The data cache `make install` fills (IMAGE_EXTENDER_DATA, else the checkout's data/)."""
    return Path(os.environ.get("IMAGE_EXTENDER_DATA", Path(__file__).resolve().parent.parent / "data"))


@pytest.fixture(scope="module")
def wordnet() -> WordNet:
    return WordNet.from_data_dir(default_data_dir())


@pytest.fixture(scope="module")
def hierarchy(wordnet) -> ConceptHierarchy:
    return ConceptHierarchy(table=builtin_table(), wordnet=wordnet)


def test_wordnet_corpus_is_built_once_with_the_45_lexicographer_files():
    path = ensure_wordnet(default_data_dir())
    assert path == ensure_wordnet(default_data_dir())  # idempotent
    lines = (path / "lexnames").read_text().splitlines()
    assert len(lines) == 45 == len(LEXNAMES)
    assert lines[0] == "00\tadj.all\t3" and lines[3] == "03\tnoun.Tops\t1" and lines[-1] == "44\tadj.ppl\t3"
    assert (path / "data.noun").is_file() and not (path / "data.noun").is_symlink()  # NLTK rejects links out of its root


def test_maple_is_the_tree_not_the_wood(wordnet):
    """WordNet's first sense of "maple" is the wood; the sounding sense is the tree."""
    sense = wordnet.sounding_sense("maple")
    assert sense.name() == "maple.n.02"
    assert "tree" in [h.term for h in wordnet.hypernyms("maple")]


def test_wordnet_climbs_from_specific_to_general(wordnet):
    assert [h.term for h in wordnet.hypernyms("sedan")][:2] == ["car", "motor vehicle"]
    assert "bird" in [h.term for h in wordnet.hypernyms("eagle")]
    assert "vehicle" in [h.term for h in wordnet.hypernyms("bicycle")]  # via wheeled vehicle's second parent
    assert wordnet.hypernyms("xyzzy") == []


def test_table_comes_first_then_wordnet(hierarchy):
    steps = hierarchy.steps("sedan")
    assert steps[0].term == "car" and steps[0].via == "table"
    assert [s.term for s in steps if s.via.startswith("WordNet")][:1] == ["motor vehicle"]
    assert hierarchy.fallbacks("puppy")[0] == "dog"
    assert hierarchy.fallbacks("pickup")[0] == "truck"
    assert hierarchy.fallbacks("eagle") == ["bird of prey"]  # a chirp is no eagle: the walk stops there
    assert hierarchy.fallbacks("great blue heron")[:1] == ["heron"] and "bird" not in hierarchy.fallbacks("great blue heron")
    assert hierarchy.fallbacks("songbird")[0] == "bird"
    assert hierarchy.fallbacks("giraffe")[0] == "savanna wildlife"  # a near-silent animal: its surroundings


def test_fallbacks_are_bounded_and_never_repeat(hierarchy):
    for label in ["maple", "puppy", "sedan", "giraffe", "horse", "cat", "airplane", "person"]:
        chain = hierarchy.fallbacks(label)
        assert len(chain) <= MAX_STEPS
        assert len(set(chain)) == len(chain)
        assert label not in chain


def test_user_table_overrides_and_extends_the_builtin(tmp_path: Path):
    user = tmp_path / "mine.toml"
    user.write_text('sedan = "limousine"\n"fire truck" = ["siren", "truck"]\n', encoding="utf-8")
    h = ConceptHierarchy.load(user, use_wordnet=False)
    assert h.fallbacks("sedan")[0] == "limousine"
    assert h.fallbacks("fire truck")[:2] == ["siren", "truck"]
    assert h.fallbacks("maple")[0] == "tree"  # built-in entries still there


def test_cyclic_user_table_ends(tmp_path: Path):
    user = tmp_path / "loop.toml"
    user.write_text('a = "b"\nb = "c"\nc = ["a", "b", "d"]\nd = "a"\n', encoding="utf-8")
    h = ConceptHierarchy.load(user, use_wordnet=False)
    assert h.fallbacks("a") == ["b", "c", "d"]


def test_bad_user_table_names_the_file(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("sedan = [1, 2]\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="bad.toml.*'sedan'"):
        ConceptHierarchy.load(bad, use_wordnet=False)
    broken = tmp_path / "broken.toml"
    broken.write_text("sedan = \n", encoding="utf-8")
    with pytest.raises(SettingsError, match="broken.toml: not valid TOML"):
        ConceptHierarchy.load(broken, use_wordnet=False)


def test_without_wordnet_the_table_still_works_and_says_so():
    h = ConceptHierarchy.load(data_dir=None)
    assert h.wordnet is None
    assert h.fallbacks("sedan")[0] == "car"
    assert any("WordNet unavailable" in n for n in h.notes)


def test_a_church_bell_falls_back_to_no_other_bell(hierarchy):
    """A percussion sample's bell, a crossing's or a door's is no church bell (its concept's
    ``accepts`` say so): when the library has no church bell the walk stops, WordNet's
    "bell" included, and the tower stays silent rather than ringing a drum kit."""
    assert hierarchy.steps("church bell") == []
    assert "bell" in hierarchy.fallbacks("gong")  # a gong may still take a bell


def test_the_expansions_cache_is_written_now_and_then_not_on_every_miss(tmp_path, monkeypatch):
    """A cold cache misses thousands of words in a first run (``library coverage`` over the
    whole vocabulary); writing the megabyte file after each had taken nine tenths of the run.
    It is written when ``SAVE_EVERY_S`` has passed, on :meth:`WordNet.save`, and at exit."""
    import image_extender.sounds.wordnet as wn

    corpus = tmp_path / "nltk_data" / "corpora" / "wordnet"
    corpus.parent.mkdir(parents=True)
    corpus.symlink_to(default_data_dir() / "nltk_data" / "corpora" / "wordnet", target_is_directory=True)
    import nltk.data

    monkeypatch.setattr(nltk.data, "path", [*nltk.data.path, str(default_data_dir() / "nltk_data")])  # the link's target
    cache = tmp_path / "nltk_data" / f"expansions-v{wn.EXPANSIONS_VERSION}-cache.json"
    first = WordNet(corpus)
    assert "violin" in first.expansions(["fiddle"])["fiddle"]
    first.expansions(["cat"], verbs=True)
    assert not cache.exists()  # two misses within SAVE_EVERY_S: nothing written yet
    first.save()
    assert {"d:fiddle", "q:cat"} <= set(WordNet(corpus)._related_cache([], lambda key: None))
    monkeypatch.setattr(wn, "SAVE_EVERY_S", 0.0)
    first.expansions(["harp"])
    assert "d:harp" in cache.read_text(encoding="utf-8")  # the time had come: written at once
