"""explore(region) is a coverage search: it finds the objects of a region within a step bound.

Regions are made as the LTM node makes them (k-means of the reachable area, through
karma_memory.SceneGraph) and handed to the bridge through a resolver, as the node does.
"""
import math
import os
import sys

import pytest

from bridge_helpers import ROOT

sys.path.insert(0, os.path.join(ROOT, 'src', 'karma_memory'))

from karma_thor_bridge.frames import dict_to_map  # noqa: E402
from karma_thor_bridge.navigation import Coverage, Grid, rotation_plan  # noqa: E402
from karma_thor_bridge.resolve import Ref  # noqa: E402


def _hidden(o, by_id) -> bool:
    """Inside a closed container (nothing to see until it is opened)."""
    todo, seen = list(o.get('parentReceptacles') or []), set()
    while todo:
        p = by_id.get(todo.pop())
        if p is None or p['objectId'] in seen:
            continue
        seen.add(p['objectId'])
        if p.get('openable') and not p.get('isOpen'):
            return True
        todo.extend(p.get('parentReceptacles') or [])
    return False


def _memory_regions(runner):
    from karma_memory.scene_graph import SceneGraph
    info = runner.scene_info()
    g = SceneGraph()
    # As the nodes do: the memory gets map (REP-103) points, the bridge reads them back in Unity axes.
    rids = g.set_regions_from_reachable([dict_to_map(p) for p in info['reachable']],
                                        room_type=info.get('roomType', 'house'))

    def resolver(mid):
        if mid in rids:
            n = g.node(mid)
            return Ref.from_map(mid, n['type'], tuple(n['position']), 'region', tuple(n['size']))
        return None
    return rids, resolver


def _explore_all(make_runner, scene, **config):
    seen = set()
    r = make_runner(scene, **config)
    rids, resolver = _memory_regions(r)
    r.resolver = resolver
    r.on_step = lambda m: seen.update(o['objectId'] for o in m['objects'] if o['visible'])
    objs = r.backend.ground_truth()['objects']
    by_id = {o['objectId']: o for o in objs}
    targets = {o['objectId'] for o in objs if o.get('pickupable') and not _hidden(o, by_id)}
    seen.update(o['objectId'] for o in r.meta['objects'] if o['visible'])
    outs = [r.run('explore', [rid.split(':', 1)[1]]) for rid in rids]
    return r, rids, outs, len(targets & seen) / len(targets)


def test_exploring_the_memory_regions_of_floorplan1_sees_most_objects(make_runner):
    r, rids, outs, share = _explore_all(make_runner, 'FloorPlan1')
    assert all(o.success for o in outs), [o.message for o in outs]
    assert share >= 0.9, share
    assert sum(o.steps for o in outs) <= len(rids) * r.cfg.explore_max_steps
    assert all('explored' in o.message and 'viewpoint' in o.message for o in outs)


@pytest.mark.parametrize('budget', [12, 40])
def test_explore_keeps_to_its_step_bound(make_runner, budget):
    r = make_runner('FloorPlan1', explore_max_steps=budget)
    out = r.run('explore', ['scene'])
    assert out.success, out.message
    assert 0 < out.steps <= budget
    assert len(r.actions) == out.steps  # perception was published after every action


def test_a_bigger_budget_sees_more(make_runner):
    counts = []
    for budget in (10, 130):
        seen = set()
        r = make_runner('FloorPlan1', explore_max_steps=budget)
        r.on_step = lambda m, s=seen: s.update(o['objectId'] for o in m['objects'] if o['visible'])
        r.run('explore', ['scene'])
        counts.append(len(seen))
    assert counts[1] > counts[0]


def test_explore_in_a_living_room_finds_the_side_table_objects(make_runner):
    # FloorPlan201: the remote control on a side table and the box on the floor were missed
    # by the old two-viewpoint explore.
    r, rids, outs, share = _explore_all(make_runner, 'FloorPlan201')
    assert share >= 0.9, share


# ---- the planner of viewpoints, on synthetic grids ------------------------------------------
def test_coverage_targets_are_the_floor_and_the_surfaces_next_to_it():
    # a 3 x 8 m room whose middle 1 x 2 m is a table (not reachable)
    pts = [(x * .25, z * .25) for x in range(13) for z in range(33)
           if not (4 <= x <= 8 and 12 <= z <= 20)]
    g = Grid(pts)
    cov = Coverage.of_region(g, g.cells, radius=1.35, margin=1.0)
    table = {(i, j) for i in range(4, 9) for j in range(12, 21)}
    assert table <= set(cov.targets)  # the whole table top is a surface to look at
    assert set(g.cells) <= set(cov.targets)


def test_targets_are_split_between_neighbouring_regions():
    pts = [(x * .25, z * .25) for x in range(8) for z in range(16)]
    g = Grid(pts)
    south = {c for c in g.cells if c[1] < 8}
    north = g.cells - south
    a = Coverage.of_region(g, south, margin=1.0)
    b = Coverage.of_region(g, north, margin=1.0)
    assert not set(a.targets) & set(b.targets)


def test_greedy_viewpoints_cover_every_target():
    pts = [(x * .25, z * .25) for x in range(16) for z in range(16) if not (5 <= x <= 9 and 5 <= z <= 9)]
    g = Grid(pts)
    cov = Coverage.of_region(g, g.cells, radius=1.35, margin=1.0, bounds=(0, 0, 3.75, 3.75))
    assert all(0 <= i <= 15 and 0 <= j <= 15 for i, j in cov.targets)  # nothing behind the walls
    views = []
    here = g.cell(0, 0)
    while cov.uncovered:
        costs = {c: abs(c[0] - here[0]) + abs(c[1] - here[1]) for c in g.cells}
        v = cov.next_view(costs)
        if v is None:
            break
        for yaw in cov.headings_needed(v):
            cov.mark(v, yaw)
        views.append(v)
        here = v
    assert cov.share > 0.97
    # every covered target lies within the radius of some viewpoint
    for t in set(range(len(cov.targets))) - cov.uncovered:
        ti, tj = cov.targets[t]
        assert min(math.hypot(ti - v[0], tj - v[1]) for v in views) * g.step <= 1.35 + 1e-6
    assert len(views) <= len(g.cells) // 10  # far fewer looks than cells


def test_rotation_plan_is_shortest():
    assert rotation_plan(0, []) == []
    assert rotation_plan(0, [0]) == []
    assert rotation_plan(0, [90]) == ['RotateRight']
    assert rotation_plan(0, [270]) == ['RotateLeft']
    assert len(rotation_plan(0, [90, 180, 270])) == 3
    assert len(rotation_plan(90, [0, 180])) == 3
