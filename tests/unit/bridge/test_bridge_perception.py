"""Perception: only visible objects, seeded noise and drop-outs, withheld ids, states, pose."""
import math

import pytest

from bridge_helpers import backend_for
from karma_thor_bridge.skills import SkillRunner
from karma_thor_bridge.perception import (Perception, PerceptionConfig, camera_quaternion,
                                          horizontal_fov, object_states)


def _meta():
    """A frame looking at the kitchen counter (apple, bread, tomato, ...)."""
    b = backend_for('FloorPlan1')
    runner = SkillRunner(b)
    assert runner.run('navigate_to', ['Apple|-00.47|+01.15|+00.48']).success
    meta = b.last
    assert sum(o['visible'] for o in meta['objects']) >= 4
    return meta


def test_only_visible_objects_with_ids_states_and_sizes():
    meta = _meta()
    frame = Perception(PerceptionConfig()).perceive(meta)
    visible = {o['objectId']: o for o in meta['objects'] if o['visible']}
    assert visible and {o.instance_id for o in frame.objects} == set(visible)
    for ob in frame.objects:
        src = visible[ob.instance_id]
        box = src['axisAlignedBoundingBox']
        assert ob.label == src['objectType']
        assert ob.size == pytest.approx((box['size']['x'], box['size']['y'], box['size']['z']))
        assert ob.position == pytest.approx(tuple(box['center'][k] for k in 'xyz'))
        assert ob.is_receptacle == src['receptacle']
        assert ob.parent_id == ((src['parentReceptacles'] or [''])[0])
        assert ob.states['temperature'] == src['temperature']
        assert all(v == v.lower() or k in ('temperature', 'fillLiquid') for k, v in ob.states.items())


def test_states_follow_capabilities():
    fridge = dict(objectType='Fridge', openable=True, isOpen=False, pickupable=False,
                  isPickedUp=False, sliceable=False, isSliced=False, temperature='RoomTemp')
    assert object_states(fridge) == {'isOpen': 'false', 'temperature': 'RoomTemp'}
    mug = dict(canFillWithLiquid=True, isFilledWithLiquid=True, fillLiquid='water',
               dirtyable=True, isDirty=False, pickupable=True, isPickedUp=True)
    assert object_states(mug) == {'isFilledWithLiquid': 'true', 'fillLiquid': 'water',
                                  'isDirty': 'false', 'isPickedUp': 'true'}


def test_withheld_ids_leave_instance_and_parent_empty():
    frame = Perception(PerceptionConfig(withhold_ids=True)).perceive(_meta())
    assert frame.objects and all(o.instance_id == '' and o.parent_id == '' for o in frame.objects)
    assert all(o.label for o in frame.objects)


def test_noise_is_seeded_deterministic_and_about_the_right_size():
    meta = _meta()
    clean = Perception(PerceptionConfig()).perceive(meta)
    a = Perception(PerceptionConfig(noise_std=0.05, seed=3))
    b = Perception(PerceptionConfig(noise_std=0.05, seed=3))
    fa = [a.perceive(meta) for _ in range(20)]
    fb = [b.perceive(meta) for _ in range(20)]
    assert [[o.position for o in f.objects] for f in fa] == [[o.position for o in f.objects] for f in fb]
    errs = [p - q for f in fa for o, c in zip(f.objects, clean.objects)
            for p, q in zip(o.position, c.position)]
    rms = math.sqrt(sum(e * e for e in errs) / len(errs))
    assert 0.03 < rms < 0.07
    other = Perception(PerceptionConfig(noise_std=0.05, seed=4)).perceive(meta)
    assert [o.position for o in other.objects] != [o.position for o in fa[0].objects]


def test_dropout_rate_and_reset_repeats_the_sequence():
    meta = _meta()
    n = sum(o['visible'] for o in meta['objects'])
    p = Perception(PerceptionConfig(dropout=0.3, seed=1))
    kept = [len(p.perceive(meta).objects) for _ in range(200)]
    assert 0.6 < sum(kept) / (200 * n) < 0.8
    p.reset(1)
    assert [len(p.perceive(meta).objects) for _ in range(200)] == kept


def test_observer_pose_matches_the_memory_convention():
    from karma_memory.observation import Observer
    for yaw, horizon in ((0, 0), (90, 30), (180, -30), (270, 60)):
        fwd = Observer((0, 0, 0), camera_quaternion(yaw, horizon)).forward()
        y, h = math.radians(yaw), math.radians(horizon)
        want = (math.sin(y) * math.cos(h), -math.sin(h), math.cos(y) * math.cos(h))
        assert fwd == pytest.approx(want, abs=1e-9)
    frame = Perception(PerceptionConfig(max_range=1.5)).perceive(_meta())
    assert frame.fov_deg == pytest.approx(90.0) and frame.max_range == 1.5
    assert horizontal_fov(60, 400, 300) == pytest.approx(75.18, abs=0.01)


