"""FluidR3 GS (Debian ``fluid-soundfont-gs``): the Roland GS sound-effect samples that are
recordings of the world — wind chimes, a car passing, starting and braking, a door, a
creaking door, a river, thunder, rain, a galloping horse, laughter, a train, birds, a dog.

The SoundFont is read by :mod:`.fluid_soundfont`'s reader (the same ``shdr`` table, the
same (L)/(R) join and 40 ms fade at a cut end); only the table of what to keep is this
module's. Left out: the weapons (Gun, MachineGun, Explosion, Punch), the synthetic ones
(Ufo1, Noise, Siren and Telephone 2 — a clean square-wave warble with no noise floor),
the scratches, clicks and guitar noises of the drum kits, what is too short or unclear to
name (FootStep, HeartBeat, bubbles, Crash, Car Crash1, Scream), and the samples this file
shares byte for byte with FluidR3 GM (Applause, Sea Shore, Heli: the GM source's to keep).
The copyright file is the GM package's prose: Frank Wen's README releasing Fluid under MIT.
"""

from __future__ import annotations

from pathlib import Path

from .fluid_soundfont import materialize_font

NAME = "fluid_soundfont_gs"
PACKAGE = "fluid-soundfont-gs"
SF2 = "usr/share/sounds/sf2/FluidR3_GS.sf2"
FONT = "FluidR3 GS"
# sample name (without "(L)"/"(R)") -> (description, tags, kind)
SOUNDS: dict[str, tuple[str, list[str], str]] = {
    "Wind Chime": ("wind chimes tinkling, a run of small metal chimes struck and ringing on",
                   ["wind chime", "chimes", "tinkle", "metal"], "one-shot"),
    "Car Pass": ("a car passing by, its engine and tyres swelling and fading away",
                 ["car", "pass by", "traffic", "engine"], "one-shot"),
    "Car Start": ("a car engine starting, the starter cranking and the engine catching and running",
                  ["car", "engine", "ignition", "starting"], "one-shot"),
    "Car Stop": ("a car braking to a stop", ["car", "brakes", "braking", "stopping"], "one-shot"),
    "Door": ("a door slamming shut, one bang", ["door", "slam", "shut"], "one-shot"),
    "doorcreak": ("a door creaking open, the long creak of its hinge", ["door", "creak", "hinge"], "one-shot"),
    "River": ("a river flowing, the steady rush of running water", ["river", "stream", "running water", "water"],
              "bed"),
    "Thunder": ("a thunderclap rolling away into a long low rumble", ["thunder", "storm", "rumble"], "one-shot"),
    "SeattleRain...": ("steady rain falling, a shower of drops pattering", ["rain", "rainfall", "shower", "drops"],
                       "bed"),
    "Gallops": ("a horse galloping, a few strides of hooves on the ground", ["horse", "gallop", "hooves"],
                "one-shot"),
    "Laugh": ("a person laughing, a short high-pitched burst of laughter", ["laugh", "laughter", "person", "voice"],
              "one-shot"),
    "train": ("a train rumbling along the tracks, its wheels clacking over the rail joints",
              ["train", "railway", "tracks", "rumble"], "one-shot"),
    "Bird2": ("a small bird chirping, a few quick descending chirps", ["bird", "chirp", "birdsong"], "one-shot"),
    "Dog Bark": ("a dog barking once, a single short bark", ["dog", "bark"], "one-shot"),
}


def materialize(data_dir: Path, out_dir: Path) -> int:
    return materialize_font(data_dir, out_dir, PACKAGE, SF2, SOUNDS, FONT)
