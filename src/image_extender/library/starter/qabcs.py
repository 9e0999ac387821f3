"""qABCs (Debian ``qabcs-data``): the short "noises" a children's alphabet plays for each
word's picture — animals (a goose, a moose, a hyena, a giant panda, a rhinoceros, a whale),
machines (a tractor, an excavator, a helicopter, a skateboard) and instruments from around
the world. Each is one to four seconds of one thing, a one-shot.

Only the noises listed here are kept: the rest are the sounds of cartoon characters (Umka,
Cheburashka, Dunno, Baba Yaga), of things that make no sound of their own (a star, a vase,
an igloo, a ladybug) and of toys whose noise is a jingle. The package names each noise by
its picture only, so an animal whose call could be one of several (a moose's bellow or
grunt, a hyena's whoop or laugh) is described as that animal's call and nothing more. The DEP-5 copyright file's ``Files: *`` stanza gives the licence (GPL-3+, DanSoft).
"""

from __future__ import annotations

from pathlib import Path

from ._common import Entry, materialize_listed

NAME = "qabcs"
PACKAGE = "qabcs-data"
FOLDER = "usr/share/qabcs/abcs/all/noises"


def _call(animal: str, *tags: str) -> Entry:
    """A call named only by whose it is: ``("hyena call, the sound the hyena makes", ["hyena", …], "one-shot")``."""
    return (f"{animal} call, the sound the {animal} makes", [animal, *tags], "one-shot")


def _play(instrument: str, *tags: str) -> Entry:
    return (f"{instrument} playing, a short phrase", [instrument, "musical instrument", *tags], "one-shot")


