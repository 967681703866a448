"""Long-term memory node: the 3D scene graph behind ROS topics and services.

Subscribes
  ``/karma/perception/objects`` (ObjectObservationArray, sensor-data QoS) and
  ``/karma/ltm/consolidate`` (same type, reliable; written by the short-term memory,
  provenance "short_term").
  ``karma/robot_state`` (RobotState, relative name): the gripper's held object is taken as
  given (never placed elsewhere, never matched with a detection on a counter).
Publishes
  ``/karma/ltm/associated`` (ObjectObservationArray, reliable): each applied id-less
  observation of a perception message with ``instance_id`` set to the memory id it was
  associated with, so the short-term memory keys on the long-term memory's ids;
  ``/karma/scene_graph`` (SceneGraph, transient local; at most ``publish_rate_hz``, only when
  the graph changed), ``/karma/scene_graph/markers`` (MarkerArray), ``/karma/diagnostics``
  (rejection counts plus ``applied.messages`` (``applied.perception_messages`` of them from
  perception), ``applied.observations``, ``objects``; the
  applied counts are set only after the store committed them).
Serves
  ``/karma/find_object``, ``/karma/query_scene_graph``, ``/karma/save_memory``,
  ``/karma/load_memory``, ``/karma/reset_memory``; ``/karma/query_history`` (time travel) and
  ``/karma/correct_memory`` (operator corrections), see :mod:`karma_memory_ros.memory_services`;
  ``karma/retrieve_memory`` (the planner's memory: ranked, expanded, rendered excerpt), see
  :mod:`karma_memory_ros.retrieval_service`.

Every applied message is committed to SQLite (WAL) before the callback returns, so a kill -9
loses nothing that was applied. With ``store_url`` set (``postgresql://...``) that SQLite file
is the robot's cache of a fleet's shared memory, see :mod:`karma_memory_ros.fleet_sync`.
Bad input is rejected item by item, logged and counted.

Run::

    python -m karma_memory_ros.ltm_node --ros-args --params-file config/ltm.yaml \
        -p store_dir:=/tmp/karma_ltm
"""
from __future__ import annotations

import json
import math
import os
import tempfile

import rclpy
from karma_interfaces.msg import (NavigableMap, ObjectObservationArray, RobotState,
                                  SceneGraph as SceneGraphMsg, SkillResult)
from karma_interfaces.srv import (FindObject, LoadMemory, QuerySceneGraph, ResetMemory,
                                  SaveMemory)
from std_msgs.msg import Header
from visualization_msgs.msg import MarkerArray

from karma_memory import Limits, MemoryConfig, MemoryStore, UpdateReport, clean_text
from karma_memory.history import HistoryConfig
from karma_memory.scene_graph import OPERATOR, REGION_PREFIX
from karma_memory.spark import SPARK_SUFFIX, load_dsg, node_link_from_dsg, save_spark
from karma_domain.vocabulary import failure_name
from karma_memory_ros import fleet_sync, memory_services, retrieval_service
from karma_memory_ros.concurrency import EXECUTOR_THREADS, GraphAccess
from karma_memory_ros.conversions import (ConversionError, SceneGraphEncoder, markers_msg,
                                          memory_object_msg, observation_from_msg,
                                          observer_from_msg, to_sec)
from karma_ros_common.diagnostics import RejectionCounter
from karma_ros_common.lifecycle import ManagedNode
from karma_ros_common.namespaces import expand_store_dir
from karma_ros_common.node_main import run_node
from karma_ros_common.params import Param, declare_and_validate
from karma_ros_common.qos import LATCHED, RELIABLE_EVENTS, SENSOR_BACKLOG, SENSOR_DATA


def _frames(v):
    return None if v and all(isinstance(f, str) and f for f in v) else 'must be non-empty frame names'


