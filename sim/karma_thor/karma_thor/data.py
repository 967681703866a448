"""Locate the third-party scene data where pip installed it (never vendored into the repo).

procthor ships the initial object metadata of all 120 iTHOR scenes; alfworld ships reachable
grids, interaction poses and ALFRED's receptacle rules. Packages are located with
``importlib.util.find_spec`` so their ``__init__`` (and its heavy imports) never runs.

>>> procthor_metadata_path().name
'ai2thor-object-metadata.json'
"""
from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from types import ModuleType


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"python package {name!r} is not installed; install it with pip --no-deps")
    return Path(list(spec.submodule_search_locations)[0])


def procthor_metadata_path() -> Path:
    """The 43 MB JSON with the initial metadata of every iTHOR scene."""
    return _package_dir("procthor") / "databases" / "ai2thor-object-metadata.json"


def alfworld_layouts_dir() -> Path:
    """Folder with FloorPlanN-layout.npy / -openable.json / -objects.json."""
    return _package_dir("alfworld") / "gen" / "layouts"


@functools.lru_cache(maxsize=1)
def alfworld_constants() -> ModuleType:
    """alfworld/gen/constants.py loaded on its own (it only imports os and collections)."""
    path = _package_dir("alfworld") / "gen" / "constants.py"
    spec = importlib.util.spec_from_file_location("_karma_alfworld_constants", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@functools.lru_cache(maxsize=1)
def receptacle_rules() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """(receptacle type -> accepted object types, every object type ALFRED knows).

    Types ALFRED never heard of (e.g. Dumbbell) fall back to THOR's permissive physics.
    """
    c = alfworld_constants()
    rules = {k: frozenset(v) for k, v in c.VAL_RECEPTACLE_OBJECTS.items()}
    known = frozenset().union(*rules.values())
    # ALFRED (ai2thor 2.1) spelled the bottle 'Glassbottle'; THOR 4+ calls it 'Bottle'.
    rules = {k: (v | {"Bottle"}) if "Glassbottle" in v else v for k, v in rules.items()}
    return rules, known | {"Bottle"}
