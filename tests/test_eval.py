"""The evaluation's judge, on labelled cases: what counts as the right sound for a photo.

The recordings' texts are quoted from the starter library (0 A.D., LinCity-NG, Tux Paint,
scaper), the labels and rules are the real ``eval/photos.toml`` and ``eval/concepts.toml``;
no model runs here (``make eval`` does the full run).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from eval.judge import Played, Totals, judge_photo, load_rules, recording_text
from eval.photos import SPLITS, LabelError, is_dev_package, load_photos
from eval.qrc import read_member

from conftest import data_dir

ROOT = Path(__file__).resolve().parents[1]

# texts of real recordings of the starter library (name, description, tags)
TIGER = ("tiger", "A tiger. Tux Paint stamp sound (animals, mammals, cats)", ["animals", "mammals", "cats"])
BLACK_CAT = ("blackcat", "A black cat. Tux Paint stamp sound (seasonal, halloween)", ["seasonal", "halloween"])
WINDMILL = ("WindMill2", "windmill turning, short ambience", ["wind", "windmill"])
TEMPERATE = ("day_temperate_11", "birds in a temperate forest by day, ambience loop",
             ["ambience", "birds", "day", "dayscape", "forest", "nature"])
SEA = ("waverocky_21", "sea waves on a rocky coastline, ambience loop",
       ["ambience", "coast", "ocean", "rocks", "sea", "water", "waves"])
VESSEL = ("bathyscape", "UB2006 “Penguin II” deep sea research vessel. Tux Paint stamp sound (vehicles, ship, cartoon)",
          ["vehicles", "ship", "cartoon"])
ALL_ABOARD = ("human vocal voice all aboard", 'a man calling ("all aboard", "taxi") (human vocal voice all aboard)', [])
PEACOCK = ("peacock_call_01", "peacock call", ["animal", "peacock"])
LAKE = ("Water2", "open water, short ambience", ["lake", "river", "water"])
SPORTS_CROWD = ("SportsCroud1", "sports crowd cheering in a stadium, short ambience", ["cheering", "crowd", "sports", "stadium"])
BALL = ("ball bounce", "ball bouncing (SuperTuxKart sound, sfx)", ["ball", "bounce", "sfx"])
KICK_DRUM = ("kick", 'Kick, a drum kit sample (percussion instrument hit) from the Hydrogen drum kit "Audiophob"',
             ["drum", "percussion", "musical instrument", "drum kit"])
RAVING = ("raving crowd", "raving crowd cheering (LMMS sample, misc)", ["crowd", "cheering", "audience", "concert", "misc"])


def played(role: str, target: str, rec: tuple) -> Played:
    name, description, tags = rec
    return Played(role=role, target=target, name=name, text=recording_text(name, description, tags))


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def photos():
    return {p.id: p for p in load_photos()}


def test_the_photo_list_is_large_labelled_and_uses_only_defined_concepts(rules, photos):
    rules.check(list(photos.values()))
    sounding = [p for p in photos.values() if not p.non_sonic]
    assert len(sounding) >= 60
    assert sum(p.non_sonic for p in photos.values()) >= 3
    assert len({p.places[0] for p in sounding}) >= 15  # many kinds of place, not 60 meadows
    assert sum(bool(p.sources) for p in sounding) >= 50  # most photos show something that sounds


def test_a_tiger_is_not_a_kitten_and_a_black_cat_is(rules, photos):
    kitten = photos["farm-cat"]  # a kitten with a ball of wool on a carpet
    wrong = judge_photo(kitten, rules, [played("object", "cat", TIGER)])
    assert [o.right for o in wrong.objects] == [False]
    assert wrong.covered == {"cat": False}
    assert not wrong.ambience_right  # no bed at all is not a right bed

    right = judge_photo(kitten, rules, [played("object", "cat", BLACK_CAT)])
    assert right.objects_right == 1 and right.covered == {"cat": True}


def test_a_windmill_bed_is_wrong_for_a_castle_and_right_only_where_a_windmill_stands(rules, photos):
    castle = judge_photo(photos["pal-maintenon"], rules, [played("ambience", "open field/wind", WINDMILL)])
    assert not castle.ambience_right
    mill = judge_photo(photos["place-windmill"], rules, [played("ambience", "countryside", TEMPERATE),
                                                          played("ambience", "open field/wind", WINDMILL)])
    assert mill.covered == {"windmill": True}  # a windmill's sound may come from a bed
    assert [b.right for b in mill.beds] == [True, False]  # birds fit the meadow, a mill is not a kind of place
    assert not mill.ambience_right  # every bed must fit: the wrong one is heard as much


def test_a_bed_covers_waves_but_not_an_animal(rules, photos):
    narwhals = photos["wild-narwhal"]  # two narwhals surfacing in a grey sea
    v = judge_photo(narwhals, rules, [played("ambience", "sea coast", SEA)])
    assert v.ambience_right
    assert v.covered == {"whale": False, "waves": True}


def test_a_deep_sea_vessel_is_not_a_rowing_boat_and_a_train_call_is_not_a_crowd(rules, photos):
    boats = judge_photo(photos["plasma-boats"], rules, [played("ambience", "lake", LAKE), played("object", "boat", VESSEL)])
    assert boats.ambience_right and boats.covered == {"lapping_water": True}
    assert [o.right for o in boats.objects] == [False]
    square = judge_photo(photos["place-palais-papes"], rules, [played("object", "person", ALL_ABOARD)])
    assert square.objects_right == 0 and square.covered == {"people": False}


def test_birdsong_is_a_second_layer_by_a_lake_never_the_lake_itself(rules, photos):
    swans = photos["erase-swans"]  # swans and cygnets on dark still water
    layered = judge_photo(swans, rules, [played("ambience", "lake", LAKE), played("ambience", "forest", TEMPERATE)])
    assert layered.ambience_right
    alone = judge_photo(swans, rules, [played("ambience", "forest", TEMPERATE)])
    assert not alone.ambience_right


def test_a_research_vessel_is_not_the_sea(rules, photos):
    harbour = judge_photo(photos["place-sydney-opera"], rules, [played("object", "boat", VESSEL)])
    assert harbour.objects_right == 0  # "deep sea" in its description does not make it waves


def test_only_what_a_recording_is_counts_not_the_files_it_was_made_from(rules):
    bus = recording_text("modern bus start", 'Modern bus start. OpenTTD transport game sound effect, from the '
                         'recording "london bus approaches & leaves.wav"', ["openttd"])
    assert not rules.fits_place("forest", bus)  # "leaves" is the bus leaving, not a tree's
    assert rules.fits(rules.sources["bus"], bus)
    block = recording_text("ResidentialHigh1", "dense city residential block, urban neighbourhood, short ambience",
                           ["city", "neighbourhood", "residential", "urban"])
    assert not rules.fits(rules.sources["horse"], block)  # a neighbourhood does not neigh
    crow = recording_text("crow", "A crow. Tux Paint stamp sound (animals, birds)", ["animals", "birds"])
    assert not rules.fits_place("countryside", crow)  # one bird's call is not a kind of place


def test_one_peacock_for_every_bird_is_wrong(rules, photos):
    for pid in ("lom-nuthatch", "farm-owl", "erase-heron", "wild-macaw", "erase-penguin"):
        v = judge_photo(photos[pid], rules, [played("object", "bird", PEACOCK)])
        assert v.objects_right == 0, pid


def test_totals_count_failed_runs_and_non_sonic_photos_apart(rules, photos):
    t = Totals()
    t.add(judge_photo(photos["farm-dog"], rules, [], failed="RetrievalError: nothing found"))
    t.add(judge_photo(photos["farm-cow"], rules, [], flagged_non_sonic=True))  # a cow is not silent
    t.add(judge_photo(photos["wild-narwhal"], rules, [played("ambience", "sea", SEA)]))
    t.add(judge_photo(photos["ns-citrus"], rules, [], flagged_non_sonic=True))
    t.add(judge_photo(photos["ns-fig"], rules, [played("ambience", "countryside", TEMPERATE)]))
    assert (t.sounding, t.failed, t.ambience_right) == (3, 2, 1)
    assert (t.sources, t.sources_covered) == (4, 1)  # dog, cow, whale, waves
    assert (t.non_sonic, t.non_sonic_right) == (2, 1)  # a bed for a fig is not "non-sonic"


def test_photos_are_read_out_of_gcompris_resource_bundles():
    from image_extender.library.debian import fetch_package

    root = fetch_package("gcompris-qt-data", data_dir())
    blob = read_member(root / "usr/share/gcompris-qt/rcc/explore_farm_animals.rcc",
                       "gcompris/src/activities/explore_farm_animals/resource/animals/dog.webp")
    with Image.open(io.BytesIO(blob)) as img:
        img.load()
        assert img.format == "WEBP" and min(img.size) >= 300


def test_a_report_can_be_judged_again_with_the_same_result(rules, photos, tmp_path):
    from eval.run import Outcome, _outcomes_from_report, split_totals, totals_lines, write_reports

    runs = {
        "farm-cat": Outcome(played=[played("object", "cat", TIGER)], detected=["cat -> cat meowing"], seconds=0.7),
        "erase-swans": Outcome(played=[played("ambience", "lake", LAKE), played("ambience", "forest", TEMPERATE)]),
        "farm-dog": Outcome(failed="RetrievalError: nothing found"),
        "ns-fig": Outcome(played=[played("ambience", "countryside", TEMPERATE)]),
        "scr-baseball": Outcome(played=[played("ambience", "stadium", SPORTS_CROWD)]),
    }
    verdicts = [judge_photo(photos[pid], rules, o.played, failed=o.failed) for pid, o in runs.items()]
    before = Totals()
    for v in verdicts:
        before.add(v)
    groups = split_totals(verdicts)
    assert groups["all"] == before and set(groups) == {"dev", "held-out", "all"}
    write_reports(tmp_path, verdicts, runs, {k: totals_lines(t, [0.7], 1.0) for k, t in groups.items()}, groups)
    report = (tmp_path / "report.md").read_text()
    assert "'cat' → tiger" in report
    assert "## Totals: held-out photos" in report and "## Totals: dev photos" in report

    again = _outcomes_from_report(tmp_path / "report.json")
    after = Totals()
    for pid in runs:
        o = again[pid]
        after.add(judge_photo(photos[pid], rules, o.played, failed=o.failed, flagged_non_sonic=o.non_sonic))
    assert after == before
    assert (after.sounding, after.ambience_right, after.objects_right, after.failed) == (4, 2, 0, 1)
    held_out = split_totals([judge_photo(photos["scr-baseball"], rules, again["scr-baseball"].played)])["held-out"]
    assert (held_out.sounding, held_out.ambience_right, held_out.sources_covered) == (1, 1, 1)  # a crowd bed is the crowd


def test_every_photo_has_a_split_and_the_held_out_ones_are_enough_to_judge_the_targets(photos):
    assert {p.split for p in photos.values()} <= set(SPLITS)
    for p in photos.values():
        assert (p.split == "dev") == is_dev_package(p.package), p.id  # gcompris and lomiri were developed on
    held_out = [p for p in photos.values() if p.split == "held-out"]
    assert len(held_out) >= 60
    assert sum(not p.non_sonic for p in held_out) >= 50
    assert len({p.places[0] for p in held_out if not p.non_sonic}) >= 15


def test_a_photo_without_a_split_or_with_the_wrong_one_is_refused(tmp_path):
    entry = 'id = "x"\npackage = "{pkg}"\nfile = "a.jpg"\nplace = ["park"]\n'
    (tmp_path / "none.toml").write_text("[[photo]]\n" + entry.format(pkg="scratch"))
    with pytest.raises(LabelError, match="photo x: 'split' must be one of held-out, dev"):
        load_photos(tmp_path / "none.toml")
    (tmp_path / "wrong.toml").write_text("[[photo]]\n" + entry.format(pkg="gcompris-qt-data") + 'split = "held-out"\n')
    with pytest.raises(LabelError, match="package gcompris-qt-data is dev, not held-out"):
        load_photos(tmp_path / "wrong.toml")


def test_no_held_out_package_is_used_by_the_code_or_the_tests(photos):
    """Developing or testing on a held-out package makes its numbers flatter the analyzer.

    If this fails, either stop using the package outside eval/, or mark it as a development
    package (``DEV_PACKAGES`` in eval/photos.py, ``split = "dev"`` on its photos) and add new
    held-out photos from a package nobody has used.
    """
    held_out = {p.package for p in photos.values() if p.split == "held-out"}
    # the package's name as code would write it ("scratch", debian/scratch/…) or a held-out
    # photo's own file name ("china.jpg"; a wallpaper's folder when its file is "1920x1080.jpg")
    marks = {pkg: [rf"""["'/]{re.escape(pkg)}["'/]"""] for pkg in held_out}
    for p in photos.values():
        if p.split == "held-out":
            parts = p.file.split("/")
            name = parts[-1] if not re.fullmatch(r"\d+x\d+\.\w+", parts[-1]) else parts[-4]
            marks[p.package].append(rf"""["'/]{re.escape(name)}\b""")
    uses = {pkg: re.compile("|".join(m)) for pkg, m in marks.items()}
    found = []
    for folder in ("src", "tests", "scripts", "bench"):
        for f in sorted((ROOT / folder).rglob("*")):
            if not f.is_file() or f.suffix not in {".py", ".sh", ".toml", ".json", ".txt", ".md", ".cfg", ".csv", ""}:
                continue
            if f.resolve() == Path(__file__).resolve():
                continue
            text = f.read_text(encoding="utf-8", errors="replace")
            found += [f"{f.relative_to(ROOT)}: {m.group(0)} ({pkg})"
                      for pkg, pattern in uses.items() if (m := pattern.search(text))]
    assert not found, "held-out packages used outside eval/: " + "; ".join(found)


def test_a_concert_crowd_is_not_a_stadium_and_a_sports_crowd_is(rules, photos):
    stands = photos["scr-football"]  # stands packed with fans, players lined up on the field
    assert judge_photo(stands, rules, [played("ambience", "stadium", SPORTS_CROWD)]).ambience_right
    assert not judge_photo(stands, rules, [played("ambience", "stadium", RAVING)]).ambience_right


def test_a_kicked_ball_is_a_ball_not_a_kick_drum(rules, photos):
    footballer = photos["cv-footballer"]  # a footballer kicking the ball, packed stands behind
    v = judge_photo(footballer, rules, [played("ambience", "stadium", SPORTS_CROWD), played("object", "ball", BALL),
                                        played("object", "ball", KICK_DRUM)])
    assert v.ambience_right and v.covered == {"crowd": True, "ball": True}
    assert [o.right for o in v.objects] == [True, False]


def test_the_foreign_descriptions_name_only_entries_the_vocabulary_has():
    """``eval.descriptions`` judges which vocabulary entries back each description: an entry
    renamed in the vocabulary must be renamed there too, or every description of it is a miss."""
    from eval.descriptions_data import DESCRIPTIONS
    from image_extender.analyze.vocabulary import sounding_entries

    labels = {e.label for e in sounding_entries()}
    unknown = {w for wanted, *_ in DESCRIPTIONS for w in wanted.split("|")} - labels
    assert not unknown, unknown
    assert len(DESCRIPTIONS) >= 150 and all(kind in ("bed", "one-shot") for *_, kind in DESCRIPTIONS)
