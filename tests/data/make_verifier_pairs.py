"""Regenerate ``verifier_pairs.jsonl``: (query, sound, right/wrong) pairs for calibrating the verifier.

Sounds: the 590 starter recordings (``retrieval_library.jsonl``) plus the OpenClonk and
Hydrogen recordings of the grown starter library, GCompris's farm animals and Widelands'
piggery (their descriptions as the library
source writes them, game-only ones left out as the finder never verifies those).
For every query below: every right recording (at most 8, spread over the list), the
query's 10 nearest other recordings by embedding cosine (the negatives a search really
returns) and the named hard negatives. ``unsure`` recordings are left out of the set.
Labels are the rules below, written by listening to the names and reading the
descriptions, not by any model. Run from the repository root:

    python tests/data/make_verifier_pairs.py <starter folder with openclonk/ and hydrogen/>
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

# query: (right id patterns, unsure id patterns, hard negative id patterns)
RULES: dict[str, tuple[list[str], list[str], list[str]]] = {
    "cat meowing": (["blackcat", "farm_animals/resource/animals/cat\\."], [], ["cats/tiger", "cats/lion", "lion_", "ferret"]),
    "dog barking": (["dogbark", "dogs/dog\\.ogg", "farm_animals/resource/animals/dog\\."], [], ["dogs/fox", "/wolf", "seals?_lion"]),
    "horse neighing": (["animal/horse_(11|idle|select)", "equines/horse", "38_horse", "farm_animals/resource/animals/horse\\."], ["horse_attack"], ["horse_death", "death_horse", "zebra", "donkey"]),
    "cow mooing": (["cattle_0", "mudchute_cow", "bovines/cow", "37_cow", "farm_animals/resource/animals/cow\\."], ["bull"], ["bison", "bovines/goat", "bovines/sheep"]),
    "sheep bleating": (["animal/sheep_", "36_sheep", "bovines/sheep", "sheep_lamb", "farm_animals/resource/animals/sheep\\."], ["bovines/ram"], ["goat", "pig_"]),
    "goat bleating": (["/goat_1", "bovines/goat", "mountaingoat"], [], ["sheep", "bovines/ram"]),
    "pig grunting": (["animal/pig_1", "pig_squeal", "mammals/pig", "farm/farm_animal", "farm_animals/resource/animals/pig\\."], [], ["pig_death", "hippopotamus"]),
    "chicken clucking": (["chicken", "birds/hen", "farm_animals/resource/animals/chickens\\."], [], ["rooster", "turkey"]),
    "rooster crowing": (["rooster"], [], ["chicken", "birds/hen", "good_morning"]),
    "duck quacking": (["birds/duck", "birds/drake", "farm_animals/resource/animals/duck\\."], ["gander"], ["rubberduck", "peacock"]),
    "goose honking": (["birds/gander"], ["birds/duck", "birds/drake"], ["car-rolls|CAR-Rolls", "modern_car_horn", "peacock"]),
    "owl hooting": (["autumn/owl", "birds/owl", "farm_animals/resource/animals/owl\\."], [], ["peacock", "nightime", "forest/night"]),
    "crow cawing": (["birds/crow"], [], ["rooster", "peacock", "cuckoo"]),
    "seagull calls": (["birds/seagull"], [], ["peacock", "harbour|Harbor|amb_port", "birds/crow"]),
    "hawk cry": (["desert2/hawk"], ["vulture"], ["peacock", "seagull"]),
    "turkey gobbling": (["birds/turkey"], [], ["chicken", "peacock"]),
    "penguin calling": (["birds/penguin"], [], ["peacock", "seagull"]),
    "peacock call": (["peacock"], [], ["turkey", "rooster"]),
    "cuckoo calling": (["birds/cuckoo"], [], ["peacock", "owl"]),
    "heron call": (["heron"], [], ["peacock", "duck"]),
    "lark singing": (["birds/lark"], [], ["peacock", "blackbird", "crow"]),
    "blackbird singing": (["birds/blackbird"], [], ["peacock", "lark", "crow"]),
    "toucan call": (["birds/tucan"], ["quetzal"], ["peacock", "monkeys"]),
    "bird singing": (["birds/(lark|blackbird|cuckoo)", "tropical_bird", "BirdsLoop"], ["birds/", "day_temperate", "hawk", "owl"], ["peacock_call", "insects/"]),
    "elephant trumpeting": (["elephant_(order|select|trained)", "mammals/elephant"], ["elephant_attack"], ["elephant_death", "hippopotamus"]),
    "lion roaring": (["lion_roar", "cats/lion", "lion_select"], ["lion_attack"], ["cats/tiger", "bears/bear", "blackcat"]),
    "tiger growling": (["cats/tiger"], [], ["cats/lion", "lion_", "blackcat", "bears/bear"]),
    "bear growling": (["bears/bear"], [], ["lion", "tiger", "Monster", "farm_animals/resource/animals/sheep\\."]),
    "wolf howling": (["/wolf"], [], ["dogs/dog", "dogbark", "dogs/fox"]),
    "frog croaking": (["amphibians/frog"], [], ["iguana", "ParklandLake"]),
    "bee buzzing": (["insects/bee"], ["hornet"], ["mosquito", "grasshopper"]),
    "mosquito buzzing": (["insects/mosquito", "MosquitoBuzz"], [], ["insects/bee", "hornet"]),
    "monkey chattering": (["tropical_monkeys", "apes/chimp"], ["gorilla"], ["day_tropical", "tucan"]),
    "whale song": (["aquatic/whale"], ["orca"], ["dolphin", "sea_lion", "bathyscape"]),
    "donkey braying": (["equines/donkey"], [], ["horse", "zebra"]),
    "camel grunting": (["fauna/(animal|movement)/camel_10", "mammals/camel/", "dromedary"], [], ["death_camel", "goat"]),
    "mouse squeaking": (["rodents/mouse"], [], ["squirrel", "rabbit", "bat/"]),
    "squirrel chattering": (["rodents/squirrel"], [], ["mouse", "monkeys", "chimp"]),
    "bat squeaking": (["Bat/Chirp", "Bat/Noise", "halloween/bat"], ["Bat/Flutter"], ["mouse", "bird"]),
    "crowd talking": (["amb_trade", "Market(Full|Med)", "amb_port", "street-scene"], ["MarketLow", "School", "SportsCroud"], ["29_applause", "Voice-taxi", "Voice-all", "oooh"]),
    "people chatting in a market": (["amb_trade", "Market(Full|Med|Low)"], ["amb_port"], ["MarketEmpty", "20_cash_till", "SportsCroud"]),
    "sports crowd cheering": (["SportsCroud"], ["29_applause"], ["amb_trade", "Market"]),
    "applause": (["29_applause"], ["SportsCroud"], ["hand ?clap", "EE_Clap", "oooh"]),
    "children playing": (["lincity/School"], [], ["xing_school", "University"]),
    "man shouting": (["Voice-(taxi|all)"], [], ["applause", "Market"]),
    "footsteps on gravel": (["fs_gravel", "gravel_footstep"], [], ["gravel_dig", "gravel_dug", "fs_rock", "fs_sand"]),
    "footsteps on snow": (["fs_snow", "snow_footstep"], [], ["snowstorm", "ice_footstep", "fs_sand"]),
    "footsteps on sand": (["fs_sand", "sand_footstep"], [], ["wave_21", "fs_gravel", "desert"]),
    "footsteps on grass": (["fs_grass", "grass_footstep", "StepSoft"], [], ["ParklandPlane", "fs_gravel"]),
    "footsteps on wood": (["fs_wood", "wood_footstep"], [], ["WoodHit", "WoodCreak", "dig_choppy"]),
    "car horn": (["17-CAR", "35_modern_car_horn"], ["26_truck_old_bus"], ["06_ship_horn", "07_ferry_horn", "03_factory_whistle"]),
    "ship horn": (["06_ship_horn", "07_ferry_horn"], [], ["17-CAR", "35_modern_car_horn", "03_factory_whistle", "bathyscape"]),
    "rowing boat": ([], [], ["bathyscape", "06_ship_horn", "07_ferry_horn", "Harbor", "amb_port"]),
    "train passing": (["RailTrain", "train_station_departure", "steam_engine_going"], ["level_crossing", "maglev", "monorail"], ["steam_of_steam", "train_breakdown", "SteamEngine"]),
    "helicopter": (["24_helicopter"], [], ["WindMillHTech", "propeller_plane", "PropellerLoop", "FanLoop"]),
    "airplane taking off": (["jet_take_off", "propeller_plane_take_off"], ["propeller_plane_start"], ["RocketTakeoff", "plane_wheels", "PlaneCrash"]),
    "bus pulling away": (["27_modern_bus_start", "28_old_bus_start", "25_truck_old_bus"], ["26_truck_old_bus"], ["comedy", "RocketTakeoff"]),
    "fire truck siren": (["emergency/firetruck"], [], ["FireStation", "lincity/Fire[0-9]", "fire_fire"]),
    "rain falling": (["weather/rain_1", "/rain\\.", "StereoRain"], [], ["thunder", "Waterdrop", "windstorm"]),
    "thunder": (["thunder_1", "Thunder1"], ["lightningbolt"], ["explosion", "18_explosion", "Earthquake"]),
    "wind blowing": (["weather/wind_11", "windgust", "52_wind", "57_heavy_wind", "winter/wind", "winter_forest/wind", "WindLoop", "windstorm"], ["windleaves"], ["WindMill", "Windbag", "FanLoop"]),
    "snowstorm": (["snowstorm"], ["winter/wind"], ["snow_footstep", "fs_snow"]),
    "sea waves on a beach": (["wave_21", "wavecrash", "waverocky"], [], ["fs_sand", "sand_footstep", "Water[0-9]", "river_"]),
    "river flowing": (["river_(slow|med|fast)"], ["river_raging", "Water[0-9]"], ["waterfall", "wave_21", "env_sounds_water"]),
    "waterfall": (["waterfall_31", "Environment/Waterfall"], ["river_raging"], ["falling_tree", "toilet"]),
    "fire crackling": (["lincity/Fire[0-9]", "fire_fire", "fire_(large|small)", "Fire/Fire\\.ogg"], ["Inflame"], ["FireStation", "extinguish", "gunpowder", "fireworks", "firetruck"]),
    "glass breaking": (["break_glass", "GlassBreak", "GlassShatter"], ["GlassHit"], ["dishes/glass", "glass_door", "glass_footstep"]),
    "door opening": (["doors_door_open", "DoorOpen", "steel_door_open", "glass_door_open"], ["fencegate_open", "steel_bar_door_open"], ["chest_open", "door_close", "DoorClose", "Chest/Open"]),
    "door closing": (["doors_door_close", "DoorClose", "steel_door_close", "glass_door_close"], ["fencegate_close", "steel_bar_door_close"], ["chest_close", "door_open", "DoorOpen"]),
    "creaking hinge": (["HingeCreak"], ["WoodCreak"], ["door_open", "chest_open"]),
    "explosion": (["18_explosion", "tnt_explode", "RocketExplosion"], ["17_crash", "19_big_crash", "BlastFirework"], ["thunder", "fireworks", "lightningbolt"]),
    "fireworks": (["newyears/fireworks", "BlastFirework"], ["Cracker"], ["18_explosion", "tnt_explode", "lincity/Fire"]),
    "chainsaw": (["56_lumber_mill_chainsaw"], [], ["40_sawmill", "SawmillRipcut", "household/tools/saw"]),
    "sawing wood by hand": (["household/tools/saw"], [], ["chainsaw", "40_sawmill", "SawmillRipcut"]),
    "jackhammer": (["33_jackhammer"], [], ["MonumentConstruction", "mining_machinery", "Drilling"]),
    "hammering": (["tools/hammer", "mallet_metal", "Blacksmith"], ["39_building_bridge"], ["33_jackhammer", "Pickaxe"]),
    "axe chopping wood": (["Tree/Chop"], ["dig_choppy"], ["chainsaw", "falling_tree", "tools/saw"]),
    "cash register": (["20_cash_till"], [], ["21_beep", "22_morse", "Market"]),
    "washing machine": (["Washing-machine"], [], ["vacuum_cleaner", "FanLoop"]),
    "vacuum cleaner": (["vacuum_cleaner"], [], ["Washing-machine", "FanLoop", "hair"]),
    "kettle boiling": (["household/kettle", "Liquids/Boiling"], [], ["cool_lava", "env_sounds_lava", "Bubble"]),
    "toilet flushing": (["household/toilet"], [], ["waterfall", "env_sounds_water", "Splash"]),
    "electric fan": (["FanLoop"], [], ["WindMillHTech", "24_helicopter", "vacuum"]),
    "violin": (["string/violin"], ["cello"], ["bassoon", "drumkit"]),
    "drums": (["drumkit", "drum_tomtom", "a drum kit sample"], ["cymbal"], ["cello", "violin"]),
    "cymbal crash": (["cymbal_crash"], ["Crash", "China"], ["17_crash", "19_big_crash", "GlassBreak"]),
    "cowbell": (["Cowbell"], [], ["cattle_0", "bovines/cow"]),
    "whistle blowing": (["EE_Whistle", "03_factory_whistle"], [], ["Voice-taxi", "wind"]),
    "hand clapping": (["hand ?clap", "EE_Clap", "Amp_Clap"], ["29_applause", "clap"], ["Kick", "Snare", "Thunder"]),
    "room tone": (["noise-free-sound"], [], ["ResidentialLow", "Health", "University", "Monument[0-9]"]),
    "city street traffic ambience": (["TraficHigh", "TraficLow", "street-scene"], ["ResidentialMed", "ResidentialHigh"], ["ResidentialLow", "DirtTrack", "RailTrain"]),
    "market crowd ambience": (["amb_trade", "Market(Full|Med|Low)"], ["amb_port"], ["MarketEmpty", "SportsCroud"]),
    "farm ambience": (["amb_farm", "lincity/Farm", "OrganicFarm"], ["Commune"], ["cattle_0", "chicken_1", "WindMill"]),
    "forest ambience birds": (["day_temperate", "birch_forest/day", "dark_forest/day", "autumn/sunny_day", "spring/day", "fernland/day", "BirdsLoop"], ["day_tropical", "Green"], ["peacock", "forest/rain", "forest/night", "nightime"]),
    "jungle ambience": (["day_tropical", "fernland/day"], ["fernland/night"], ["day_temperate", "tropical_monkeys", "tucan"]),
    "harbour ambience": (["amb_port", "Harbor"], [], ["06_ship_horn", "07_ferry_horn", "wave_21", "Water[0-9]"]),
    "beach ambience": (["wave_21"], ["wavecrash", "waverocky"], ["fs_sand", "sand_footstep", "Harbor", "desert"]),
    "desert wind": (["desert2/day", "desert2/night", "mediterran/desertday"], ["mediterran/night"], ["fs_sand", "desert2/rain", "winter/wind"]),
    "night forest ambience": (["forest/night", "autumn/nightime", "fernland/night"], [], ["owl", "forest/day", "desert2/night"]),
    "construction site": (["MonumentConstruction"], ["33_jackhammer", "39_building_bridge"], ["Monument[0-9]", "IndustryHigh"]),
    "factory machinery": (["IndustryHigh", "IndustryLight"], ["mining_machinery", "Mill[0-9]", "CoalMine", "OreMine", "SteamEngine", "Pumpjack"], ["03_factory_whistle", "toy_factory"]),
    "stadium crowd": (["SportsCroud"], ["29_applause"], ["amb_trade", "Market"]),
    "school playground": (["lincity/School"], [], ["xing_school", "University"]),
    "church bells": ([], [], ["Cowbell", "Ride Bell|RideBell", "20_cash_till", "14_level_crossing"]),
    "clock ticking": ([], [], ["22_morse", "21_beep", "Click"]),
    "ball bouncing": ([], [], ["Kick", "bubble_plop", "SoftHit"]),
    # category neighbours the dev photos were given (issue 15): the nearest animal of the
    # kind is still another animal, and a "farm animal" that is a pig is no alpaca
    "panda bleating": ([], [], ["bears/bear", "cats/lion", "farm_animals/resource/animals/sheep\\."]),
    "cheetah growl": ([], [], ["lion_roar", "cats/lion", "cats/tiger", "blackcat"]),
    "alpaca humming": ([], [], ["farm/farm_animal_00", "farm_animals/resource/animals/(sheep|pig)\\.", "equines/donkey"]),
    "leopard growl": ([], [], ["lion_roar", "cats/tiger", "bears/bear"]),
}


# of the other grown sources, only these paths: GCompris's described farm animals (one
# of them says "sheep breeds bear a fleece") and Widelands' piggery "farm animal"
EXTRA = {"gcompris": r"explore_farm_animals/resource/animals/", "widelands": r"sound/farm/farm_animal"}


def load_sounds(grown: Path | None) -> list[dict]:
    sounds = [json.loads(line) for line in (HERE / "retrieval_library.jsonl").read_text(encoding="utf-8").splitlines()]
    if grown is not None:
        for source in ("openclonk", "hydrogen", "gcompris", "widelands"):
            seen: set[str] = set()
            for line in (grown / source / "metadata.jsonl").read_text(encoding="utf-8").splitlines():
                r = json.loads(line)
                if "game-only" in r.get("tags", []) or not re.search(EXTRA.get(source, ""), r["path"]):
                    continue
                key = r["description"]
                if source == "hydrogen":  # 647 drum hits: one per kind of hit is plenty
                    key = r["name"].split(" ")[0].lower()
                if key in seen:
                    continue
                seen.add(key)
                sounds.append({"id": f"{source}/{r['path']}", "name": r["name"], "description": r["description"],
                               "tags": r.get("tags", []), "kind": r.get("kind"), "source": r.get("source", source)})
    return sounds


def main(grown: Path | None) -> None:
    from image_extender.library.embed import get_embedder
    from image_extender.library.store import embed_text

    sounds = load_sounds(grown)
    embedder = get_embedder()
    vecs = embedder.embed([embed_text(s["name"], s["description"], s["tags"]) for s in sounds])
    out = []
    for query, (right, unsure, hard) in RULES.items():
        def has(patterns, s):
            return any(re.search(p, f"{s['id']} | {s['name']} | {s['description']}", re.IGNORECASE) for p in patterns)

        pos = [i for i, s in enumerate(sounds) if has(right, s)]
        pos = pos[:: max(1, len(pos) // 8)][:8]
        skip = {i for i, s in enumerate(sounds) if has(unsure, s) and not has(right, s)}
        cos = vecs @ embedder.embed([query])[0]
        near = [int(i) for i in np.argsort(-cos) if int(i) not in skip and not has(right, sounds[int(i)])][:10]
        named = [i for i, s in enumerate(sounds) if has(hard, s) and i not in skip and not has(right, s)]
        named = named[:: max(1, len(named) // 4)][:4]
        for i, label, why in [*((i, True, "right") for i in pos), *((i, False, "nearest") for i in near),
                              *((i, False, "hard negative") for i in named)]:
            s = sounds[i]
            out.append({"query": query, "right": label, "why": why, "id": s["id"], "name": s["name"],
                        "description": s["description"], "tags": s["tags"]})
    uniq = {(r["query"], r["id"]): r for r in out}
    lines = [json.dumps(r, ensure_ascii=False) for r in uniq.values()]
    (HERE / "verifier_pairs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} pairs, {sum(r['right'] for r in uniq.values())} right, {len(RULES)} queries")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
