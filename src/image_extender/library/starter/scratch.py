"""Scratch 1.4 (Debian ``scratch``): the sound library MIT made for children's projects —
farm and wild animals, household and street effects, people (laughing, coughing, a baby
crying, footsteps, a party) and a few instruments.

The files are grouped in folders (``Animal``, ``Effects``, ``Human``, ``Instruments``,
``Percussion``) and named in plain English (``MotorcyclePassing``, ``SewingMachine``);
``SOUNDS`` adds the word or two a name leaves out. Left out: the ``Electronic`` and
``Vocals`` folders (synth zaps and sung phrases), the music loops, clips under a quarter
of a second (a dog's 0.1 s yap, a cricket's single chirp, a finger snap, a pop) that
would be heard as a click, and the kitten's mew: no word of its name says it is a house
cat, and it passed for a wild cat's snarl. The DEP-5 copyright file gives ``Media/*`` as
CC-BY-SA-3.0, © Massachusetts Institute of Technology. Scratch's stage backgrounds are
held-out evaluation photos (``eval/``); its sounds are not, so the two never meet.
"""

from __future__ import annotations

from pathlib import Path

from ._common import materialize_listed

NAME = "scratch"
PACKAGE = "scratch"
FOLDER = "usr/share/scratch/Media/Sounds"
ONE = "one-shot"
SOUNDS = {
    # Animal
    "Bird": ("a small songbird chirping", ["songbird", "chirp"], ONE),
    "Cat": ("a house cat meowing", ["house cat", "meow"], ONE),
    "Meow": ("a house cat's meow", ["house cat", "meow"], ONE),
    "Crickets": ("crickets chirping at night", ["crickets", "insects", "night", "chirping"], ONE),
    "Duck": ("a duck quacking", ["duck", "quack", "waterfowl"], ONE),
    "Goose": ("a goose honking", ["goose", "honk", "waterfowl"], ONE),
    "Horse": ("a horse neighing", ["horse", "neigh", "whinny"], ONE),
    "HorseGallop": ("a horse galloping, hooves on the ground", ["horse", "gallop", "hooves"], ONE),
    "Owl": ("an owl hooting", ["owl", "hoot", "night"], ONE),
    "Rooster": ("a rooster crowing", ["rooster", "cockerel", "crow", "farm"], ONE),
    "SeaLion": ("a sea lion barking", ["sea lion", "seal", "bark", "marine mammal"], ONE),
    "WolfHowl": ("a wolf howling", ["wolf", "howl"], ONE),
    # Effects
    "BellToll": ("a church bell tolling", ["bell", "church bell", "toll"], ONE),
    "Bubbles": ("bubbles gurgling under water", ["bubbles", "water", "underwater", "gurgle"], ONE),
    "CarPassing": ("a car passing by on the road", ["car", "passing", "traffic", "road", "engine"], ONE),
    "DoorClose": ("a door closing", ["door", "close", "slam"], ONE),
    "DoorCreak": ("a wooden door creaking open", ["door", "creak", "hinge"], ONE),
    "MotorcyclePassing": ("a motorcycle passing by, its engine revving", ["motorcycle", "motorbike", "passing", "engine"],
                          ONE),
    "Plunge": ("something plunging into water with a splash", ["splash", "water", "plunge"], ONE),
    "Rattle": ("a rattle shaken", ["rattle", "shake"], ONE),
    "Ripples": ("water rippling and lapping", ["water", "ripples", "lapping"], ONE),
    "SewingMachine": ("a sewing machine running", ["sewing machine", "machine", "stitching"], ONE),
    "Typing": ("typing on a keyboard", ["typing", "keyboard", "typewriter", "keys"], ONE),
    "WaterDrop": ("a drop of water falling", ["water drop", "drip", "droplet"], ONE),
    "WaterRunning": ("water running from a tap", ["water", "tap", "faucet", "running water"], ONE),
    # Human
    "BabyCry": ("a baby crying", ["baby", "cry", "infant"], ONE),
    "Cough-female": ("a woman coughing", ["cough", "woman", "person"], ONE),
    "Cough-male": ("a man coughing", ["cough", "man", "person"], ONE),
    "Footsteps-1": ("footsteps walking", ["footsteps", "walking", "steps"], ONE),
    "Footsteps-2": ("footsteps walking", ["footsteps", "walking", "steps"], ONE),
    "Laugh-female": ("a woman laughing", ["laugh", "laughter", "woman"], ONE),
    "Laugh-male1": ("a man laughing", ["laugh", "laughter", "man"], ONE),
    "Laugh-male2": ("a man laughing", ["laugh", "laughter", "man"], ONE),
    "Laugh-male3": ("a man laughing", ["laugh", "laughter", "man"], ONE),
    "PartyNoise": ("people at a party, talking, laughing and cheering", ["party", "crowd", "people", "chatter", "cheering"],
                   ONE),
    "Scream-female": ("a woman screaming", ["scream", "woman"], ONE),
    "Scream-male1": ("a man screaming", ["scream", "man"], ONE),
    "Scream-male2": ("a man screaming", ["scream", "man"], ONE),
    "Slurp": ("someone slurping a drink", ["slurp", "drinking"], ONE),
    "Sneeze-female": ("a woman sneezing", ["sneeze", "achoo", "woman"], ONE),
    "Sneeze-male": ("a man sneezing", ["sneeze", "achoo", "man"], ONE),
    # Instruments and percussion
    "AfroString": ("an African string instrument plucked", ["string instrument", "pluck", "african"], ONE),
    "Dijjeridoo": ("a didgeridoo droning", ["didgeridoo", "drone", "wind instrument"], ONE),
    "GuitarStrum": ("an acoustic guitar strummed", ["guitar", "strum", "acoustic guitar"], ONE),
    "Tambura": ("a tambura drone, an Indian string instrument", ["tambura", "tanpura", "drone", "string instrument"], ONE),
    "Trumpet1": ("a trumpet playing", ["trumpet", "brass", "horn"], ONE),
    "Trumpet2": ("a trumpet playing", ["trumpet", "brass", "horn"], ONE),
    "CymbalCrash": ("a cymbal crash", ["cymbal", "crash", "drums"], ONE),
    "DrumBuzz": ("a snare drum buzz roll", ["snare drum", "drum", "roll"], ONE),
    "Gong": ("a gong struck and ringing out", ["gong", "struck", "resonant"], ONE),
    "RideCymbal": ("a ride cymbal", ["cymbal", "ride", "drums"], ONE),
    "Shaker": ("a shaker shaken in rhythm", ["shaker", "maraca", "percussion"], ONE),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_listed(data_dir, out_dir, PACKAGE, FOLDER, "Media/Sounds/", SOUNDS, "Scratch sound", "Scratch",
                              unpack_only=True)
