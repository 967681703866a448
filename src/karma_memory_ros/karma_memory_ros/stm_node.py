"""Short-term memory node: recent object-state changes behind ROS topics and services.

Subscribes
  ``/karma/perception/objects`` (ObjectObservationArray, sensor-data QoS): state changes
  found by comparing with what the STM holds or last saw, for observations with an id;
  ``/karma/ltm/associated`` (ObjectObservationArray, reliable): the id-less ones (a robot's
  detections), under the long-term memory's object ids once it associated them;
  ``karma/robot_state`` (RobotState): what the gripper holds, as the robot says;
  ``/karma/skill_results`` (SkillResult, reliable): states the skills report, and the hand;
  ``/karma/memory_usage`` (MemoryUsage, reliable): access counts, hits and misses.
Publishes
  ``/karma/ltm/consolidate`` (ObjectObservationArray, reliable, source "short_term"): evicted
  entries and entries stable for ``stable_after_s``, so the long-term memory keeps them;
  ``/karma/diagnostics`` (rejections, entries, hits, misses, evictions, hit rate).
Serves
  ``/karma/stm/query`` (QueryShortTerm) and ``/karma/stm/reset`` (ResetMemory).

Run::

    ./karma exec python -m karma_memory_ros.stm_node --ros-args --params-file config/stm.yaml
"""
from __future__ import annotations

import math

import rclpy
from geometry_msgs.msg import Point, Pose, Quaternion
from karma_interfaces.msg import (KeyValue, MemoryUsage, ObjectObservation, ObjectObservationArray,
                                  RobotState, ShortTermEntry, SkillResult)
from karma_interfaces.srv import QueryShortTerm, ResetMemory

from karma_domain.text import LabelError, validate_id
from karma_domain.text import clean_text as _clean
from karma_memory_ros.conversions import to_sec as _sec, to_time as _time
from karma_memory.short_term import (POLICIES, ShortTermMemory, StmEntry, StmStore, states_to_thor,
                                     typed_states)
from karma_ros_common.diagnostics import RejectionCounter
from karma_ros_common.lifecycle import ManagedNode
from karma_ros_common.namespaces import expand_store_dir
from karma_ros_common.node_main import run_node
from karma_ros_common.params import Param, declare_and_validate
from karma_ros_common.qos import RELIABLE_EVENTS, SENSOR_BACKLOG

SCHEMA = {
    'capacity': Param(32, 'Entries the short-term memory holds', min_value=1, max_value=100000),
    'policy': Param('karma', 'Replacement policy', choices=tuple(POLICIES)),
    'karma_half_life': Param(8.0, 'karma policy: age (ticks) that halves an entry score', min_value=0.001),
    'mem4nav_lambda': Param(0.5, 'mem4nav policy: weight of frequency vs recency', min_value=0.0, max_value=1.0),
    'stable_after_s': Param(30.0, 'Consolidate an entry unchanged this long (s); 0 disables', min_value=0.0),
    'consolidate_period_s': Param(1.0, 'How often stable entries are checked (s)', min_value=0.05),
    'move_threshold_m': Param(0.05, 'A move larger than this is a change (m)', min_value=0.0),
    'baseline_capacity': Param(4096, 'Objects whose last seen state is remembered for comparison', min_value=1),
    'record_first_sighting': Param(False, 'Record the first sighting of an object as a change'),
    'max_observations_per_message': Param(1000, 'Larger perception messages are dropped', min_value=1),
    'max_id_length': Param(256, 'Longer ids are rejected', min_value=8),
    'max_ids_per_message': Param(256, 'Ids a skill result or memory-usage message may carry; '
                                 'the rest are dropped and counted', min_value=1, max_value=100000),
    'store_dir': Param('', "Directory of the SQLite store (short_term.sqlite3, WAL); '' keeps the "
                       'memory in RAM only; $namespace = the node\'s namespace. `./karma up` uses the '
                       'long-term memory\'s directory'),
}


