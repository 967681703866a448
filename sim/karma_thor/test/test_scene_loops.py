"""Scenes whose source data has containment loops load as trees (they used to hang)."""
import pytest

from karma_thor.simulator import Simulator


@pytest.mark.parametrize('scene', ['FloorPlan5', 'FloorPlan18', 'FloorPlan21', 'FloorPlan30',
                                   'FloorPlan310', 'FloorPlan329'])
def test_scene_with_parent_loops_loads_as_a_tree(scene):
    sim = Simulator(scene)
    ev = sim.step('KarmaGetGroundTruth')
    by_id = {o['objectId']: o for o in ev['actionReturn']['objects']}
    for oid in by_id:
        seen, node = set(), oid
        while node is not None:
            assert node not in seen, f'{scene}: containment loop through {node}'
            seen.add(node)
            parents = by_id[node].get('parentReceptacles') or []
            node = parents[0] if parents and parents[0] in by_id else None
