"""How good is the memory itself? Its objects judged against the simulator's ground truth.

EVALUATION ONLY: the ground truth is never shown to the robot. Memory objects (the long-term
memory's scene graph, object and receptacle layers) are matched one to one with ground-truth
objects of the same type (case-insensitive) whose box centre is within ``radius`` (0.5 m),
closest pairs first. Then, after a task:

``recall``                ground-truth objects perception detected so far that memory holds
                          (matched) / those detected;
``recall_repeated``       the same over objects detected in at least two frames (a memory
                          that waits for repeated evidence cannot hold a single sighting);
``precision``             matched memory objects / memory objects;
``duplicate_rate``        memory objects left unmatched although a same-type object within
                          ``radius`` is matched to another memory object / memory objects;
``position_error_m``      median distance of the matched pairs;
``containment_accuracy``  matched pickupable objects whose memory receptacle is the memory
                          object matched to one of THOR's ``parentReceptacles`` / matched
                          pickupable objects that THOR places in a receptacle (THOR lists
                          every receptacle whose volume holds the object: a pen on a dining
                          table is also "in" the chair tucked under it, a statue on a low
                          shelf also on the floor; any of them is a right answer);
``containment_first``     the same, counting only THOR's first listed receptacle (stricter);
``stale_beliefs``         memory objects with confidence >= 0.5, neither matched nor
                          duplicates, of a type the scene has (elsewhere): "X at P" while X is not.

Ratios with an empty denominator are None. :func:`pool` sums the counts of several tasks.

>>> gt = {'objects': [{'objectId': 'Mug|1', 'objectType': 'Mug', 'pickupable': True,
...                    'position': {'x': 0, 'y': 1, 'z': 0}, 'parentReceptacles': ['Table|1']},
...                   {'objectId': 'Table|1', 'objectType': 'DiningTable', 'pickupable': False,
...                    'position': {'x': 0, 'y': 0.5, 'z': 0}}], 'perceived': ['Mug|1', 'Table|1']}
>>> mem = [{'id': 'Mug_1', 'type': 'Mug', 'position': (0, -0.1, 1), 'parent': 'DiningTable_1'},
...        {'id': 'DiningTable_1', 'type': 'DiningTable', 'position': (0.1, 0, 0.5)},
...        {'id': 'Mug_2', 'type': 'Mug', 'position': (0, -3, 1), 'confidence': 0.9}]
>>> q = judge(mem, gt)
>>> q['recall'], round(q['precision'], 3), q['containment_accuracy'], q['stale_beliefs']
(1.0, 0.667, 1.0, 1)
"""
from __future__ import annotations

import math
from statistics import median

from karma_thor_bridge.frames import dict_to_map

RADIUS = 0.5
CONFIDENT = 0.5
# The counts kept per task; ratios are recomputed from their sums when tasks are pooled.
COUNTS = ('seen', 'recalled', 'seen_repeated', 'recalled_repeated', 'memory', 'matched',
          'duplicates', 'contained', 'contained_ok', 'contained_first', 'stale')


def _centre(o: dict) -> tuple[float, float, float]:
    """A THOR object's centre in the memory's frame (``map``, REP-103)."""
    return dict_to_map((o.get('axisAlignedBoundingBox') or {}).get('center') or o.get('position'))


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def match(memory: list[dict], objects: list[dict], radius: float = RADIUS):
    """(memory id -> ground-truth id, distances of the pairs): same type, within ``radius``,
    closest pairs first, one to one."""
    pairs = []
    for m in memory:
        mt, mp = str(m.get('type', '')).lower(), tuple(m.get('position') or (0.0, 0.0, 0.0))
        for o in objects:
            if o['objectType'].lower() == mt:
                d = math.dist(mp, _centre(o))
                if d <= radius:
                    pairs.append((d, m['id'], o['objectId']))
    pairs.sort()
    m2g, used, dists = {}, set(), []
    for d, mid, gid in pairs:
        if mid not in m2g and gid not in used:
            m2g[mid] = gid
            used.add(gid)
            dists.append(d)
    return m2g, dists


