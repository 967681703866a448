"""Object types of the iTHOR FloorPlans and receptacle compatibility, read from installed
packages (never copied into the repo).

* ``procthor`` (``pip install --no-deps procthor==0.0.1.dev2``) ships
  ``procthor/databases/ai2thor-object-metadata.json``: initial object metadata of the 120
  iTHOR scenes, keys kitchens/living_rooms/bedrooms/bathrooms, 30 scenes each; index i is
  ``FloorPlan{offset + i + 1}`` with offsets 0/200/300/400.
* ``alfworld`` (``pip install --no-deps alfworld==0.4.2``) ships ``alfworld/gen/constants.py``
  whose ``VAL_RECEPTACLE_OBJECTS`` maps a receptacle type to the object types it accepts; the
  file is executed by path so that ``alfworld/__init__`` (heavy imports) is not.

>>> sorted(t for t in scene_types("FloorPlan1") if t.startswith("Stove"))  # doctest: +SKIP
['StoveBurner', 'StoveKnob']
"""
from __future__ import annotations

import functools
import importlib.resources
import importlib.util
import json
import re
from pathlib import Path

from karma_domain.goals import type_key
from karma_bench.world import RECEPTACLE_ALIASES
from karma_domain.pieces import piece_type, source_type

ROOMS = {"kitchens": 0, "living_rooms": 200, "bedrooms": 300, "bathrooms": 400}
ROOM_NAMES = {"kitchens": "kitchen", "living_rooms": "living room", "bedrooms": "bedroom",
              "bathrooms": "bathroom"}


@functools.lru_cache(maxsize=1)
def _database() -> dict[str, list[dict]]:
    """FloorPlan name -> initial object metadata list (loads the 43 MB file once)."""
    path = importlib.resources.files("procthor") / "databases" / "ai2thor-object-metadata.json"
    with path.open("r", encoding="utf-8") as f:
        data = json.load(f)
    out: dict[str, list[dict]] = {}
    for key, offset in ROOMS.items():
        for i, objects in enumerate(data[key]):
            out[f"FloorPlan{offset + i + 1}"] = objects
    return out


def scene_objects(scene: str) -> list[dict]:
    """Initial THOR object metadata of an iTHOR scene; KeyError for unknown scenes."""
    db = _database()
    if scene not in db:
        raise KeyError(f"{scene!r} is not an iTHOR FloorPlan in the procthor database")
    return db[scene]


@functools.lru_cache(maxsize=None)
def scene_types(scene: str) -> frozenset[str]:
    """Object types present in a scene at reset, e.g. ``'Fridge' in scene_types('FloorPlan1')``."""
    return frozenset(o["objectType"] for o in scene_objects(scene))


def room_type(scene: str) -> str:
    """'kitchen', 'living room', 'bedroom' or 'bathroom' from the FloorPlan number."""
    m = re.fullmatch(r"FloorPlan(\d+)(?:_physics)?", scene)
    if not m:
        raise KeyError(scene)
    n = int(m.group(1))
    for key, offset in sorted(ROOMS.items(), key=lambda kv: -kv[1]):
        if offset < n <= offset + 30:
            return ROOM_NAMES[key]
    raise KeyError(scene)


def type_in_scene(name: str, scene: str, receptacle: bool = False) -> bool:
    """Whether goal type ``name`` can match an object of ``scene``: the type itself, or for a
    piece type (``AppleSliced``) its sliceable source, or for a receptacle alias
    (``Sink``) its basin."""
    have = {type_key(t) for t in scene_types(scene)}
    key = type_key(name)
    if key in have:
        return True
    if receptacle and RECEPTACLE_ALIASES.get(key, frozenset()) & have:
        return True
    return (source_type(key) or "") in have


def _alfworld_constants_path() -> Path:
    spec = importlib.util.find_spec("alfworld")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("alfworld is not installed (pip install --no-deps alfworld)")
    return Path(list(spec.submodule_search_locations)[0]) / "gen" / "constants.py"


@functools.lru_cache(maxsize=1)
def receptacle_objects() -> dict[str, frozenset[str]]:
    """ALFWorld's VAL_RECEPTACLE_OBJECTS with lower-cased keys and values."""
    path = _alfworld_constants_path()
    spec = importlib.util.spec_from_file_location("_alfworld_gen_constants", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return {type_key(k): frozenset(type_key(v) for v in vs)
            for k, vs in mod.VAL_RECEPTACLE_OBJECTS.items()}


def compatible(obj: str, receptacle: str) -> bool | None:
    """ALFWorld's opinion on putting ``obj`` in ``receptacle``: True/False, or None when the
    receptacle is not in its table (then nothing is known).

    >>> compatible("Apple", "Fridge"), compatible("Laptop", "Fridge")  # doctest: +SKIP
    (True, False)
    """
    table = receptacle_objects()
    key = type_key(receptacle)
    names = [key, *sorted(RECEPTACLE_ALIASES.get(key, ()))]
    accepted = [table[n] for n in names if n in table]
    if not accepted:
        return None
    o = type_key(obj)
    return any(o in a or type_key(piece_type(obj)) in a for a in accepted)
