"""A read-only view of both memories as flat items plus neighbour look-ups.

Built from plain dicts, so it works on QuerySceneGraph / QueryShortTerm responses (the planner
node converts messages to dicts) and on anything else that can produce them.

Scene-graph dicts: ``nodes`` = ``[{'id', 'layer', 'type', 'attributes': {k: v}}]`` (layers
``scene``, ``region``, ``receptacle``, ``object``) and ``edges`` = ``[{'source', 'target',
'relation'}]`` (``contains`` scene->region->receptacle, ``in``/``on`` object->receptacle).
Short-term dicts: ``{'object_id', 'object_type', 'states': {k: v}, 'receptacle_id', 'source',
'step'}``.

>>> v = MemoryView.from_graph(
...     [{'id': 'region:kitchen', 'layer': 'region', 'type': 'kitchen'},
...      {'id': 'Fridge_1', 'layer': 'receptacle', 'type': 'Fridge'},
...      {'id': 'Apple_1', 'layer': 'object', 'type': 'Apple'}],
...     [{'source': 'region:kitchen', 'target': 'Fridge_1', 'relation': 'contains'},
...      {'source': 'Apple_1', 'target': 'Fridge_1', 'relation': 'in'}])
>>> v['Apple_1'].receptacle, v['Apple_1'].region, v.contents('Fridge_1'), v.region_names()
('Fridge_1', 'kitchen', ['Apple_1'], ['kitchen'])
"""
from __future__ import annotations

from dataclasses import dataclass, field

from karma_domain.states import STATE_KEYS as _DOMAIN_STATE_KEYS
from karma_domain.states import is_true, thor_states
from karma_domain.skills import FIXED_TYPES, OPENABLE_TYPES, RECEPTACLE_TYPES
from .text import clean, is_type_label, type_words


@dataclass
class MemoryItem:
    """One memory item. ``provenance`` is where it came from (``perception:thor_bridge``,
    ``stm:skill``, ``import``...); ``recent`` holds the short-term states when the STM has it."""

    id: str
    type: str
    layer: str = 'object'
    provenance: str = ''
    receptacle: str = ''
    region: str = ''
    states: dict = field(default_factory=dict)
    recent: dict | None = None
    recent_source: str = ''
    valid_label: bool = True
    confidence: float = 1.0     # the long-term memory's belief in [0, 1]
    stale: bool = False         # a look where it should be failed to find it
    last_seen: float = 0.0      # seconds since the epoch; 0 = unknown
    position: tuple | None = None   # believed centre (map frame, REP-103); None = unknown
    relation: str = ''          # how the receptacle holds it ("in", "on"), when known
    _text: str | None = field(default=None, repr=False)

    @property
    def fresh(self) -> bool:
        """A belief worth acting on: not stale and at least even odds."""
        return not self.stale and self.confidence >= 0.5

    @property
    def text(self) -> str:
        """Text that is embedded for retrieval (type words, states, place)."""
        if self._text is None:
            words = [type_words(self.type) if self.valid_label else 'unknown object']
            states = {**self.states, **(self.recent or {})}
            words += [k if v in (True, 'true') else f'{k} {v}' for k, v in states.items()
                      if v not in (False, 'false')]
            self._text = ', '.join(words)
        return self._text

    @property
    def is_receptacle(self) -> bool:
        return self.layer == 'receptacle' or self.type in RECEPTACLE_TYPES

    @property
    def is_movable(self) -> bool:
        return self.layer in ('object', 'receptacle') and self.type not in FIXED_TYPES


_TRUE = ('true', 'True', True, '1')



def _copy(it: MemoryItem) -> MemoryItem:
    """A copy of ``it`` to change (its embedded text is recomputed)."""
    return MemoryItem(**{**it.__dict__, 'states': dict(it.states), '_text': None})


#: State keys that retrieval renders: the one spelling (AI2-THOR's); a view converts short names.
STATE_KEYS = _DOMAIN_STATE_KEYS


def _number(text, default: float, lo: float, hi: float) -> float:
    try:
        v = float(text)
    except (TypeError, ValueError):
        return default
    return min(max(v, lo), hi) if v == v else default


