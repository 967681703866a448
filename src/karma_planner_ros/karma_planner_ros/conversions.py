"""Message -> plain-dict conversions for the planner node (karma_planning takes dicts)."""
from __future__ import annotations

import numpy as np


def _kv(pairs) -> dict:
    return {kv.key: kv.value for kv in pairs}


def graph_to_dicts(graph) -> tuple[list[dict], list[dict]]:
    """SceneGraph msg -> (nodes, edges) dicts for ``MemoryView.from_graph``."""
    nodes = [{'id': n.id, 'layer': n.layer, 'type': n.type, 'attributes': _kv(n.attributes),
              'position': (n.position.x, n.position.y, n.position.z)} for n in graph.nodes]
    edges = [{'source': e.source, 'target': e.target, 'relation': e.relation} for e in graph.edges]
    return nodes, edges


def stm_to_dicts(entries) -> list[dict]:
    """ShortTermEntry msgs -> dicts for ``MemoryView.with_short_term``."""
    return [{'object_id': e.object_id, 'object_type': e.object_type, 'states': _kv(e.states),
             'receptacle_id': e.receptacle_id, 'source': e.source, 'step': e.step} for e in entries]


def frame_to_dicts(msg) -> list[dict]:
    """ObjectObservationArray msg -> observation dicts for ``memory_modes.frame_from_dicts``."""
    return [{'instance_id': o.instance_id, 'label': o.label, 'parent_id': o.parent_id, 'states': _kv(o.states),
             'is_receptacle': o.is_receptacle,
             'position': (o.pose.position.x, o.pose.position.y, o.pose.position.z)} for o in msg.observations]


def hand_from_msg(msg):
    """RobotState msg -> karma_planning Hand (an unknown code reads as unknown)."""
    from karma_planning.memory_view import Hand
    from karma_domain.skills import HAND_STATES
    state = HAND_STATES[msg.hand_state] if msg.hand_state < len(HAND_STATES) else 'unknown'
    if state != 'holding':
        return Hand(state)
    return Hand(state, msg.held_object_id[:128], msg.held_object_type[:64])


def image_from_msg(msg):
    """sensor_msgs/Image (rgb8, bgr8, rgba8, bgra8, mono8) -> PIL RGB image."""
    from PIL import Image
    enc = msg.encoding.lower()
    ch = {'rgb8': 3, 'bgr8': 3, 'rgba8': 4, 'bgra8': 4, 'mono8': 1}.get(enc)
    if ch is None:
        raise ValueError(f'unsupported image encoding {msg.encoding!r}')
    buf = np.frombuffer(bytes(msg.data), np.uint8)
    rows = buf[: msg.step * msg.height].reshape(msg.height, msg.step)[:, : msg.width * ch]
    arr = rows.reshape(msg.height, msg.width, ch)
    if enc.startswith('bgr'):
        arr = arr[..., [2, 1, 0]]
    elif ch == 1:
        arr = np.repeat(arr, 3, axis=2)
    return Image.fromarray(np.ascontiguousarray(arr[..., :3]))
