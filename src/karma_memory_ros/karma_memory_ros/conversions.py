"""Message <-> core conversions for the long-term memory node (no node logic here).

Positions keep the core's numbers: frame ``map``, REP-103 (right-handed, z up), as the msg files say.

Example::

    obs = observation_from_msg(msg.observations[0], stamp=12.5, max_points=50000)
    item_msg = memory_object_msg(graph.get("Apple|1"))
"""
from __future__ import annotations

import math

import numpy as np
from builtin_interfaces.msg import Time
from geometry_msgs.msg import Point, Vector3
from karma_interfaces.msg import KeyValue, MemoryObject, ObjectObservationArray
from karma_interfaces.msg import SceneGraph as SceneGraphMsg
from karma_interfaces.msg import SceneGraphEdge, SceneGraphNode
from sensor_msgs.msg import PointField
from visualization_msgs.msg import Marker, MarkerArray

from karma_domain.attributes import MESSAGE_ATTRIBUTES
from karma_domain.stamps import stamp_seconds, to_sec_nanosec
from karma_memory import MemoryItem, Observation, Observer


class ConversionError(ValueError):
    """A message part cannot be converted; ``reason`` is the diagnostics key."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def to_sec(t) -> float:
    """Float seconds of a ``builtin_interfaces/Time`` (see :mod:`karma_domain.stamps`)."""
    return stamp_seconds(t)


def to_time(sec: float) -> Time:
    """The ``builtin_interfaces/Time`` of float seconds (see :mod:`karma_domain.stamps`)."""
    s, ns = to_sec_nanosec(sec)
    return Time(sec=s, nanosec=ns)


def points_from_cloud(pc, max_points: int):
    """``(N, 3)`` float array of a PointCloud2 with float32 x/y/z fields, or ``None`` if empty.

    Raises :class:`ConversionError` (``bad_points`` / ``too_many_points``) on malformed clouds.
    Non-finite points (normal in organised depth clouds) are kept here; fusion drops them.
    """
    n = pc.width * pc.height
    if n == 0:
        return None
    if n > max_points:
        raise ConversionError("too_many_points", f"{n} points (max {max_points})")
    offsets = {}
    for f in pc.fields:
        if f.name in ("x", "y", "z"):
            if f.datatype != PointField.FLOAT32 or f.count not in (0, 1):
                raise ConversionError("bad_points", f"field {f.name} is not one float32")
            offsets[f.name] = f.offset
    if len(offsets) != 3:
        raise ConversionError("bad_points", "cloud lacks float32 x, y, z fields")
    step = pc.point_step
    if step < 12 or max(offsets.values()) + 4 > step or pc.row_step < step * pc.width \
            or len(pc.data) < pc.row_step * pc.height:
        raise ConversionError("bad_points", "cloud sizes (point_step/row_step/data) disagree")
    dtype = np.dtype({"names": ["x", "y", "z"], "formats": ["<f4" if not pc.is_bigendian else ">f4"] * 3,
                      "offsets": [offsets["x"], offsets["y"], offsets["z"]], "itemsize": step})
    buf = bytes(pc.data)
    rows = [np.frombuffer(buf, dtype=dtype, count=pc.width, offset=r * pc.row_step)
            for r in range(pc.height)]
    arr = np.concatenate(rows)
    return np.stack([arr["x"], arr["y"], arr["z"]], axis=1).astype(np.float64)


def observation_from_msg(o, stamp: float, max_points: int) -> Observation:
    """Core :class:`Observation` of an ``ObjectObservation`` (numbers checked later by the core)."""
    p, s = o.pose.position, o.size
    q = o.pose.orientation
    if not (math.isfinite(q.x) and math.isfinite(q.y) and math.isfinite(q.z) and math.isfinite(q.w)):
        raise ConversionError("bad_orientation", "orientation is not finite")
    return Observation(
        label=o.label, instance_id=o.instance_id, confidence=o.confidence,
        position=None if o.pose_unknown else (p.x, p.y, p.z),
        size=None if o.size_unknown else (s.x, s.y, s.z),
        states={kv.key: kv.value for kv in o.states} if o.states else {},
        parent_id=o.parent_id, is_receptacle=o.is_receptacle,
        points=points_from_cloud(o.points, max_points) if o.points.width else None,
        stamp=stamp)


#: ObjectObservationArray.observer_convention -> the axis the camera looks along.
FORWARD_AXIS = {ObjectObservationArray.OBSERVER_CAMERA_Z: "z",
                ObjectObservationArray.OBSERVER_OPTICAL: "z",
                ObjectObservationArray.OBSERVER_BODY: "x"}


def observer_from_msg(msg) -> Observer | None:
    """The frame's :class:`Observer`, or ``None`` when fov or range is unknown (0).

    Raises :class:`ConversionError` (``bad_convention``) for an unknown observer_convention.
    """
    if msg.fov_deg == 0 or msg.max_range == 0:
        return None
    axis = FORWARD_AXIS.get(msg.observer_convention)
    if axis is None:
        raise ConversionError("bad_convention", f"observer_convention {msg.observer_convention} "
                              "is none of OBSERVER_CAMERA_Z, OBSERVER_OPTICAL, OBSERVER_BODY")
    p, q = msg.observer_pose.position, msg.observer_pose.orientation
    return Observer((p.x, p.y, p.z), (q.x, q.y, q.z, q.w), float(msg.fov_deg), float(msg.max_range),
                    axis)


def _kvs(d: dict) -> list:
    return [KeyValue(key=k, value=str(v)) for k, v in sorted(d.items())]


def memory_object_msg(item: MemoryItem) -> MemoryObject:
    """``MemoryObject`` of a :class:`~karma_memory.MemoryItem`."""
    x, y, z = item.position
    sx, sy, sz = item.size
    return MemoryObject(
        id=item.id, type=item.type, position=Point(x=x, y=y, z=z), size=Vector3(x=sx, y=sy, z=sz),
        receptacle_id=item.receptacle_id, relation=item.relation or '', region_id=item.region_id,
        states=_kvs(item.states),
        first_seen=to_time(item.first_seen), last_seen=to_time(item.last_seen),
        times_seen=min(item.times_seen, 2**32 - 1), confidence=float(item.confidence),
        stale=item.stale, source=item.source, score=float(item.score), held=item.held,
        robot=item.robot)


_NODE_ATTRS = MESSAGE_ATTRIBUTES


class SceneGraphEncoder:
    """Builds ``SceneGraph`` messages, reusing node messages whose node did not change.

    Building a message node costs tens of microseconds (field type checks), so a graph of 10k
    nodes is only rebuilt for the nodes whose ``rev`` moved since the last call.
    """

    def __init__(self):
        self._cache: dict[str, tuple[dict, int, SceneGraphNode]] = {}

    def node(self, nid: str, a: dict) -> SceneGraphNode:
        rev = a.get("rev", 0)
        hit = self._cache.get(nid)
        # A removed and recreated node (a region after a new map) starts its rev again but has a
        # new attribute dict; the cache holds the old dict, so its identity cannot be reused.
        if hit is not None and hit[0] is a and hit[1] == rev:
            return hit[2]
        x, y, z = a.get("position", (0.0, 0.0, 0.0))
        sx, sy, sz = a.get("size", (0.0, 0.0, 0.0))
        attrs = _kvs(a.get("states") or {}) + [
            KeyValue(key=k, value=str(a[k]).lower() if isinstance(a[k], bool) else str(a[k]))
            for k in _NODE_ATTRS if k in a and a[k] != ""]
        msg = SceneGraphNode(id=nid, layer=a.get("layer", ""), type=a.get("type", ""),
                             position=Point(x=float(x), y=float(y), z=float(z)),
                             size=Vector3(x=float(sx), y=float(sy), z=float(sz)), attributes=attrs)
        self._cache[nid] = (a, rev, msg)
        return msg

    def encode(self, nxgraph, nodes=None, header=None) -> SceneGraphMsg:
        """Message of ``nodes`` (all when None) and the edges among them, sorted by id."""
        keep = sorted(nxgraph if nodes is None else nodes)
        keep_set = set(keep)
        msg = SceneGraphMsg()
        if header is not None:
            msg.header = header
        msg.nodes = [self.node(n, nxgraph.nodes[n]) for n in keep]
        msg.edges = [SceneGraphEdge(source=u, target=v, relation=r)
                     for u, v, r in sorted(nxgraph.subgraph(keep_set).edges(data="relation"))]
        if nodes is None:   # forget removed nodes
            for gone in set(self._cache) - keep_set:
                del self._cache[gone]
        return msg


def markers_msg(nxgraph, header, max_markers: int) -> MarkerArray:
    """Boxes and labels per object/receptacle (up to ``max_markers`` of each) and one line list
    of in/on/near relations, after a DELETEALL so removed objects disappear."""
    out = MarkerArray()
    clear = Marker(header=header, ns="karma", id=0, action=Marker.DELETEALL)
    out.markers.append(clear)
    things = sorted(n for n, d in nxgraph.nodes(data="layer") if d in ("object", "receptacle"))
    things = things[:max_markers]
    lines = Marker(header=header, ns="relations", id=0, type=Marker.LINE_LIST, action=Marker.ADD)
    lines.scale.x = 0.01
    lines.color.r, lines.color.g, lines.color.b, lines.color.a = 0.2, 0.8, 0.2, 0.8
    lines.pose.orientation.w = 1.0
    for i, n in enumerate(things):
        a = nxgraph.nodes[n]
        x, y, z = a["position"]
        box = Marker(header=header, ns="boxes", id=i, type=Marker.CUBE, action=Marker.ADD)
        box.pose.position = Point(x=float(x), y=float(y), z=float(z))
        box.pose.orientation.w = 1.0
        sx, sy, sz = a["size"]
        box.scale.x, box.scale.y, box.scale.z = max(sx, 0.01), max(sy, 0.01), max(sz, 0.01)
        rec = a["layer"] == "receptacle"
        box.color.r, box.color.g, box.color.b = (0.2, 0.4, 0.9) if rec else (0.95, 0.55, 0.1)
        box.color.a = 0.15 if a.get("stale") else (0.3 if rec else 0.7)
        label = Marker(header=header, ns="labels", id=i, type=Marker.TEXT_VIEW_FACING, action=Marker.ADD)
        label.pose.position = Point(x=float(x), y=float(y), z=float(z) + float(sz) / 2 + 0.05)  # above the box
        label.pose.orientation.w = 1.0
        label.scale.z = 0.06
        label.color.r = label.color.g = label.color.b = label.color.a = 1.0
        label.text = a["type"]
        out.markers += [box, label]
        for target in (a.get("parent"), a.get("near")):
            if target and target in nxgraph and nxgraph.nodes[target]["layer"] in ("object", "receptacle"):
                tx, ty, tz = nxgraph.nodes[target]["position"]
                lines.points += [Point(x=float(x), y=float(y), z=float(z)),
                                 Point(x=float(tx), y=float(ty), z=float(tz))]
    out.markers.append(lines)
    return out
