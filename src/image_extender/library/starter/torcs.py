"""TORCS (Debian ``torcs-data``): racing-car recordings — engines of named cars (Ferrari
F355 and F50, Lamborghini Diablo, Porsche, Jaguar XJ220, Ford GT40, McLaren F1, Honda
NSX, Subaru Impreza, Mitsubishi Evo 7…), backfires, turbo, gear changes, tyre skids,
crashes and the rumble of a car leaving the road.

The file names are the game's own (``lamborghinidiablo.wav``, ``skid_tyres.wav``);
:data:`SOUNDS` spells out the terse ones. TORCS loops its engine samples, pitching them
with the revs, so an engine file is a steady engine note.
"""

from __future__ import annotations

from pathlib import Path

from ..debian import fetch_package
from ._common import existing_count, folder_clips, write_clips

NAME = "torcs"
PACKAGE = "torcs-data"
FOLDER = "usr/share/games/torcs/data/sound"
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"
CAR = ["car", "engine", "vehicle", "racing car"]
SOUNDS = {
    "ferrarif355": ("Ferrari F355 car engine running", CAR, None),
    "ferrarif50": ("Ferrari F50 car engine running", CAR, None),
    "f360": ("Ferrari 360 car engine running", CAR, None),
    "lamborghinidiablo": ("Lamborghini Diablo car engine running", CAR, None),
    "porsche_engine": ("Porsche car engine running", CAR, None),
    "944": ("Porsche 944 car engine running", CAR, None),
    "935": ("Porsche 935 racing car engine running", CAR, None),
    "xj220": ("Jaguar XJ220 car engine running", CAR, None),
    "gt40": ("Ford GT40 car engine running", CAR, None),
    "mclarenf1": ("McLaren F1 car engine running", CAR, None),
    "nsx": ("Honda NSX car engine running", CAR, None),
    "lotus": ("Lotus car engine running", CAR, None),
    "alpha-romeo": ("Alfa Romeo car engine running", CAR, None),
    "impreza2002_engine": ("Subaru Impreza car engine running", CAR, None),
    "evo7_engine": ("Mitsubishi Lancer Evolution 7 car engine running", CAR, None),
    "evo7_engine_f": ("Mitsubishi Lancer Evolution 7 car engine running", CAR, None),
    "206_engine": ("Peugeot 206 car engine running", CAR, None),
    "corolla1400hi2": ("Toyota Corolla 1400 car engine running at high revs", CAR, None),
    "renault-v10": ("Renault V10 Formula 1 engine running", CAR, None),
    "viper2": ("Dodge Viper car engine running", CAR, None),
    "viper_long": ("Dodge Viper car engine running", CAR, None),
    "cleanviper": ("Dodge Viper car engine running", CAR, None),
    "clkdtmb2": ("Mercedes CLK DTM racing car engine running", CAR, None),
    "ford1b": ("Ford car engine running", CAR, None),
    "ford2c": ("Ford car engine running", CAR, None),
    "engine-1": ("car engine running", CAR, None),
    "backfire": ("car exhaust backfire, engine pop", ["car", "exhaust", "backfire"], None),
    "backfire_loop": ("car exhaust backfiring repeatedly", ["car", "exhaust", "backfire"], None),
    "turbo1": ("car turbocharger whistle", ["car", "turbo"], None),
    "gear_change1": ("car gear change, gearbox shifting", ["car", "gearbox"], None),
    "axle": ("car axle and drivetrain whine", ["car"], None),
    "skid": ("car tyres skidding on asphalt", ["car", "skid", "tyres"], None),
    "skid_tyres": ("car tyres screeching, skidding", ["car", "skid", "tyres"], None),
    "skid_metal": ("metal scraping along the road, car skidding on its body", ["car", "metal", "scrape"], None),
    "road-ride": ("car rolling on the road, tyre and road noise", ["car", "road", "tyres", "traffic"], None),
    "out_of_road": ("car driving off the road onto gravel and grass", ["car", "gravel"], None),
    "out_of_road-3": ("car driving off the road onto gravel and grass", ["car", "gravel"], None),
    "crash": ("car crash, collision", ["car", "crash", "collision"], None),
    "bottom_crash": ("car bottoming out, underside scraping the ground", ["car", "crash"], None),
    "boom": ("loud boom, explosion", ["explosion"], None),
    "locked": ("wheels locked, tyres squealing under braking", ["car", "brakes", "tyres"], None),
}  # fmt: skip
RULES: tuple = ()  # racing-car recordings: nothing here is only a game sound


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    clips = folder_clips(root, FOLDER, root / COPYRIGHT, lambda rel: f"data/sound/{rel}", SOUNDS,
                         "TORCS racing car simulator sound")  # fmt: skip
    return write_clips(out_dir, clips, RULES, source=f"Debian {PACKAGE} (TORCS)")
