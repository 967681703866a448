"""Grid search: shortest MoveAhead/Rotate sequences, blocked moves, view poses."""
from karma_thor_bridge.navigation import Grid, box_distance_xz, horizon_towards, view_poses, yaw_towards


def _grid():
    # an L-shaped corridor: (0,0) .. (1,0) then up to (1,1)
    pts = [(x * 0.25, 0.0) for x in range(5)] + [(1.0, z * 0.25) for z in range(1, 5)]
    return Grid(pts, 0.25, 90.0)


def test_bfs_finds_the_shortest_action_sequence():
    g = _grid()
    plan = g.search(g.cell(0, 0), 0.0).actions_to((g.cell(1.0, 1.0), 0.0))
    assert plan == ['RotateRight'] + ['MoveAhead'] * 4 + ['RotateLeft'] + ['MoveAhead'] * 4


def test_blocked_moves_are_avoided_and_unreachable_goals_give_none():
    g = _grid()
    g.blocked.add((g.cell(0.5, 0), 90.0))
    assert g.search(g.cell(0, 0), 90.0).actions_to((g.cell(1.0, 1.0), 0.0)) is None
    assert g.search(g.cell(0, 0), 0.0).actions_to((g.cell(3.0, 3.0), 0.0)) is None


def test_off_grid_positions_snap_to_the_nearest_cell():
    g = _grid()
    assert g.cell(0.26, 0.01) == g.cell(0.25, 0.0)
    assert g.cell(0.6, 0.6) in g.cells


def test_headings_and_horizons():
    assert yaw_towards(0, 0, 1, 0) == 90.0 and yaw_towards(0, 0, 0, -1) == 180.0
    assert yaw_towards(0, 0, -1, 0.1) == 270.0
    assert horizon_towards(1.5, 1.0, 0.9) == 30.0   # a counter top below eye level
    assert horizon_towards(1.5, 0.5, 0.0) == 60.0   # the floor at one's feet
    assert horizon_towards(1.5, 1.0, 2.2) == -30.0  # a shelf above


def test_view_poses_prefer_near_cheap_and_given_poses():
    g = _grid()
    s = g.search(g.cell(0, 0), 90.0)
    box = ((1.2, 0.8, 0.9), (1.4, 1.0, 1.1))
    poses = view_poses(g, s, box[0], box[1], 1.5, reach=1.0)
    assert poses == sorted(poses, key=lambda p: p.score)
    assert all(box_distance_xz(*g.xz(p.cell), box[0], box[1]) <= 1.0 for p in poses)
    near = view_poses(g, s, box[0], box[1], 1.5, reach=0.25)
    # both cells beside the box qualify, facing it; the one fewer actions away comes first
    assert [(p.cell, p.yaw) for p in near] == [(g.cell(1.0, 0.75), 90.0), (g.cell(1.0, 1.0), 90.0)]
    given = view_poses(g, s, box[0], box[1], 1.5, reach=1.0, preferred=[[1.0, 0.75, 0.0, 30.0]])
    assert (given[0].cell, given[0].yaw, given[0].horizon) == (g.cell(1.0, 0.75), 0.0, 30.0)