SCHEMA = {
    'store_dir': Param('~/.karma/$namespace/memory', 'Directory of the SQLite store (created if missing; '
                       '$namespace = the node\'s namespace, "default" without one)'),
    'io_dirs': Param(['$store_dir'], 'Directories save/load may touch ($store_dir = store_dir)'),
    'allowed_frames': Param(['map'], 'Header frame ids accepted on observation topics '
                            '(an empty frame id counts as "map")', check=_frames),
    'association_distance': Param(0.5, 'Same-class match radius for observations without id, m',
                                  min_value=0.01, max_value=5.0),
    'move_threshold': Param(0.05, 'Displacement beyond which relations are rewired, m',
                            min_value=0.0, max_value=2.0),
    'near_distance': Param(1.0, 'Radius of "near" edges to receptacles, m', min_value=0.0, max_value=5.0),
    'miss_decay': Param(0.6, 'Unused (beliefs replaced the fixed factor); kept so old parameter '
                        'files load', min_value=0.0, max_value=1.0),
    'prior_detection_rate': Param(0.8, 'How often a visible object is detected, before its own '
                                  'history says (belief update of a miss)', min_value=0.05, max_value=0.99),
    'confirm_frames': Param(2, 'Frames an id-less new object must be seen in before memory has it',
                            min_value=1, max_value=100),
    'track_max_age': Param(30, 'Frames after its first sighting within which an id-less new object '
                           'must be confirmed, else the evidence expires (0 = never)',
                           min_value=0, max_value=100000),
    'stale_below': Param(0.5, 'Belief under which an object is stale', min_value=0.0, max_value=1.0),
    'merge_distance': Param(0.3, 'Same-type objects this close, never seen together, merge, m',
                            min_value=0.0, max_value=5.0),
    'max_observations_per_message': Param(500, 'Larger observation arrays are rejected whole',
                                          min_value=1, max_value=100000),
    'max_label_length': Param(64, 'Longest accepted object label', min_value=1, max_value=256),
    'max_id_length': Param(128, 'Longest accepted instance id', min_value=1, max_value=512),
    'max_points_per_observation': Param(50000, 'Largest accepted segment cloud', min_value=0),
    'workspace_limit': Param(1000.0, 'Largest accepted |coordinate|, m', min_value=1.0),
    'max_object_size': Param(50.0, 'Largest accepted box extent, m', min_value=0.01),
    'max_objects': Param(20000, 'Most objects and receptacles held; past it the least seen objects '
                         'are forgotten (down to 95 %); 0 = no bound', min_value=0),
    'max_fov_deg': Param(120.0, 'Widest view cone a frame may claim for negative evidence '
                         '(wider is clamped and counted), degrees', min_value=1.0, max_value=360.0),
    'max_sensor_range': Param(10.0, 'Farthest a frame may claim to see for negative evidence '
                              '(farther is clamped and counted), m', min_value=0.1, max_value=1000.0),
    'publish_rate_hz': Param(2.0, 'Most scene-graph publications per second (only on change)',
                             min_value=0.01, max_value=30.0),
    'publish_markers': Param(True, 'Publish /karma/scene_graph/markers'),
    'max_markers': Param(2000, 'Most objects drawn as markers', min_value=0, max_value=100000),
    'find_default_results': Param(10, 'FindObject results when max_results is 0', min_value=1),
    'find_max_results': Param(100, 'Cap on FindObject max_results', min_value=1, max_value=10000),
    'max_query_hops': Param(3, 'Cap on QuerySceneGraph hops', min_value=0, max_value=10),
    'max_import_bytes': Param(64 * 1024 * 1024, 'Largest LoadMemory file', min_value=1),
    'diagnostics_period_s': Param(1.0, 'Period of /karma/diagnostics', min_value=0.05, max_value=60.0),
    'history_retention_s': Param(7 * 24 * 3600.0, 'Full history detail kept this long before the '
                                 'newest change (older: one baseline row per node); 0 keeps all',
                                 min_value=0.0),
    'history_max_rows_per_object': Param(500, 'Most history rows per node; 0 means no cap', min_value=0),
    **fleet_sync.PARAMS,   # store_url, fleet_sync_period_s
    **retrieval_service.RETRIEVAL_SCHEMA,   # karma/retrieve_memory
}