def judge(memory: list[dict], truth: dict, radius: float = RADIUS) -> dict:
    """Memory quality after a task (see the module doc); ``memory`` holds dicts with ``id``,
    ``type``, ``position`` and optionally ``parent`` and ``confidence``; ``truth`` is a
    ground-truth snapshot with ``objects`` and ``perceived`` (THOR id -> frames it was
    detected in so far; a plain list of ids counts each once)."""
    objects = [o for o in truth.get('objects') or [] if o.get('objectId') and o.get('objectType')]
    by_id = {o['objectId']: o for o in objects}
    memory = [m for m in memory if m.get('id') and m.get('layer', 'object') in ('object', 'receptacle')]
    m2g, dists = match(memory, objects, radius)
    g2m = {g: m for m, g in m2g.items()}
    perceived = truth.get('perceived') or {}
    if not isinstance(perceived, dict):
        perceived = {i: 1 for i in perceived}
    seen = {i for i in perceived if i in by_id}
    repeated = {i for i in seen if perceived[i] >= 2}
    dup, stale = 0, 0
    types = {o['objectType'].lower() for o in objects}
    for m in memory:
        if m['id'] in m2g:
            continue
        mt, mp = str(m.get('type', '')).lower(), tuple(m.get('position') or (0.0, 0.0, 0.0))
        if any(o['objectType'].lower() == mt and o['objectId'] in g2m
               and math.dist(mp, _centre(o)) <= radius for o in objects):
            dup += 1
        elif mt in types and float(m.get('confidence', 1.0)) >= CONFIDENT:
            stale += 1
    contained = contained_ok = contained_first = 0
    parents = {m['id']: str(m.get('parent') or '') for m in memory}
    for mid, gid in m2g.items():
        o = by_id[gid]
        gparents = [p for p in o.get('parentReceptacles') or [] if p in by_id]
        if not o.get('pickupable') or not gparents:
            continue
        contained += 1
        got = m2g.get(parents.get(mid, ''))
        contained_ok += got in gparents
        contained_first += got == gparents[0]
    counts = {'seen': len(seen), 'recalled': sum(1 for g in seen if g in g2m),
              'seen_repeated': len(repeated),
              'recalled_repeated': sum(1 for g in repeated if g in g2m),
              'memory': len(memory), 'matched': len(m2g), 'duplicates': dup,
              'contained': contained, 'contained_ok': int(contained_ok),
              'contained_first': int(contained_first), 'stale': stale}
    return summarize_counts(counts, median(dists) if dists else None)


def summarize_counts(c: dict, position_error: float | None) -> dict:
    return {'recall': _ratio(c['recalled'], c['seen']),
            'recall_repeated': _ratio(c['recalled_repeated'], c['seen_repeated']),
            'precision': _ratio(c['matched'], c['memory']),
            'duplicate_rate': _ratio(c['duplicates'], c['memory']),
            'position_error_m': None if position_error is None else round(position_error, 4),
            'containment_accuracy': _ratio(c['contained_ok'], c['contained']),
            'containment_first': _ratio(c.get('contained_first', 0), c['contained']),
            'stale_beliefs': c['stale'], 'counts': {k: int(c[k]) for k in COUNTS}}


def pool(judged: list[dict]) -> dict | None:
    """Several tasks' judgements as one: ratios of summed counts, the median of the tasks'
    position errors, stale beliefs per task on average (``stale_beliefs``)."""
    judged = [j for j in judged if j]
    if not judged:
        return None
    total = {k: sum(j['counts'].get(k, 0) for j in judged) for k in COUNTS}
    errs = [j['position_error_m'] for j in judged if j.get('position_error_m') is not None]
    out = summarize_counts(total, median(errs) if errs else None)
    out['stale_beliefs'] = round(total['stale'] / len(judged), 3)
    out['tasks'] = len(judged)
    return out