class StmNode(ManagedNode):
    """Short-term memory; configure opens its store, activate starts topics and services."""

    def __init__(self, **kwargs):
        super().__init__('stm_node', **kwargs)

    def configure(self) -> None:
        self.cfg = cfg = declare_and_validate(self, SCHEMA)
        self.rejections = RejectionCounter(self)
        self.step = 0
        self.stm = ShortTermMemory(cfg['capacity'], cfg['policy'], self._consolidate,
                                   cfg['stable_after_s'] or math.inf, self._now,
                                   cfg['baseline_capacity'], cfg['move_threshold_m'],
                                   cfg['record_first_sighting'], cfg['karma_half_life'], cfg['mem4nav_lambda'])
        self.positions: dict[str, tuple] = {}
        self.store = None
        if cfg['store_dir']:
            # Every input is saved before its callback returns: kill -9 loses nothing applied.
            self.store = StmStore(expand_store_dir(cfg['store_dir'], self.get_namespace()))
            restored = self.store.load(self.stm)
            step = self.store.meta('step', 0)
            self.step = step if isinstance(step, int) and step >= 0 else 0
            self.get_logger().info(f'restored {restored} entries from {self.store.path}')
        self._ignore_before = 0.0     # perception stamped before it is dropped (ResetMemory)
        self.consolidate_pub = self.create_publisher(ObjectObservationArray, 'karma/ltm/consolidate', RELIABLE_EVENTS)
        self.create_subscription(ObjectObservationArray, 'karma/perception/objects', self.on_objects, SENSOR_BACKLOG)
        self.create_subscription(ObjectObservationArray, 'karma/ltm/associated', self.on_objects, RELIABLE_EVENTS)
        self.create_subscription(RobotState, 'karma/robot_state', self.on_robot_state, RELIABLE_EVENTS)
        self.create_subscription(SkillResult, 'karma/skill_results', self.on_skill, RELIABLE_EVENTS)
        self.create_subscription(MemoryUsage, 'karma/memory_usage', self.on_usage, RELIABLE_EVENTS)
        self.create_service(QueryShortTerm, 'karma/stm/query', self.on_query)
        self.create_service(ResetMemory, 'karma/stm/reset', self.on_reset)
        if cfg['stable_after_s'] > 0:
            self.create_timer(cfg['consolidate_period_s'], self._guard(self._consolidate_stable))
        self._figures()
        self.get_logger().info(f'short-term memory ready: capacity {cfg["capacity"]}, policy {cfg["policy"]}')

    def _now(self) -> float:
        return self.get_clock().now().nanoseconds * 1e-9

    def _guard(self, fn):
        def run(*a):
            try:
                return fn(*a)
            except Exception as e:  # noqa: BLE001 - bad input must not take the node down
                self.rejections.reject('internal_error', f'{type(e).__name__}: {_clean(e, 200)}')
        return run

    def _consolidate_stable(self) -> None:
        if self.stm.consolidate_stable():
            self._persist()

    def _persist(self) -> None:
        if self.store is None:
            return
        try:
            self.store.save(self.stm, {'step': self.step})
        except Exception as e:  # noqa: BLE001 - the changes stay queued for the next save
            self.rejections.reject('store_failed', f'{type(e).__name__}: {_clean(e, 200)}')

    def _figures(self) -> None:
        self._persist()
        s = self.stm.stats
        for k, v in (('entries', len(self.stm)), ('policy', s.policy), ('hits', s.hits), ('misses', s.misses),
                     ('evictions', s.evictions), ('hit_rate', f'{s.hit_rate:.3f}')):
            self.rejections.set_value(k, v)

    def _id_ok(self, oid: str, what: str) -> bool:
        # The long-term memory's id grammar: an id that reads like a sentence is not an id.
        try:
            validate_id(oid, self.cfg['max_id_length'])
        except LabelError as e:
            self.rejections.reject('bad_id', f'{what}: {e.detail}')
            return False
        return True

    def _bounded(self, ids, what: str) -> list:
        cap = self.cfg['max_ids_per_message']
        if len(ids) > cap:
            self.rejections.reject('too_many_ids', f'{what}: {len(ids)} ids, the first {cap} kept')
        return list(ids[:cap])

    # -- inputs ------------------------------------------------------------------------
    def on_objects(self, msg: ObjectObservationArray) -> None:
        self._guard(self._objects)(msg)

    def _objects(self, msg) -> None:
        if len(msg.observations) > self.cfg['max_observations_per_message']:
            self.rejections.reject('too_many_observations', f'{len(msg.observations)} observations; message dropped')
            return
        stamp = _sec(msg.header.stamp) or self._now()
        if 0.0 < _sec(msg.header.stamp) < self._ignore_before:
            return     # from before the last reset (ResetMemory.ignore_before)
        for i, o in enumerate(msg.observations):
            oid = o.instance_id or ''
            if not oid:
                continue   # comes back on /karma/ltm/associated under the LTM's id
            if not self._id_ok(oid, f'observation {i}'):
                continue
            states, bad = typed_states({kv.key: kv.value for kv in o.states[:64]})
            if bad:
                self.rejections.reject('bad_state', f'observation {i}: untyped values of {bad[:8]}')
            p = o.pose.position
            pos = None if o.pose_unknown else (p.x, p.y, p.z)
            if pos is None:
                self.stm.observe(oid, _clean(o.label, 64), states, None,
                                 _clean(o.parent_id, 256) or None, self.step, stamp)
                continue
            if not all(math.isfinite(v) for v in pos):
                self.rejections.reject('nan_pose', f'observation {i} has a non-finite position')
                continue
            self.positions[oid] = pos
            self.stm.observe(oid, _clean(o.label, 64), states, pos,
                             _clean(o.parent_id, 256) or None, self.step, stamp)
        self._figures()

    def on_skill(self, msg: SkillResult) -> None:
        self._guard(self._skill)(msg)

    def _skill(self, msg: SkillResult) -> None:
        self.step += 1
        given = self._bounded(msg.object_ids, f'skill {_clean(msg.skill, 32)}')
        states = list(msg.object_states[:len(given)]) + [''] * (len(given) - len(msg.object_states))
        keep = [(i, s) for i, s in zip(given, states) if self._id_ok(i, f'skill {_clean(msg.skill, 32)}')]
        ids, states = [i for i, _ in keep], [s for _, s in keep]
        held = msg.held_object_id if (not msg.held_object_id or self._id_ok(msg.held_object_id, 'held')) else ''
        if not msg.success and not ids:
            return
        entries = self.stm.apply_skill_result(ids, states, held, step=self.step,
                                              stamp=_sec(msg.header.stamp) or self._now())
        if msg.success and msg.skill == 'put' and msg.args:
            for e in entries:
                if e.object_id not in msg.args and e.states.get('held') is False:
                    e.receptacle_id = msg.args[0]
        self._figures()

    def on_robot_state(self, msg: RobotState) -> None:
        self._guard(self._robot_state)(msg)

    def _robot_state(self, msg: RobotState) -> None:
        """The robot's hand is the truth about 'held' (unknown: the STM keeps its belief)."""
        if msg.hand_state == RobotState.HAND_UNKNOWN:
            return
        held = msg.held_object_id if msg.hand_state == RobotState.HAND_HOLDING else ''
        if held and not self._id_ok(held, 'robot_state'):
            return
        self.stm.set_held(held, _clean(msg.held_object_type, 64), step=self.step,
                          stamp=_sec(msg.header.stamp) or self._now())
        self._figures()

    def on_usage(self, msg: MemoryUsage) -> None:
        def usage(m):
            # Unknown but well-formed ids are misses; malformed ones and any beyond the cap are
            # rejected, so a flood of junk ids cannot drown the hit rate.
            retrieved = self._bounded(m.retrieved_ids, 'memory_usage retrieved')
            referenced = [i for i in self._bounded(m.referenced_ids, 'memory_usage referenced')
                          if self._id_ok(i, 'memory_usage')]
            self.stm.count_usage(retrieved, referenced)
        self._guard(usage)(msg)
        self._figures()

    # -- consolidation -----------------------------------------------------------------
    def _consolidate(self, e: StmEntry, reason: str) -> None:
        # What the STM does not know (size always; position often) is sent as unknown, so the
        # long-term memory keeps its own value instead of taking zeros.
        pos = e.position or self.positions.get(e.object_id)
        o = ObjectObservation(instance_id=e.object_id, label=e.object_type, confidence=1.0,
                              pose=Pose(position=Point(x=pos[0], y=pos[1], z=pos[2]) if pos else Point(),
                                        orientation=Quaternion(w=1.0)),
                              pose_unknown=pos is None, size_unknown=True,
                              states=[KeyValue(key=k, value=v) for k, v in states_to_thor(e.states).items()],
                              parent_id=e.receptacle_id)
        msg = ObjectObservationArray(observations=[o], source='short_term')
        msg.header.frame_id = 'map'
        msg.header.stamp = _time(e.stamp)
        self.consolidate_pub.publish(msg)

    # -- services ----------------------------------------------------------------------
    def on_query(self, req, resp):
        try:
            entries = self.stm.query(_clean(req.query, 256), int(req.max_results))
            resp.entries = [self.entry_msg(e) for e in entries]
            s = self.stm.stats
            resp.policy, resp.hits, resp.misses, resp.evictions = s.policy, s.hits, s.misses, s.evictions
            resp.hit_rate = float(s.hit_rate)
        except Exception as e:  # noqa: BLE001
            self.rejections.reject('internal_error', f'query failed: {type(e).__name__}: {_clean(e, 200)}')
        return resp

    def on_reset(self, req, resp):
        self._ignore_before = _sec(req.ignore_before)
        self.stm.reset()
        self.positions.clear()
        self.step = 0
        self._figures()
        resp.success, resp.message = True, 'short-term memory cleared'
        return resp

    @staticmethod
    def entry_msg(e: StmEntry) -> ShortTermEntry:
        m = ShortTermEntry(object_id=e.object_id, object_type=e.object_type, receptacle_id=e.receptacle_id,
                           step=max(0, e.step), source=e.source, access_count=e.access_count, hit_count=e.hit_count)
        m.states = [KeyValue(key=k, value=v) for k, v in states_to_thor(e.states).items()]
        if e.position is not None:
            m.position = Point(x=e.position[0], y=e.position[1], z=e.position[2])
        m.stamp = _time(e.stamp)
        return m


    def release(self) -> None:
        store, self.store = getattr(self, 'store', None), None
        if store is not None:
            store.close()


def main(argv=None) -> int:
    return run_node(StmNode, 'stm_node', argv, threads=0)


if __name__ == '__main__':
    raise SystemExit(main())