class LtmNode(ManagedNode):
    """The long-term memory node; :meth:`handle_observations` is its whole ingest path.

    Lifecycle: configure opens the store (and validates the parameters), activate starts
    the topics and services, cleanup/shutdown close the store."""

    def __init__(self, **kwargs):
        super().__init__('ltm_node', **kwargs)
        self.access = GraphAccess()   # queries served beside ingest (see concurrency.py)

    def configure(self) -> None:
        self.cfg = cfg = declare_and_validate(self, SCHEMA)
        self.rejections = RejectionCounter(self, cfg['diagnostics_period_s'])
        self.store_dir = expand_store_dir(cfg['store_dir'], self.get_namespace())
        self.io_dirs = [os.path.realpath(os.path.expanduser(
            self.store_dir if d == '$store_dir' else d)) for d in cfg['io_dirs']]
        self.memory_config = MemoryConfig(
            association_distance=cfg['association_distance'], move_threshold=cfg['move_threshold'],
            near_distance=cfg['near_distance'], miss_decay=cfg['miss_decay'],
            prior_detection_rate=cfg['prior_detection_rate'], confirm_frames=cfg['confirm_frames'],
            track_max_age=cfg['track_max_age'],
            stale_below=cfg['stale_below'], merge_distance=cfg['merge_distance'],
            max_objects=cfg['max_objects'],
            limits=Limits(max_label_len=cfg['max_label_length'], max_id_len=cfg['max_id_length'],
                          workspace_limit=cfg['workspace_limit'],
                          max_object_size=cfg['max_object_size'],
                          max_fov_deg=cfg['max_fov_deg'], max_sensor_range=cfg['max_sensor_range'],
                          max_points=cfg['max_points_per_observation']))
        try:
            self.store = fleet_sync.open_store(self, self.store_dir, HistoryConfig(
                cfg['history_retention_s'], cfg['history_max_rows_per_object']))
        except Exception as e:  # noqa: BLE001 - OSError, sqlite3.Error: the reason, said where
            raise RuntimeError(f'cannot open the store in {self.store_dir}: {e}') from e
        self.graph = self.store.load(self.memory_config)
        self.applied_messages = 0
        self.applied_perception = 0   # of applied_messages, those from perception (not consolidation)
        self._evidence: dict[str, int] = {}
        self.applied_observations = 0
        self._published_rev = -1
        self._encoder = SceneGraphEncoder()
        self._query_encoder = SceneGraphEncoder()   # queries run beside publish_graph's thread
        self._update_figures()

        self.graph_pub = self.create_publisher(SceneGraphMsg, 'karma/scene_graph', LATCHED)
        self.marker_pub = self.create_publisher(MarkerArray, 'karma/scene_graph/markers', LATCHED)
        self.associated_pub = self.create_publisher(ObjectObservationArray, 'karma/ltm/associated',
                                                    RELIABLE_EVENTS)
        self.create_subscription(RobotState, 'karma/robot_state', self.access.locked(self.on_robot_state),
                                 LATCHED)
        # A failed skill is evidence (karma_interfaces/SkillResult.failure): not found where
        # believed, hand empty, container closed.
        self.create_subscription(SkillResult, 'karma/skill_results', self.access.locked(self.on_skill_result),
                                 RELIABLE_EVENTS)
        self.create_subscription(ObjectObservationArray, 'karma/perception/objects',
                                 lambda m: self.handle_observations(m, 'perception'), SENSOR_BACKLOG)
        self.create_subscription(ObjectObservationArray, 'karma/ltm/consolidate',
                                 lambda m: self.handle_observations(m, 'short_term'), RELIABLE_EVENTS)
        self._last_map: NavigableMap | None = None
        self.create_subscription(NavigableMap, 'karma/map/navigable', self.access.locked(self.on_map), LATCHED)
        self.create_service(FindObject, 'karma/find_object', self.access.locked(self.on_find),
                            callback_group=self.access.queries)
        self.create_service(QuerySceneGraph, 'karma/query_scene_graph', self.access.locked(self.on_query),
                            callback_group=self.access.queries)
        self.create_service(SaveMemory, 'karma/save_memory', self.on_save)
        self.create_service(LoadMemory, 'karma/load_memory', self.access.locked(self.on_load))
        self.create_service(ResetMemory, 'karma/reset_memory', self.access.locked(self.on_reset))
        memory_services.register(self)
        if cfg['store_url']:
            self.fleet = fleet_sync.FleetSync(self)
        self.retrieval = retrieval_service.register(self)   # karma/retrieve_memory
        self.create_timer(1.0 / cfg['publish_rate_hz'], self.publish_graph)
        self.get_logger().info(f'long-term memory ready: {len(self.graph)} objects from {self.store.path}')

    # ------------------------------------------------------------------ ingest
    def handle_observations(self, msg: ObjectObservationArray, channel: str) -> UpdateReport | None:
        """Validate, convert, apply and commit one message; never raises."""
        try:
            return self._handle(msg, channel)
        except Exception as e:  # a bug must not take the memory down; the store stays consistent
            self.rejections.reject('internal_error', f'{type(e).__name__}: {clean_text(str(e), 200)}')
            return None

    def _handle(self, msg, channel: str) -> UpdateReport | None:
        cfg = self.cfg
        frame = msg.header.frame_id or 'map'
        if frame not in cfg['allowed_frames']:
            self.rejections.reject('unknown_frame', f'frame {clean_text(frame, 64)!r} not in '
                                   f'allowed_frames; message of {len(msg.observations)} dropped')
            return None
        n = len(msg.observations)
        if n > cfg['max_observations_per_message']:
            self.rejections.reject('too_many_observations', f'{n} observations '
                                   f'(max {cfg["max_observations_per_message"]}); message dropped')
            return None
        stamp = to_sec(msg.header.stamp) or self.get_clock().now().nanoseconds * 1e-9
        producer = clean_text(msg.source, 48)
        source = 'short_term' if channel == 'short_term' else f'perception:{producer or "unknown"}'
        observations, index_of = [], []
        for i, o in enumerate(msg.observations):
            try:
                observations.append(observation_from_msg(o, stamp, cfg['max_points_per_observation']))
                index_of.append(i)
            except ConversionError as e:
                self.rejections.reject(e.reason, f'observation {i}: {e.detail}')
        observer = None
        if channel != 'short_term':   # consolidated entries are not a camera frame
            try:
                observer = observer_from_msg(msg)
            except ConversionError as e:
                self.rejections.reject(e.reason, f'observer: {e.detail}')
            if observer is not None and not math.isfinite(stamp):
                observer = None
        with self.access.lock:   # and the commit: a query never answers what is not stored yet
            report = self.graph.apply(observations, observer, source=source, stamp=stamp)
            self.store.commit(self.graph)
        for idx, reason, detail in report.rejected + report.refused:
            where = f'observation {index_of[idx]}' if idx >= 0 else 'observer'
            self.rejections.reject(reason, f'{where}: {detail}')
        for nid in report.conflicts:   # the operator's version stands; say so, never silently
            self.rejections.reject('operator_conflict', f'{source} saw {nid} unlike the operator placed it')
        self.applied_messages += 1
        self.applied_perception += channel != 'short_term'
        self.applied_observations += len(report.applied)
        self._update_figures()
        if channel != 'short_term':
            self._publish_associated(msg, report, index_of)
        return report

    def _publish_associated(self, msg, report: UpdateReport, index_of: list[int]) -> None:
        """Republish the applied id-less observations under their memory ids (for the STM)."""
        out = []
        for idx, nid in sorted(report.ids.items()):
            o = msg.observations[index_of[idx]]
            if not o.instance_id:
                o.instance_id = nid
                o.label = self.graph.get(nid).type if nid in self.graph else o.label
                out.append(o)
        if out:
            m = ObjectObservationArray(header=msg.header, observations=out, source=msg.source)
            self.associated_pub.publish(m)

    def on_robot_state(self, msg: RobotState) -> None:
        """The robot's own hand: trusted over what detections suggest."""
        try:
            p = msg.base_pose.position
            changed = self.graph.set_robot_state(
                msg.hand_state, clean_text(msg.held_object_id, self.cfg['max_id_length']),
                clean_text(msg.held_object_type, self.cfg['max_label_length']), (p.x, p.y, p.z),
                to_sec(msg.header.stamp) or None)
            if changed:
                self.store.commit(self.graph, cause='robot_state')
        except Exception as e:
            self.rejections.reject('bad_robot_state', f'{type(e).__name__}: {clean_text(str(e), 200)}')

    def on_skill_result(self, msg: SkillResult) -> None:
        if msg.success:
            if msg.skill == 'put' and msg.args:   # the robot's own put: where the object is now
                try:
                    if self.graph.note_put(clean_text(msg.args[0], self.cfg['max_id_length']),
                                           to_sec(msg.header.stamp) or None):
                        self.store.commit(self.graph, cause='skill_result')
                except Exception as e:
                    self.rejections.reject('bad_skill_result', f'{type(e).__name__}: {clean_text(str(e), 200)}')
            return
        try:
            kind = failure_name(msg.failure)
            target = clean_text(msg.args[0], self.cfg['max_id_length']) if msg.args else ''
            changed = self.graph.note_skill_failure(kind, target, to_sec(msg.header.stamp) or None,
                                                    clean_text(msg.blocking_id, self.cfg['max_id_length']))
            if changed:
                self._evidence[kind] = self._evidence.get(kind, 0) + 1
                self.rejections.set_value(f'evidence.{kind}', self._evidence[kind])
                self.store.commit(self.graph, cause='skill_result')
        except Exception as e:
            self.rejections.reject('bad_skill_result', f'{type(e).__name__}: {clean_text(str(e), 200)}')

    def _update_figures(self) -> None:
        self.rejections.set_value('applied.messages', self.applied_messages)
        self.rejections.set_value('applied.perception_messages', self.applied_perception)
        self.rejections.set_value('applied.observations', self.applied_observations)
        self.rejections.set_value('objects', len(self.graph))

    # ------------------------------------------------------------------ publishing
    def publish_graph(self, force: bool = False) -> None:
        if self.graph.revision == self._published_rev and not force:
            return
        try:
            header = Header(frame_id='map', stamp=self.get_clock().now().to_msg())
            self.graph_pub.publish(self._encoder.encode(self.graph.nx, header=header))
            if self.cfg['publish_markers']:
                self.marker_pub.publish(markers_msg(self.graph.nx, header, self.cfg['max_markers']))
            self._published_rev = self.graph.revision
        except Exception as e:
            self.rejections.reject('internal_error', f'publish failed: {type(e).__name__}: {e}')

    # ------------------------------------------------------------------ services
    def on_find(self, req, resp):
        try:
            k = req.max_results or self.cfg['find_default_results']
            k = min(k, self.cfg['find_max_results'])
            # the one memory query path (karma_planning.memory_query), retrieval without the embedding
            found = self.retrieval.query.find(self.graph, clean_text(req.query, 256), k)
            resp.objects = [memory_object_msg(i) for i in found]
        except Exception as e:
            self.rejections.reject('internal_error', f'find failed: {type(e).__name__}: {e}')
        return resp

    def on_query(self, req, resp):
        self._scene_queries = getattr(self, '_scene_queries', 0) + 1   # the planner must not need it
        self.rejections.set_value('query_scene_graph.calls', self._scene_queries)
        try:
            hops = min(req.hops, self.cfg['max_query_hops'])
            if req.node_ids:
                ids = [clean_text(i, self.cfg['max_id_length']) for i in req.node_ids[:1000]]
                known = [i for i in ids if i in self.graph]
                if not known:
                    resp.success, resp.message = False, 'none of node_ids is in memory'
                    return resp
                nodes = self.graph.neighbourhood(known, hops)
            elif req.room:
                room = clean_text(req.room, 128)
                rid = room if room.startswith(REGION_PREFIX) else REGION_PREFIX + room
                if rid not in self.graph.regions():
                    resp.success, resp.message = False, f'no region {room!r}'
                    return resp
                nodes = {rid} | {o.id for o in self.graph.objects_in(rid)}
            else:
                nodes = None
            resp.graph = self._query_encoder.encode(self.graph.nx, nodes,
                                              Header(frame_id='map', stamp=self.get_clock().now().to_msg()))
            if req.with_text:
                resp.text = self.graph.render_text(nodes)
            resp.success, resp.message = True, f'{len(resp.graph.nodes)} nodes'
        except Exception as e:
            resp.success, resp.message = False, f'query failed: {type(e).__name__}'
            self.rejections.reject('internal_error', f'query failed: {type(e).__name__}: {e}')
        return resp

    def _io_path(self, path: str, default: str) -> str:
        """Resolve a client-given path; it must stay inside one of ``io_dirs``."""
        path = path or default
        if any(ord(c) < 32 for c in path) or len(path) > 4096:
            raise ValueError('path holds control characters or is too long')
        full = os.path.realpath(os.path.join(self.store_dir, os.path.expanduser(path)))
        # A file strictly inside a folder: "." names the folder itself, whose parent would
        # receive the temporary file.
        if not any(full.startswith(d + os.sep) for d in self.io_dirs):
            raise ValueError(f'path {full!r} is not a file inside io_dirs')
        if os.path.isdir(full):
            raise ValueError(f'path {full!r} is a directory')
        return full

    def on_save(self, req, resp):
        try:
            path = self._io_path(req.path, 'export.json')
            os.makedirs(os.path.dirname(path), exist_ok=True)
            # spark_dsg picks its encoding by extension: the temporary file keeps it.
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix='.tmp.json')
            try:
                if path.endswith(SPARK_SUFFIX):
                    os.close(fd)
                    save_spark(self.graph, tmp)
                else:
                    with os.fdopen(fd, 'w') as f:
                        json.dump(self.graph.to_node_link(), f, separators=(',', ':'), allow_nan=False)
                os.replace(tmp, path)   # readers never see a half-written export
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)      # a failed save leaves no temporary file behind
                raise
            resp.success, resp.path = True, path
            resp.message = f'saved {len(self.graph)} objects'
        except Exception as e:
            resp.success, resp.message = False, f'save failed: {clean_text(str(e), 300)}'
            self.rejections.reject('save_failed', resp.message)
        return resp

    def on_load(self, req, resp):
        try:
            path = self._io_path(req.path, 'export.json')
            if os.path.getsize(path) > self.cfg['max_import_bytes']:
                raise ValueError(f'file larger than max_import_bytes ({self.cfg["max_import_bytes"]})')
            if path.endswith(SPARK_SUFFIX):
                data = node_link_from_dsg(load_dsg(path))
            else:
                with open(path) as f:
                    data = json.load(f)
            n = self.store.import_document(self.graph, data, req.replace)   # all or nothing
            self._update_figures()
            resp.success, resp.objects_loaded = True, n
            resp.message = f'loaded {n} objects ({"replaced" if req.replace else "merged"})'
        except Exception as e:
            resp.success, resp.message = False, f'load failed: {clean_text(str(e), 300)}'
            self.rejections.reject('load_failed', resp.message)
            self._update_figures()   # a failed write may have put the graph back from the store
        return resp

    # ------------------------------------------------------------------ regions
    def on_map(self, msg: NavigableMap) -> None:
        """Regions from the map: one per annotated room, else k-means of the reachable area."""
        self._last_map = msg
        try:
            for rid in list(self.graph.regions()):
                if self.graph.node(rid).get('source') != OPERATOR:   # hand-made regions stay
                    self.graph.remove_region(rid)
            place = clean_text(msg.place_type, 64) or 'house'
            if msg.room_names and len(msg.room_names) == len(msg.room_outlines):
                for name, outline in zip(msg.room_names, msg.room_outlines):
                    # Floor plane is x/y (REP-103, z up), as everywhere in the stack.
                    self.graph.add_region(clean_text(name, 64), [(p.x, p.y) for p in outline.points],
                                          room_type=place)
            elif msg.reachable:
                pts = [(p.x, p.y, p.z) for p in msg.reachable]
                if not all(map(math.isfinite, (c for p in pts for c in p))):
                    raise ValueError('non-finite reachable point')
                self.graph.set_regions_from_reachable(pts, room_type=place)
            self.store.commit(self.graph, cause='map', stamp=to_sec(msg.header.stamp) or None)
            self._update_figures()
            self.get_logger().info(f'regions from the map: {", ".join(self.graph.regions())}')
        except Exception as e:  # a bad map must not take the node down
            self.rejections.reject('bad_map', clean_text(str(e), 300))

    def on_reset(self, req, resp):
        try:
            self.graph.clear()
            if self._last_map is not None:
                self.on_map(self._last_map)   # forgetting objects does not forget the floor plan
            self.store.save_all(self.graph, cause='reset')
            self._update_figures()
            resp.success, resp.message = True, 'memory cleared'
        except Exception as e:
            resp.success, resp.message = False, f'reset failed: {clean_text(str(e), 300)}'
        return resp

    def release(self) -> None:
        store = self.__dict__.pop('store', None)   # absent when configure failed on a parameter
        if store is not None:
            store.close()


def main(argv=None) -> int:
    return run_node(LtmNode, 'ltm_node', argv, threads=EXECUTOR_THREADS)


if __name__ == '__main__':
    raise SystemExit(main())
