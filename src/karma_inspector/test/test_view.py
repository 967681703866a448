"""What the inspector page draws: the map from graph nodes, belief beside ground truth, panels."""
from karma_inspector.view import MOVED_BEYOND, graph_view, ground_truth_diff, plan_view, short_term_view
from karma_thor_bridge.frames import from_map


def node(nid, layer, typ, pos, size=(0.1, 0.1, 0.1), **attrs):
    return {"id": nid, "layer": layer, "type": typ, "position": list(pos), "size": list(size),
            "attributes": {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in attrs.items()}}


def unity(p):
    """THOR metadata of a ``map`` point (the simulator's truth comes in Unity axes)."""
    return dict(zip("xyz", from_map(p)))


# Memory nodes are in map (REP-103, z up).
NODES = [node("region:kitchen", "region", "kitchen", (3, 2, 0), (6, 4, 0), room_type="house"),
         node("Fridge|1", "receptacle", "Fridge", (4, 1, 0.9), (0.8, 0.8, 1.8), confidence=1.0),
         node("Mug|1", "object", "Mug", (4, 1, 0.9), parent="Fridge|1", relation="in", confidence=0.42,
              stale=True, source="operator"),
         node("scene", "scene", "scene", (0, 0, 0))]


def test_graph_view_draws_regions_receptacles_objects_top_down():
    v = graph_view(NODES)
    assert [r["id"] for r in v["regions"]] == ["region:kitchen"]
    assert (v["regions"][0]["w"], v["regions"][0]["d"]) == (6.0, 4.0)
    things = {t["id"]: t for t in v["things"]}
    assert set(things) == {"Fridge|1", "Mug|1"}                          # the scene root is not drawn
    mug = things["Mug|1"]
    assert (mug["x"], mug["y"], mug["confidence"], mug["stale"], mug["parent"], mug["source"]) == \
        (4.0, 1.0, 0.42, True, "Fridge|1", "operator")


def test_perception_text_is_bounded_and_stripped_and_numbers_are_safe():
    v = graph_view([node("Evil|1", "object", "Mug\x1b[31m<script>" + "x" * 500, (float("nan"), 0, 1e400),
                         confidence="lots")])
    t = v["things"][0]
    assert "\x1b" not in t["type"] and len(t["type"]) <= 64
    assert (t["x"], t["y"], t["confidence"]) == (0.0, 0.0, 0.0)


def test_ground_truth_diff_marks_moved_missing_and_phantom():
    things = graph_view(NODES + [node("Apple_1", "object", "Apple", (1, 1, 1)),
                                 node("Ghost|1", "object", "Ghost", (2, 2, 1))])["things"]
    truth = [{"objectId": "Fridge|1", "objectType": "Fridge", "position": unity((5, 2, 0)),
              "axisAlignedBoundingBox": {"center": unity((4, 1, 0.9))},   # pivot off-centre
              "pickupable": False},
             {"objectId": "Mug|1", "objectType": "Mug", "position": unity((4 + MOVED_BEYOND + 0.1, 1, 0.9))},
             {"objectId": "Apple|7", "objectType": "Apple", "position": unity((1.1, 1, 1))},
             {"objectId": "Egg|1", "objectType": "Egg", "position": unity((0, 0, 1)), "pickupable": True},
             {"objectId": "Sofa|1", "objectType": "Sofa", "position": unity((9, 9, 0)), "pickupable": False}]
    diffs = ground_truth_diff(things, truth)
    d = {x["id"]: x["kind"] for x in diffs}
    # Apple_1 (a minted id) is the true Apple|7, 10 cm off: not a difference.
    assert d == {"Mug|1": "moved", "Egg|1": "missing", "Ghost|1": "phantom"}
    moved = next(x for x in diffs if x["kind"] == "moved")        # drawn in map's ground plane
    assert moved["truth"] == [4 + MOVED_BEYOND + 0.1, 1.0] and moved["belief"] == [4.0, 1.0]


def test_panels_bound_their_text():
    p = plan_view({"instruction": "Put\x00 the mug away", "prompt": "line 1\nline 2\x07",
                   "memory_ids": ["Mug|1"], "steps": [{"skill": "pickup", "args": ["Mug|1"]}],
                   "success": True, "message": "", "backend": "test"})
    assert p["instruction"] == "Put the mug away" and p["prompt"] == "line 1\nline 2"
    assert p["steps"] == ["pickup(Mug|1)"] and plan_view(None) is None
    [e] = short_term_view([{"object_id": "Mug|1", "object_type": "Mug", "states": {"isDirty": "true"},
                            "receptacle_id": "Fridge|1", "source": "perception", "hit_count": 2}])
    assert e["states"] == {"isDirty": "true"} and e["hits"] == 2