def _position(p) -> tuple | None:
    """A node's ``(x, y, z)`` when it is three finite numbers, else None (unknown)."""
    try:
        xyz = tuple(float(v) for v in p)
    except (TypeError, ValueError):
        return None
    return xyz if len(xyz) == 3 and all(abs(v) < 1e6 for v in xyz) else None


def _attrs(node: dict) -> dict:
    a = node.get('attributes') or {}
    if isinstance(a, list):  # KeyValue list as dicts
        a = {kv['key']: kv['value'] for kv in a}
    return {clean(k, 64): clean(v, 64) for k, v in a.items()}


@dataclass(frozen=True)
class Hand:
    """What the robot reports holding (karma_interfaces/RobotState): proprioception, trusted
    over memory. ``state`` is ``unknown`` (no report: memory's belief stands), ``empty`` or
    ``holding`` (``held_id`` the memory id when the robot knows it, ``held_type`` its type)."""

    state: str = 'unknown'
    held_id: str = ''
    held_type: str = ''


class MemoryView:
    """Items by id, with ``contents(receptacle)`` and region look-ups."""

    def __init__(self, items: dict[str, MemoryItem] | None = None, hand: Hand | None = None):
        self.items: dict[str, MemoryItem] = items or {}
        self.hand = hand or Hand()
        self.now = 0.0          # seconds since the epoch when set: retrieval renders ages
        self._contents: dict[str, list[str]] | None = None
        self.cache: dict = {}   # retrieval's per-view arrays
        #: (view this one was derived from, ids replaced or added), see :meth:`_derived`
        self.base: tuple['MemoryView', frozenset] | None = None

    def held_id(self, candidates=None) -> str | None:
        """The id of the held item: the robot's report when it has one, else memory's belief
        (among the ids ``candidates`` when the caller knows which items may say held)."""
        if self.hand.state == 'empty':
            return None
        if self.hand.state == 'holding' and self.hand.held_id in self.items:
            return self.hand.held_id
        pool = self.items.values() if candidates is None else \
            [self.items[i] for i in candidates if i in self.items]
        for it in pool:
            st = {**it.states, **(it.recent or {})}
            if is_true(st, 'isPickedUp'):
                if self.hand.state == 'unknown' or it.type.lower() == self.hand.held_type.lower():
                    return it.id
        return None

    def with_failure(self, kind: str, target: str, blocking: str = '') -> 'MemoryView':
        """This view with a failed step's evidence (karma_domain.skills.FAILURES) applied,
        as the memories will apply it: ``container_closed`` closes the container that blocked
        (``blocking`` when memory knows it, else the one holding ``target``, else the only
        openable one of ``blocking``'s type) and puts ``target`` in it; ``not_found`` makes
        ``target`` a stale, weak belief.

        >>> v = MemoryView({'Egg_1': MemoryItem('Egg_1', 'Egg'),
        ...                 'Fridge_1': MemoryItem('Fridge_1', 'Fridge', 'receptacle', states={'isOpen': 'true'})})
        >>> w = v.with_failure('container_closed', 'Egg_1', 'Fridge|-2.1|0|1.07')
        >>> w['Egg_1'].receptacle, w['Fridge_1'].states['isOpen']
        ('Fridge_1', 'false')
        """
        items = dict(self.items)   # copy on write: only the items changed below are copied
        changed: set[str] = set()

        def own(item_id: str) -> MemoryItem | None:
            if item_id not in items:
                return None
            if item_id not in changed:
                items[item_id] = _copy(items[item_id])
                changed.add(item_id)
            return items[item_id]

        it = own(target)
        if kind == 'not_found' and it is not None and it.layer != 'region':
            it.stale, it.confidence = True, min(it.confidence, 0.25)
        elif kind == 'container_closed':
            box = own(blocking) if blocking in items else None
            if box is None and it is not None and it.receptacle in items \
                    and items[it.receptacle].type in OPENABLE_TYPES:
                box = own(it.receptacle)
            if box is None and blocking:
                btype = blocking.replace('|', '_').split('_')[0].lower()
                same = [c for c in items.values() if c.type.lower() == btype and c.type in OPENABLE_TYPES]
                box = own(same[0].id) if len(same) == 1 else None
                if box is None and it is not None and it.position is not None:
                    # several of that type: the one nearest where memory has the target
                    placed = [c for c in same if c.position is not None]
                    near = min(placed, key=lambda c: (sum((a - b) ** 2 for a, b in
                                                          zip(c.position, it.position)), c.id),
                               default=None)
                    box = own(near.id) if near is not None else None
            if box is not None:
                box.states = {**box.states, 'isOpen': 'false'}
                if box.recent:
                    box.recent = {k: v for k, v in box.recent.items() if k not in ('open', 'isOpen')}
                if it is not None:
                    it.receptacle, it.region = box.id, box.region or it.region
        return self._derived(items, self.hand, changed)

    def with_hand(self, hand: Hand) -> 'MemoryView':
        """This view with the robot's hand report; a held object memory lacks is added."""
        items = dict(self.items)
        added = set()
        if hand.state == 'holding' and hand.held_id and hand.held_id not in items and hand.held_type:
            held = MemoryItem(clean(hand.held_id, 128), clean(hand.held_type, 64),
                              'object', 'robot_state', states={'held': 'true'},
                              valid_label=is_type_label(hand.held_type))
            items[held.id] = held
            added.add(held.id)
        return self._derived(items, hand, added)

    def _derived(self, items: dict[str, MemoryItem], hand: Hand, changed: set[str]) -> 'MemoryView':
        """A view of ``items`` that differs from this one only in ``changed`` (ids replaced or
        added): retrieval derives its arrays from this view's instead of rebuilding them."""
        view = MemoryView(items, hand)
        view.now = self.now
        view.base = (self, frozenset(changed))
        if not any(items[c].layer == 'region' for c in changed if c in items):
            for k in ('regions', 'region_index'):   # overlays never change regions
                if k in self.cache:
                    view.cache[k] = self.cache[k]
        return view

    def _patched_contents(self) -> dict[str, list[str]]:
        """The base view's receptacle -> contents map with the changed items moved (the same
        lists, in the same order, as building it afresh)."""
        base, changed = self.base
        base.contents('')
        root = base
        while root.base is not None:
            root = root.base[0]
        order = root.cache.get('order')
        if order is None:
            order = root.cache['order'] = {k: i for i, k in enumerate(root.items)}
        out = dict(base._contents)
        for cid in changed:
            old, new = base.items.get(cid), self.items.get(cid)
            was = old.receptacle if old is not None else ''
            now = new.receptacle if new is not None else ''
            if was == now:
                continue
            if was and was in out:
                out[was] = [x for x in out[was] if x != cid]
            if now:
                lst = out.get(now, []) + [cid]
                out[now] = sorted(lst, key=lambda x: (0, order[x]) if x in order else (1, 0))
        return out

    def __getitem__(self, item_id: str) -> MemoryItem:
        return self.items[item_id]

    def __contains__(self, item_id: str) -> bool:
        return item_id in self.items

    def __len__(self) -> int:
        return len(self.items)

    def add(self, item: MemoryItem) -> None:
        self.items[item.id] = item
        self._contents = None
        self.cache.clear()
        self.base = None

    def contents(self, receptacle_id: str) -> list[str]:
        """Ids of the items directly in/on ``receptacle_id``."""
        if self._contents is None and self.base is not None and len(self.base[1]) <= 256:
            self._contents = self._patched_contents()
        if self._contents is None:
            self._contents = {}
            for it in self.items.values():
                if it.receptacle:
                    self._contents.setdefault(it.receptacle, []).append(it.id)
        return self._contents.get(receptacle_id, [])

    def regions(self) -> list[MemoryItem]:
        if 'regions' not in self.cache:
            if self.base is not None and len(self.base[1]) <= 256:
                # a view derived from another (a request's overlays): its base's regions with
                # the few changed items patched in, not a scan of the whole memory per request
                base, changed = self.base
                regs = [self.items.get(it.id) if it.id in changed else it for it in base.regions()]
                regs = [it for it in regs if it is not None and it.layer == 'region']
                have = {it.id for it in regs}
                regs += [self.items[c] for c in sorted(changed)
                         if c not in have and c in self.items and self.items[c].layer == 'region']
            else:
                regs = [it for it in self.items.values() if it.layer == 'region']
            self.cache['regions'] = regs
        return self.cache['regions']

    def region_names(self) -> list[str]:
        return [it.type for it in self.regions()]

    def region_item(self, name: str) -> MemoryItem | None:
        """The region item for a region name or id (``kitchen`` or ``region:kitchen``)."""
        if 'region_index' not in self.cache:
            idx = {}
            for it in self.regions():
                idx.setdefault(it.type, it)
                idx[it.id] = it
            self.cache['region_index'] = idx
        return self.cache['region_index'].get(name)

    def by_type(self, type_name: str) -> list[MemoryItem]:
        k = type_name.lower()
        return [it for it in self.items.values() if it.type.lower() == k and it.layer != 'region']

    # -- constructors ------------------------------------------------------------------
    @classmethod
    def from_graph(cls, nodes: list[dict], edges: list[dict], provenance: str = 'ltm') -> 'MemoryView':
        """From scene-graph node and edge dicts (see the module docstring)."""
        items: dict[str, MemoryItem] = {}
        for n in nodes:
            layer = n.get('layer', 'object')
            if layer == 'scene':
                continue
            nid = clean(n['id'], 128)
            raw_type = clean(n.get('type', ''), 64)
            attrs = _attrs(n)
            src = attrs.pop('source', '') or provenance
            # only known state keys reach prompts; free-text attributes never do
            states = thor_states(attrs)
            items[nid] = MemoryItem(nid, raw_type, layer, src, attrs.get('receptacle') or attrs.get('parent', ''),
                                    attrs.get('region', ''), states,
                                    valid_label=is_type_label(raw_type),
                                    confidence=_number(attrs.get('confidence'), 1.0, 0.0, 1.0),
                                    stale=attrs.get('stale') in _TRUE,
                                    last_seen=_number(attrs.get('last_seen'), 0.0, 0.0, 1e11),
                                    position=_position(n.get('position')))
        for it in items.values():   # a 'parent' attribute names a receptacle only when it is one
            if it.receptacle and (it.receptacle not in items or items[it.receptacle].layer == 'region'):
                it.receptacle = ''
        parent: dict[str, str] = {}
        for e in edges:
            s, t, rel = e['source'], e['target'], e['relation']
            if rel in ('in', 'on') and s in items and t in items:
                items[s].receptacle = t
            elif rel == 'contains' and t in items:
                parent[t] = s
        for it in items.values():
            if it.layer == 'region' or it.region:
                continue
            node, hops = it.id, 0
            while hops < 6 and node:
                up = items[node].receptacle if node in items and items[node].receptacle else parent.get(node, '')
                if up in items and items[up].layer == 'region':
                    it.region = items[up].type
                    break
                node, hops = up, hops + 1
        return cls(items)

    def with_short_term(self, entries: list[dict], known_only: bool = False) -> 'MemoryView':
        """A new view: this one plus short-term entries (their states marked ``recent``).
        ``known_only``: entries of ids this view lacks are left out (the long-term memory
        merged or forgot them; acting on them would name nothing)."""
        items = dict(self.items)   # copy on write: only the items an entry changes are copied
        changed: set[str] = set()
        for e in entries:
            oid = clean(e['object_id'], 128)
            typ = clean(e.get('object_type', ''), 64)
            it = items.get(oid)
            if it is None and known_only:
                continue
            if it is not None and oid not in changed:
                it = items[oid] = _copy(it)
            changed.add(oid)
            if it is None:
                it = items[oid] = MemoryItem(oid, typ, 'object', 'stm:' + clean(e.get('source', ''), 32),
                                             valid_label=is_type_label(typ))
            it.recent = {k: clean(v, 32) for k, v in thor_states(e.get('states') or {}).items()}
            it.recent_source = clean(e.get('source', ''), 32)
            if e.get('receptacle_id'):
                it.receptacle = clean(e['receptacle_id'], 128)
                rec = items.get(it.receptacle)
                if rec is not None and rec.region:
                    it.region = rec.region
        return self._derived(items, self.hand, changed)
