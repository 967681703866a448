"""Scene data: 120 iTHOR scenes from procthor + alfworld, cached per scene."""
import time

import pytest
from karma_thor import scenes


def test_all_120_scenes_with_room_types():
    names = scenes.scene_names()
    assert len(names) == 120 and names[0] == "FloorPlan1" and names[-1] == "FloorPlan430"
    for name, room in (("FloorPlan30", "kitchen"), ("FloorPlan201", "living_room"),
                       ("FloorPlan330", "bedroom"), ("FloorPlan401", "bathroom")):
        s = scenes.load_scene(name)
        assert s.room_type == room
        assert len(s.objects()) > 20 and len(s.reachable) > 20
        assert set(s.scene_bounds) == {"cornerPoints", "center", "size"}


def test_names_and_errors():
    assert scenes.normalize_scene_name("FloorPlan5_physics") == "FloorPlan5"
    with pytest.raises(KeyError):
        scenes.load_scene("FloorPlan31")
    with pytest.raises(KeyError):
        scenes.load_scene("Procedural")


def test_receptacle_tree_is_consistent_and_single_parent():
    objs = {o["objectId"]: o for o in scenes.load_scene("FloorPlan212").objects()}
    for o in objs.values():
        parents = o["parentReceptacles"] or []
        assert len(parents) <= 1
        for p in parents:
            assert o["objectId"] in objs[p]["receptacleObjectIds"]


def test_alfworld_poses_mapped_to_procthor_ids():
    s = scenes.load_scene("FloorPlan1")
    ids = {o["objectId"] for o in s.objects()}
    assert "Fridge|-02.10|+00.00|+01.07" in s.alfworld_poses  # alfworld says ...|+01.09
    assert set(s.alfworld_poses) <= ids


def test_reachable_positions_avoid_furniture_and_fallback_grid():
    s = scenes.load_scene("FloorPlan1")
    stool = next(o for o in s.objects() if o["objectId"] == "Stool|+00.74|+00.00|+00.56")
    c = stool["axisAlignedBoundingBox"]["center"]
    assert (0.75, 0.5) not in s.reachable and abs(c["x"] - 0.75) < 0.3
    grid = scenes._compute_grid(s.objects(), s.scene_bounds)
    assert len(grid) > 50 and all(abs(x * 4 - round(x * 4)) < 1e-9 for x, _ in grid)


def test_warm_scene_load_is_fast():
    scenes.load_scene("FloorPlan2")  # makes sure the disk cache exists
    scenes.load_scene.cache_clear()
    t = time.perf_counter()
    scenes.load_scene("FloorPlan2")
    assert time.perf_counter() - t < 0.5
