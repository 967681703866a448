"""The attribute schema of scene-graph nodes (objects and receptacles), defined once.

Each attribute has a typed value and an explicit "unknown" (the value it holds before anything
is known: an empty id is "no parent known", ``first_seen`` 0 is "never"). The scene graph
creates nodes with these attributes, the node-link serialiser writes and reads
:data:`SERIALISED`, the SQLite/PostgreSQL stores keep every attribute but :data:`NOT_STORED`
in a row, and the ROS shell puts :data:`MESSAGE_ATTRIBUTES` into ``SceneGraphNode.attributes``.

Layers and relations are enumerations: :data:`LAYERS`, :data:`RELATIONS` (``in``/``on`` hold a
thing, ``contains`` is a region's, ``near`` is proximity), ``""`` meaning unknown.

>>> ATTRIBUTES['confidence'].type, ATTRIBUTES['confidence'].unknown
(<class 'float'>, 0.0)
>>> 'rev' in SERIALISED, 'rev' in NOT_STORED, 'obb' in SERIALISED
(False, True, True)
>>> sorted(unknown_object())[:4]
['confidence', 'first_seen', 'last_seen', 'layer']
"""
from __future__ import annotations

from dataclasses import dataclass

#: Graph layers, top down.
LAYERS = ('scene', 'region', 'receptacle', 'object')
#: Layers of things a robot can see and act on.
THING_LAYERS = ('object', 'receptacle')
#: Relations between nodes; ``""`` is "unknown".
RELATIONS = ('in', 'on', 'contains', 'near')
#: Relations by which a receptacle holds a thing.
HOLD_RELATIONS = ('in', 'on')
#: The value of an id or a relation that is not known.
UNKNOWN_ID = ''
#: The id of the graph's root node, and the prefix of region ids (``region:kitchen``).
SCENE_ID = 'scene'
REGION_PREFIX = 'region:'


@dataclass(frozen=True)
class Attribute:
    """One attribute of an object/receptacle node."""

    name: str
    type: type
    unknown: object           # the value before anything is known
    summary: str
    serialised: bool = True   # written by the node-link serialiser
    stored: bool = True       # kept in the store's row
    optional: bool = False    # absent unless known (no placeholder value)


_SCHEMA = (
    Attribute('layer', str, 'object', 'object or receptacle (LAYERS)', stored=False),
    Attribute('type', str, '', 'object class, the skill catalogue\'s CamelCase type'),
    Attribute('position', tuple, (0.0, 0.0, 0.0), 'centre in map, metres (REP-103, z up)'),
    Attribute('size', tuple, (0.0, 0.0, 0.0), 'axis-aligned extent, metres; 0 = unknown'),
    Attribute('states', dict, {}, 'AI2-THOR state key -> text value (karma_domain.states)'),
    Attribute('parent', str, UNKNOWN_ID, 'holding receptacle or containing region id'),
    Attribute('relation', str, UNKNOWN_ID, 'relation to the parent (RELATIONS)'),
    Attribute('near', str, UNKNOWN_ID, 'id of the nearest thing when no receptacle holds it'),
    Attribute('confidence', float, 0.0, 'belief that it is there, 0..1'),
    Attribute('stale', bool, False, 'looked for and not seen since'),
    Attribute('times_seen', int, 0, 'sightings'),
    Attribute('first_seen', float, 0.0, 'stamp of the first sighting, seconds; 0 = never'),
    Attribute('last_seen', float, 0.0, 'stamp of the last sighting, seconds; 0 = never'),
    Attribute('source', str, '', 'who said so (perception:<node>, skill, operator, import)'),
    Attribute('obb', dict, {}, 'oriented box (center, extent, rotation) fused from points', optional=True),
    Attribute('misses', int, 0, 'looks in a row that did not see it'),
    Attribute('missed_total', int, 0, 'looks that did not see it, in all'),
    Attribute('type_votes', dict, {}, 'label -> sightings, for confused detections', optional=True),
    Attribute('robot', str, '', 'fleet memory: namespace of the robot that last observed or '
              'changed it (karma_memory.stores.fleet)', optional=True),
    Attribute('rev', int, 0, 'revision of the node (message caches)', serialised=False, stored=False),
)
#: Name -> attribute, in schema order.
ATTRIBUTES: dict[str, Attribute] = {a.name: a for a in _SCHEMA}
#: What the node-link serialiser writes for a thing (optional ones only when present).
SERIALISED = tuple(a.name for a in _SCHEMA if a.serialised)
NOT_SERIALISED = frozenset(a.name for a in _SCHEMA if not a.serialised)
#: What a store does not keep in a node's row (the layer is a column of its own, rev is runtime).
NOT_STORED = frozenset(a.name for a in _SCHEMA if not a.stored)
#: Attributes a ``SceneGraphNode`` message carries as key/values (regions add ``room_type``).
MESSAGE_ATTRIBUTES = ('confidence', 'stale', 'parent', 'relation', 'near', 'source', 'room_type',
                      'last_seen', 'robot')


def unknown_object() -> dict:
    """The attributes of a thing nothing is known about yet (fresh containers each call)."""
    return {a.name: (type(a.unknown)(a.unknown) if isinstance(a.unknown, (dict, tuple)) else a.unknown)
            for a in _SCHEMA if not a.optional}
