"""Replay a recording's memory inputs into a fresh long-term memory and compare the graphs.

The inputs (perception, consolidation, robot state, map; :data:`karma_inspector.topics.INPUTS`)
are fed in log-time order to a real :class:`karma_memory_ros.ltm_node.LtmNode` built in this
process on a private context and domain with an empty store, through the very callbacks that
handle them live, so replay runs exactly the node's ingest code. Each recorded
``/karma/scene_graph`` snapshot is compared, where it was logged, with the replayed graph
node for node (id, layer, type, position, size, every attribute) and edge for edge; the
result reports the last comparison (the inputs after the last snapshot are still applied:
``result.graph`` is the whole replay). A snapshot can trail its inputs by one publication
period (the node publishes at most ``publish_rate_hz``), so an input logged just before a
snapshot may not be in it yet: such a difference says when, not what.

``./karma replay FILE`` runs it (``--ltm-params``: the parameter file the recorded node used).

Example::

    result = replay("/tmp/run.mcap", "config/ltm.yaml")
    assert result.equal, result.differences[:5]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass, field

from karma_inspector.mcap_log import read_raw
from karma_inspector.topics import CONSOLIDATE, INPUTS, MAP, PERCEPTION, ROBOT_STATE, SCENE_GRAPH, \
    message_class, type_of


@dataclass
class ReplayResult:
    inputs: int = 0                       # input messages fed to the memory
    after_last_snapshot: int = 0          # of them, logged after the last snapshot
    snapshots: int = 0                    # scene-graph snapshots in the recording
    snapshots_equal: int = 0              # of them, equal to the replay where they were logged
    nodes: int = 0                        # nodes of the replayed graph
    equal: bool | None = None             # None: the recording has no snapshot to compare with
    differences: list[str] = field(default_factory=list)
    graph: object = None                  # the replayed karma_memory.SceneGraph
    rejections: dict = field(default_factory=dict)


def graph_key(msg) -> tuple[dict, set]:
    """Comparable form of a SceneGraph message: ``({id: node tuple}, {edge tuples})``."""
    nodes = {}
    for n in msg.nodes:
        p, s = n.position, n.size
        nodes[n.id] = (n.layer, n.type, (p.x, p.y, p.z), (s.x, s.y, s.z),
                       tuple(sorted((kv.key, kv.value) for kv in n.attributes)))
    return nodes, {(e.source, e.target, e.relation) for e in msg.edges}


def compare(recorded, replayed) -> list[str]:
    """Differences between two SceneGraph messages (empty when equal node for node)."""
    (na, ea), (nb, eb) = graph_key(recorded), graph_key(replayed)
    out = [f"only recorded: {i}" for i in sorted(set(na) - set(nb))]
    out += [f"only replayed: {i}" for i in sorted(set(nb) - set(na))]
    out += [f"differs: {i}: {na[i]} != {nb[i]}" for i in sorted(set(na) & set(nb)) if na[i] != nb[i]]
    out += [f"edge only recorded: {e}" for e in sorted(ea - eb)]
    out += [f"edge only replayed: {e}" for e in sorted(eb - ea)]
    return out


def replay(path: str, ltm_params: str | None = None, store_dir: str | None = None,
           domain_id: int | None = None) -> ReplayResult:
    """Feed ``path``'s inputs to a fresh memory; see the module docstring."""
    import rclpy
    from rclpy.serialization import deserialize_message
    from karma_memory_ros.ltm_node import LtmNode
    from karma_ros_common.lifecycle import bring_up

    result = ReplayResult()
    ctx = rclpy.Context()
    # A private domain: the replayed node's own publications must not reach a running stack.
    rclpy.init(context=ctx, domain_id=domain_id if domain_id is not None else 200 + os.getpid() % 30)
    tmp = tempfile.TemporaryDirectory(prefix="karma_replay_")
    args = ["--ros-args"] + (["--params-file", ltm_params] if ltm_params else [])
    args += ["-p", f"store_dir:={store_dir or tmp.name}", "-p", "io_dirs:=['$store_dir']"]
    node = LtmNode(context=ctx, cli_args=args)
    try:
        failure = bring_up(node)   # a managed node: configure (open the store) and activate
        if failure:
            raise RuntimeError(f'ltm_node cannot configure: {failure}')
        classes = {t: message_class(type_of(t)) for t in INPUTS + (SCENE_GRAPH,)}
        for topic, _, _, data in read_raw(path, topics=list(INPUTS) + [SCENE_GRAPH]):
            msg = deserialize_message(data, classes[topic])
            if topic == SCENE_GRAPH:
                # Compared when it was recorded: it shows the inputs logged before it.
                result.snapshots += 1
                result.differences = compare(msg, node._encoder.encode(node.graph.nx))
                result.snapshots_equal += not result.differences
                result.after_last_snapshot = 0
                continue
            result.inputs += 1
            result.after_last_snapshot += 1
            if topic == PERCEPTION:
                node.handle_observations(msg, "perception")
            elif topic == CONSOLIDATE:
                node.handle_observations(msg, "short_term")
            elif topic == ROBOT_STATE:
                node.on_robot_state(msg)
            elif topic == MAP:
                node.on_map(msg)
        result.graph = node.graph
        result.nodes = len(node.graph.nx)
        result.rejections = dict(node.rejections.counts)
        if result.snapshots:
            result.equal = not result.differences
    finally:
        node.destroy_node()
        rclpy.try_shutdown(context=ctx)
        tmp.cleanup()
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="karma replay", description=__doc__.split("\n")[0])
    ap.add_argument("file", help="an MCAP recording (./karma up --record FILE)")
    ap.add_argument("--ltm-params", default=os.path.join(os.environ.get("KARMA_ROOT", "."),
                                                         "config", "ltm.yaml"),
                    help="parameter file of the recorded long-term memory (default config/ltm.yaml)")
    ap.add_argument("--store-dir", help="keep the replayed memory's SQLite store (and its history) here")
    args = ap.parse_args(argv)
    if not os.path.isfile(args.file):
        print(f"karma replay: no such file: {args.file}", file=sys.stderr)
        return 2
    r = replay(args.file, args.ltm_params if os.path.isfile(args.ltm_params) else None, args.store_dir)
    print(f"karma replay: fed {r.inputs} input messages into a fresh memory: {r.nodes} nodes")
    if r.equal is None:
        print("karma replay: the recording holds no scene-graph snapshot to compare with")
        return 0
    after = f"; {r.after_last_snapshot} inputs came after it" if r.after_last_snapshot else ""
    print(f"karma replay: {r.snapshots_equal} of {r.snapshots} recorded snapshots equal the replay "
          f"where they were logged")
    if r.equal:
        print(f"karma replay: the replayed graph equals the recording's last snapshot node for node "
              f"({r.snapshots} snapshots recorded{after})")
        return 0
    print(f"karma replay: {len(r.differences)} differences from the recording's last snapshot{after}:")
    for d in r.differences[:20]:
        print("  " + d)
    return 1


if __name__ == "__main__":
    sys.exit(main())