def _surface_meta():
    """A frame with a visible counter, a visible cup and a visible apple (no simulator)."""
    def obj(oid, otype, centre, size, **kw):
        c = dict(zip('xyz', centre))
        return dict(objectId=oid, objectType=otype, visible=True, position=c,
                    axisAlignedBoundingBox={'center': c, 'size': dict(zip('xyz', size))},
                    receptacle=False, pickupable=True, parentReceptacles=['CounterTop|1'], **kw)
    counter = obj('CounterTop|1', 'CounterTop', (0, 0.9, 0), (2.0, 0.1, 0.6))
    counter.update(receptacle=True, pickupable=False, parentReceptacles=[])
    return {'objects': [counter, obj('Cup|1', 'Cup', (0.2, 1.0, 0), (0.1, 0.1, 0.1)),
                        obj('Apple|1', 'Apple', (-0.2, 1.0, 0), (0.1, 0.1, 0.1))],
            'cameraPosition': dict(x=0, y=1.5, z=-1), 'agent': dict(rotation=dict(y=0))}


def test_size_noise_is_relative_and_seeded():
    meta = _surface_meta()
    p = Perception(PerceptionConfig(size_noise=0.1, seed=2))
    sides = [s / 0.1 - 1.0 for _ in range(300) for o in p.perceive(meta).objects
             if o.label in ('Cup', 'Mug') for s in o.size]
    rms = math.sqrt(sum(e * e for e in sides) / len(sides))
    assert 0.08 < rms < 0.12
    again = Perception(PerceptionConfig(size_noise=0.1, seed=2)).perceive(meta)
    p.reset(2)
    assert [o.size for o in p.perceive(meta).objects] == [o.size for o in again.objects]


def test_confusions_only_among_lookalikes_at_the_configured_rate():
    from karma_domain.lookalikes import lookalikes
    meta = _surface_meta()
    p = Perception(PerceptionConfig(confusion=0.3, seed=5))
    labels = [o.label for _ in range(1000) for o in p.perceive(meta).objects
              if o.position[0] > 0.1]  # the cup
    assert set(labels) <= {'Cup'} | lookalikes('Cup')
    assert 0.25 < labels.count('Mug') / len(labels) < 0.35
    counter = [o.label for _ in range(100) for o in p.perceive(meta).objects if o.size[0] > 1]
    assert set(counter) == {'CounterTop'}  # a type with no look-alike is never confused


def test_false_detections_sit_on_visible_surfaces_at_the_configured_rate():
    from karma_thor_bridge.perception import FALSE_DETECTION_TYPES
    meta = _surface_meta()
    p = Perception(PerceptionConfig(false_detections=0.5, seed=7))
    frames = [p.perceive(meta) for _ in range(1000)]
    fakes = [o for f in frames for o in f.objects[3:]]
    assert 0.45 < len(fakes) / len(frames) < 0.55
    for o in fakes:
        assert o.label in FALSE_DETECTION_TYPES and o.instance_id == '' and not o.is_receptacle
        assert -1.0 <= o.position[0] <= 1.0 and -0.3 <= o.position[2] <= 0.3
        assert o.position[1] == pytest.approx(0.95 + o.size[1] / 2)
    nothing = dict(meta, objects=[dict(o, visible=False) for o in meta['objects']])
    assert all(not p.perceive(nothing).objects for _ in range(50))  # no surface, no fake


def test_realistic_profile_on_a_simulator_frame_is_deterministic_for_a_seed():
    from karma_thor_bridge.profiles import load_profile
    meta = _meta()
    cfg = load_profile('realistic').config(seed=11)
    a = Perception(cfg)
    b = Perception(cfg)
    fa = [[(o.label, o.position, o.size) for o in a.perceive(meta).objects] for _ in range(30)]
    fb = [[(o.label, o.position, o.size) for o in b.perceive(meta).objects] for _ in range(30)]
    assert fa == fb and fa[0] != fa[1]
    seen = sum(len(f) for f in fa) / (30 * sum(o['visible'] for o in meta['objects']))
    assert 0.7 < seen < 0.9  # 20% missed, a few false detections added
    assert all(o.instance_id == '' for o in a.perceive(meta).objects)


def test_detected_ids_are_kept_for_evaluation_even_when_withheld_and_reset_clears_them():
    meta = _surface_meta()
    p = Perception(PerceptionConfig(withhold_ids=True, dropout=0.5, seed=1))
    first = p.perceive(meta)
    assert all(o.instance_id == '' for o in first.objects)
    assert len(p.detected) == len(first.objects) and set(p.detected.values()) <= {1}
    kept = [o.label for _ in range(30) for o in p.perceive(meta).objects]
    assert set(p.detected) == {'CounterTop|1', 'Cup|1', 'Apple|1'}
    assert sum(p.detected.values()) == len(first.objects) + len(kept)
    p.reset(1)
    assert p.detected == {}
