"""Random household tasks of every category for a scene, from its initial objects.

Templates (instruction, goals in ``karma-task-suite/1`` syntax) over the object types the
scene has, receptacle compatibility from ALFWorld's table (``karma_bench.scenedata``):

- simple: put X in/on Y, pick up X, turn on/off X;
- composite: slice X then put a slice on Y; wash / heat / cool X then put it in Y; put X and Z in Y;
- complex: slice X, heat a slice and put it on Y; put X in Y and then Y in W; wash X, put it on Y
  and turn on/off Z.

>>> import random
>>> t = random_tasks('FloorPlan1', random.Random(0), 6)
>>> sorted({c for c, _, _ in t}) == ['complex', 'composite', 'simple']
True
"""
from __future__ import annotations

import random

from karma_domain.pieces import piece_type

from karma_planning.text import type_words

CATEGORIES = ('simple', 'composite', 'complex')


def _a(t: str) -> str:
    return 'the ' + type_words(t)


def _prep(rec: str) -> str:
    closed = {'Fridge', 'Cabinet', 'Drawer', 'Microwave', 'Box', 'Safe', 'GarbageCan', 'Sink', 'Bathtub',
              'Pot', 'Bowl', 'Mug', 'Cup', 'Pan', 'LaundryHamper'}
    return 'in' if rec in closed else 'on'


class _Scene:
    def __init__(self, scene: str):
        from karma_bench.scenedata import compatible, scene_objects
        objs = scene_objects(scene)
        self.compatible = compatible
        types = lambda key: sorted({o['objectType'] for o in objs if o.get(key)})   # noqa: E731
        self.pickable = types('pickupable')
        self.sliceable = [t for t in types('sliceable') if t in self.pickable or t in ('Bread', 'Lettuce')]
        self.toggleable = [t for t in types('toggleable') if t not in ('StoveKnob', 'LightSwitch', 'Faucet')]
        self.dirtyable = [t for t in types('dirtyable') if t in self.pickable]
        self.receptacles = [t for t in types('receptacle') if t not in ('Floor', 'StoveBurner')]
        self.all = {o['objectType'] for o in objs}

    def target(self, rng: random.Random, obj: str, exclude=()) -> str | None:
        ok = [r for r in self.receptacles if r != obj and r not in exclude and self.compatible(obj, r)]
        return rng.choice(ok) if ok else None


def _simple(s: _Scene, rng: random.Random):
    kind = rng.choice(['put', 'put', 'put', 'pickup', 'toggle'])
    if kind == 'toggle' and s.toggleable:
        t = rng.choice(s.toggleable)
        on = rng.random() < 0.5
        return 'simple', f'Turn {"on" if on else "off"} {_a(t)}.', [f'TOGGLE{"ON" if on else "OFF"}({t})']
    x = rng.choice(s.pickable)
    y = s.target(rng, x)
    if kind == 'pickup' or y is None:
        return 'simple', f'Pick up {_a(x)}.', [f'HOLDING({x})']
    return 'simple', f'Put {_a(x)} {_prep(y)} {_a(y)}.', [f'IN({x}, {y})']


def _composite(s: _Scene, rng: random.Random):
    kind = rng.choice(['slice', 'wash', 'heat', 'cool', 'two'])
    if kind == 'slice' and s.sliceable:
        x = rng.choice(s.sliceable)
        y = s.target(rng, piece_type(x)) or s.target(rng, x)
        if y:
            return ('composite', f'Slice {_a(x)}, then put a slice {_prep(y)} {_a(y)}.',
                    [f'STATE({x}, sliced)', f'IN({piece_type(x)}, {y})'])
    if kind == 'wash' and s.dirtyable and {'Sink', 'SinkBasin'} & s.all:
        x = rng.choice(s.dirtyable)
        y = s.target(rng, x, exclude=('Sink', 'SinkBasin'))
        if y:
            return 'composite', f'Wash {_a(x)}, then put it {_prep(y)} {_a(y)}.', [f'STATE({x}, clean)', f'IN({x}, {y})']
    if kind in ('heat', 'cool') and {'Microwave', 'Fridge'} <= s.all:
        food = [t for t in s.pickable if s.compatible(t, 'Fridge')]
        if food:
            x = rng.choice(food)
            y = s.target(rng, x, exclude=('Fridge', 'Microwave'))
            if y:
                state = 'hot' if kind == 'heat' else 'cold'
                return 'composite', f'{kind.title()} {_a(x)} and put it {_prep(y)} {_a(y)}.', [f'STATE({x}, {state})', f'IN({x}, {y})']
    x, z = rng.sample(s.pickable, 2) if len(s.pickable) > 1 else (s.pickable[0],) * 2
    y = next((r for r in rng.sample(s.receptacles, len(s.receptacles))
              if r not in (x, z) and s.compatible(x, r) and s.compatible(z, r)), None)
    if y and x != z:
        return 'composite', f'Put {_a(x)} and {_a(z)} {_prep(y)} {_a(y)}.', [f'IN({x}, {y})', f'IN({z}, {y})']
    return _simple(s, rng)


def _complex(s: _Scene, rng: random.Random):
    kind = rng.choice(['slice-heat', 'nest', 'wash-toggle'])
    if kind == 'slice-heat' and s.sliceable and 'Microwave' in s.all:
        x = rng.choice(s.sliceable)
        y = s.target(rng, piece_type(x), exclude=('Microwave', 'Fridge'))
        if y:
            return ('complex', f'Slice {_a(x)}, heat a slice in the microwave and put it {_prep(y)} {_a(y)}.',
                    [f'STATE({x}, sliced)', f'STATE({piece_type(x)}, hot)', f'IN({piece_type(x)}, {y})'])
    if kind == 'wash-toggle' and s.dirtyable and s.toggleable and {'Sink', 'SinkBasin'} & s.all:
        x, t = rng.choice(s.dirtyable), rng.choice(s.toggleable)
        y = s.target(rng, x, exclude=('Sink', 'SinkBasin'))
        if y:
            return ('complex', f'Wash {_a(x)}, put it {_prep(y)} {_a(y)} and turn on {_a(t)}.',
                    [f'STATE({x}, clean)', f'IN({x}, {y})', f'TOGGLEON({t})'])
    movable = [r for r in s.receptacles if r in s.pickable]
    rng.shuffle(movable)
    for y in movable:
        xs = [t for t in s.pickable if t != y and s.compatible(t, y)]
        w = s.target(rng, y, exclude=(y,))
        if xs and w:
            x = rng.choice(xs)
            return ('complex', f'Put {_a(x)} {_prep(y)} {_a(y)}, then put {_a(y)} {_prep(w)} {_a(w)}.',
                    [f'IN({x}, {y})', f'IN({y}, {w})'])
    return _composite(s, rng)


_MAKERS = {'simple': _simple, 'composite': _composite, 'complex': _complex}


def random_tasks(scene: str, rng: random.Random, n: int) -> list[tuple[str, str, list[str]]]:
    """``n`` (category, instruction, goals) for ``scene``, categories in turn (a category the
    scene has no objects for falls back to a simpler one)."""
    s = _Scene(scene)
    if not s.pickable:
        return []
    return [_MAKERS[c](s, rng) for c in (CATEGORIES[i % 3] for i in range(n))]