SOUNDS: dict[str, Entry] = {
    # animals whose sound everyone knows by its verb
    "cat": ("cat meowing", ["cat", "meow", "kitten"], "one-shot"),
    "dog": ("dog barking", ["dog", "bark"], "one-shot"),
    "cow": ("cow mooing", ["cow", "moo", "cattle"], "one-shot"),
    "calf": ("calf mooing, a young cow's call", ["calf", "cow", "cattle"], "one-shot"),
    "sheep": ("sheep bleating", ["sheep", "bleat", "lamb"], "one-shot"),
    "pig": ("pig grunting, oinking", ["pig", "hog", "oink"], "one-shot"),
    "horse": ("horse neighing", ["horse", "neigh", "whinny"], "one-shot"),
    "rooster": ("rooster crowing", ["rooster", "cockerel", "chicken", "crow"], "one-shot"),
    "duck": ("duck quacking", ["duck", "quack", "waterfowl"], "one-shot"),
    "goose": ("goose honking", ["goose", "honk", "waterfowl"], "one-shot"),
    "owl": ("owl hooting", ["owl", "hoot", "bird", "night"], "one-shot"),
    "eagle-owl": ("eagle owl hooting", ["eagle owl", "owl", "hoot", "bird"], "one-shot"),
    "crow": ("crow cawing", ["crow", "caw", "bird"], "one-shot"),
    "frog": ("frog croaking", ["frog", "croak"], "one-shot"),
    "lion": ("lion roaring", ["lion", "roar", "big cat"], "one-shot"),
    "tiger": ("tiger roaring, growling", ["tiger", "roar", "big cat"], "one-shot"),
    "elephant": ("elephant trumpeting", ["elephant", "trumpet call"], "one-shot"),
    "mouse": ("mouse squeaking", ["mouse", "squeak", "rodent"], "one-shot"),
    "hamster": ("hamster squeaking", ["hamster", "squeak", "rodent"], "one-shot"),
    "bird": ("bird singing, a songbird's chirps", ["bird", "songbird", "birdsong", "chirp"], "one-shot"),
    "sparrow": ("sparrow chirping", ["sparrow", "songbird", "bird", "chirp"], "one-shot"),
    "grasshopper": ("grasshopper chirping", ["grasshopper", "insect", "chirp"], "one-shot"),
    "python": ("snake hissing", ["snake", "python", "hiss"], "one-shot"),
    "wolf": _call("wolf", "canine"),
    # animals named by their call only
    "albatross": _call("albatross", "seabird", "bird"),
    "bear": _call("bear", "growl"),
    "chimpanzee": _call("chimpanzee", "ape", "monkey"),
    "little_monkey": _call("monkey", "primate"),
    "deer": _call("deer", "stag"),
    "moose": _call("moose", "elk", "deer"),
    "dolphin": _call("dolphin", "clicks", "whistles", "sea"),
    "whale": _call("whale", "whale song", "sea"),
    "emu": _call("emu", "bird"),
    "flamingo": _call("flamingo", "wading bird", "bird"),
    "heron": _call("heron", "wading bird", "bird"),
    "stork": _call("stork", "wading bird", "bird"),
    "pelican": _call("pelican", "seabird", "bird"),
    "guinea_fowl": _call("guinea fowl", "poultry", "bird"),
    "pheasant": _call("pheasant", "game bird", "bird"),
    "quail": _call("quail", "game bird", "bird"),
    "wood_grouse": _call("wood grouse", "capercaillie", "game bird", "bird"),
    "vulture": _call("vulture", "bird of prey", "bird"),
    "giant_panda": _call("giant panda", "panda", "bear"),
    "hyena": _call("hyena", "laugh"),
    "jaguar": _call("jaguar", "growl", "big cat"),
    "lynx": _call("lynx", "wild cat"),
    "koala": _call("koala", "bellow"),
    "otter": _call("otter"),
    "raccoon": _call("raccoon"),
    "rhinoceros": _call("rhinoceros", "rhino"),
    "squirrel": _call("squirrel", "chatter", "rodent"),
    "porcupine": _call("porcupine", "rodent"),
    "hedgehog": _call("hedgehog", "snuffle"),
    "yak": _call("yak", "cattle"),
    "zebra": _call("zebra", "bark"),
    # machines and things people use
    "airplane": ("airplane flying over, aircraft engine", ["airplane", "aircraft", "plane", "engine"], "one-shot"),
    "helicopter": ("helicopter flying, rotor blades", ["helicopter", "rotor", "aircraft"], "one-shot"),
    "quadrocopter": ("quadcopter drone buzzing", ["drone", "quadcopter", "propellers"], "one-shot"),
    "train": ("train passing", ["train", "railway"], "one-shot"),
    "tractor": ("tractor engine running", ["tractor", "farm machine", "engine"], "one-shot"),
    "excavator": ("excavator working, a digging machine's engine", ["excavator", "digger", "construction machinery"], "one-shot"),
    # not "bike": WordNet's bike is a motorcycle too, and every motorcycle took this bicycle
    "bicycle": ("bicycle sound, a bicycle ridden", ["bicycle", "cycling"], "one-shot"),
    "skateboard": ("skateboard rolling", ["skateboard", "wheels"], "one-shot"),
    "rocket": ("rocket launch, engine roar", ["rocket", "launch"], "one-shot"),
    "clock": ("clock ticking", ["clock", "tick"], "one-shot"),
    "watch": ("watch ticking", ["watch", "clock", "tick"], "one-shot"),
    "spoons": ("spoons clinking", ["spoons", "cutlery", "kitchen"], "one-shot"),
    "zipper": ("zipper pulled open or shut", ["zipper", "zip"], "one-shot"),
    "newspaper": ("newspaper pages rustling", ["newspaper", "paper", "rustle"], "one-shot"),
    "umbrella": ("umbrella opened", ["umbrella"], "one-shot"),
    "ratchet": ("ratchet wrench clicking", ["ratchet", "wrench", "tool"], "one-shot"),
    "chalkboard": ("chalk writing on a chalkboard", ["chalkboard", "blackboard", "chalk", "classroom"], "one-shot"),
    "fire": ("fire crackling", ["fire", "flames", "crackle"], "one-shot"),
    "football": ("football kicked", ["football", "soccer ball", "ball", "kick"], "one-shot"),
    "volleyball": ("volleyball hit", ["volleyball", "ball"], "one-shot"),
    "hockey": ("ice hockey stick hitting the puck", ["ice hockey", "hockey", "puck"], "one-shot"),
    "seesaw": ("seesaw creaking", ["seesaw", "playground"], "one-shot"),
    "jump_rope": ("jump rope slapping the ground", ["jump rope", "skipping rope", "playground"], "one-shot"),
    # instruments
    "accordion": _play("accordion"),
    "bagpipes": _play("bagpipes"),
    "bass_drum": _play("bass drum", "drum", "percussion"),
    "cello": _play("cello", "strings"),
    "clarinet": _play("clarinet", "woodwind"),
    "cymbals": _play("cymbals", "percussion"),
    "drums": _play("drums", "drum kit", "percussion"),
    "electric_guitar": _play("electric guitar", "guitar"),
    "flute": _play("flute", "woodwind"),
    "grand_piano": _play("grand piano", "piano"),
    "piano": _play("piano"),
    "guitar": _play("guitar", "acoustic guitar"),
    "harmonica": _play("harmonica"),
    "harp": _play("harp", "strings"),
    "kazoo": _play("kazoo"),
    "lute": _play("lute", "strings"),
    "maracas": _play("maracas", "percussion"),
    "oboe": _play("oboe", "woodwind"),
    "organ": _play("organ"),
    "recorder": _play("recorder", "woodwind"),
    "saxophone": _play("saxophone", "sax", "jazz"),
    "timpani": _play("timpani", "kettledrum", "percussion"),
    "trumpet": _play("trumpet", "brass"),
    "ukulele": _play("ukulele", "strings"),
    "violin": _play("violin", "fiddle", "strings"),
    "xylophone": _play("xylophone", "percussion"),
    "zither": _play("zither", "strings"),
    "whistle": ("whistle blown", ["whistle"], "one-shot"),
    "erhu": _play("erhu", "Chinese two-string fiddle"),
    "yangqin": _play("yangqin", "Chinese hammered dulcimer"),
    "ney": _play("ney", "end-blown flute"),
    "quena": _play("quena", "Andean flute"),
    "zurna": _play("zurna", "shawm"),
    "slit_drum": _play("slit drum", "percussion"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "abcs/all/noises/", SOUNDS, "qABCs noise", "qABCs")
