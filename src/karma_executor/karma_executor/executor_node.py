"""ROS shell of the task executor: serves ExecuteTask on /karma/execute_task.

Plans through /karma/plan, executes each step through the /karma/execute_skill action,
publishes every skill's outcome on /karma/skill_results (the memories listen: a failure is
evidence), and replans as karma_executor.loop decides. Feedback after every step.

The hand is what the skill server reports after each skill (karma_interfaces/RobotState's
codes in the ExecuteSkill result); the executor passes it to every plan call. After a
successful ``navigate_to`` of a remembered object it verifies, from the perception frames of
the approach, that the object is really there (karma_executor.verify) before acting on it.
"""
from __future__ import annotations

import collections
import math
import threading
import time

import rclpy
from rclpy.action import ActionClient, CancelResponse, GoalResponse
from rclpy.callback_groups import ReentrantCallbackGroup

from karma_interfaces.action import ExecuteSkill, ExecuteTask
from karma_interfaces.msg import ObjectObservationArray, PlanStep, RobotState, SkillResult
from karma_interfaces.srv import FindObject, Plan
from karma_ros_common.lifecycle import ManagedNode
from karma_ros_common.node_main import run_node
from karma_ros_common.params import Param, declare_and_validate
from karma_domain.skills import FAILURE_CODE, HAND_STATES, effect_text, failure_name
from karma_ros_common.qos import RELIABLE_EVENTS, SENSOR_DATA
from karma_executor.loop import PlanReply, SkillReply, Step, StepRecord, TaskLoop
from karma_executor.limits import task_limits
from karma_executor.verify import verdict
from karma_memory_ros.conversions import observer_from_msg

#: How often a blocking call checks that its server is still in the ROS graph, s.
LIVENESS_PERIOD_S = 0.5
MAX_INSTRUCTION = 2000   # characters of an instruction passed on to the planner
MAX_GOALS = 64

SCHEMA = {
    'max_replans': Param(3, 'Replans allowed after failed steps (exploring does not count)',
                         min_value=0, max_value=50, dynamic=True),
    'max_steps': Param(40, 'Skills executed per task at most', min_value=1, max_value=500,
                       dynamic=True),
    'plan_timeout_s': Param(240.0, 'Longest wait for one /karma/plan call; a planner that leaves '
                            'the ROS graph fails the call at once ("planner unavailable")',
                            min_value=0.1),
    'skill_timeout_s': Param(120.0, 'Longest wait for one skill', min_value=0.1),
    'plan_service': Param('karma/plan', 'Planning service'),
    'skill_action': Param('karma/execute_skill', 'Skill execution action'),
    'verify_on_arrival': Param(True, 'After navigate_to(X), check the approach frames show X where '
                               'memory has it; if not, report the step as not_found'),
    'verify_radius_m': Param(1.0, 'Verify: a detection of the type this close to the belief counts',
                             min_value=0.05, max_value=10.0, dynamic=True),
    'verify_min_views': Param(3, 'Verify: frames with the believed place in view and no detection '
                              'before the belief counts as a ghost', min_value=1, max_value=50,
                              dynamic=True),
    'find_service': Param('karma/find_object', 'Long-term memory look-up used by the verify step'),
}

HOLD_SKILLS = {'pickup'}
RELEASE_SKILLS = {'put', 'drop'}


class ExecutorNode(ManagedNode):
    """Task executor; activate serves karma/execute_task. A task that fails ends ABORTED,
    one canceled by its client CANCELED, both with the reason in ``result.message``."""

    def __init__(self, **kwargs):
        super().__init__('executor_node', **kwargs)

    def configure(self) -> None:
        self.cfg = declare_and_validate(self, SCHEMA)
        group = ReentrantCallbackGroup()
        self.plan_client = self.create_client(Plan, self.cfg['plan_service'], callback_group=group)
        self.skill_client = ActionClient(self, ExecuteSkill, self.cfg['skill_action'],
                                         callback_group=group)
        self.results_pub = self.create_publisher(SkillResult, 'karma/skill_results', RELIABLE_EVENTS)
        self.find_client = self.create_client(FindObject, self.cfg['find_service'], callback_group=group)
        # Perception frames as (detections) for the verify step; bounded.
        self._frames: collections.deque = collections.deque(maxlen=200)
        self._frames_seen = 0
        self._frames_lock = threading.Lock()
        if self.cfg['verify_on_arrival']:
            self.create_subscription(ObjectObservationArray, 'karma/perception/objects',
                                     self.on_frame, SENSOR_DATA, callback_group=group)
        self._busy = threading.Lock()
        self._held = ''
        self._hand = RobotState()   # hand_state HAND_UNKNOWN until a skill server reports
        self._last_result: SkillResult | None = None   # the last step's outcome (for replans)
        self._explored: set[str] = set()                 # what this task explored (for replans)
        self.server = self.create_action_server(ExecuteTask, 'karma/execute_task', self.execute_task,
                                   goal_callback=self.on_goal,
                                   cancel_callback=lambda _req: CancelResponse.ACCEPT,
                                   callback_group=group)
        self.get_logger().info(
            f"executor ready on {self.resolve_topic_name('karma/execute_task', only_expand=True)}")

    def on_goal(self, goal: ExecuteTask.Goal) -> GoalResponse:
        if not goal.instruction.strip():
            self.get_logger().warning('rejected task: empty instruction')
            return GoalResponse.REJECT
        if self._busy.locked():
            self.get_logger().warning('rejected task: another task is running')
            return GoalResponse.REJECT
        return GoalResponse.ACCEPT

    # -- calls into the rest of the stack (blocking; we run in a multi-threaded executor) --
    def _wait(self, future, timeout_s: float, alive=None):
        """The future's result, or None after ``timeout_s`` or once ``alive()`` turns false
        (the server vanished from the graph: a killed node's call never returns)."""
        done = threading.Event()
        future.add_done_callback(lambda _f: done.set())
        deadline = time.monotonic() + timeout_s
        while not done.wait(min(LIVENESS_PERIOD_S, max(0.0, deadline - time.monotonic()))):
            if time.monotonic() >= deadline or (alive is not None and not alive()):
                future.cancel()
                return None
        return future.result()

    def on_frame(self, msg: ObjectObservationArray) -> None:
        dets = []
        for o in msg.observations[:2000]:
            p = o.pose.position
            dets.append((o.label[:64], (p.x, p.y, p.z)))
        try:
            cam = observer_from_msg(msg)
            view = None if cam is None else (tuple(cam.position), tuple(cam.forward()),
                                             math.radians(min(cam.fov_deg, 179.0)) / 2, cam.max_range)
        except Exception:  # noqa: BLE001 - a frame that cannot say where it looked decides nothing
            view = None
        with self._frames_lock:
            self._frames.append((dets, view))
            self._frames_seen += 1

    def plan(self, instruction: str, goals, feedback: str) -> PlanReply:
        service = self.cfg['plan_service']
        if not self.plan_client.wait_for_service(timeout_sec=10.0):
            return PlanReply(False, [], message=f'planner unavailable: {service} is not served')
        req = Plan.Request(instruction=instruction, goals=list(goals), feedback=feedback[:1000],
                           robot_state=self._hand)
        if self._last_result is not None and not self._last_result.success:
            req.failed_step = self._last_result
        req.explored = sorted(self._explored)
        resp = self._wait(self.plan_client.call_async(req), self.cfg['plan_timeout_s'],
                          alive=self.plan_client.service_is_ready)
        if resp is None:
            why = ('stopped being served during the call' if not self.plan_client.service_is_ready()
                   else f'no answer in {self.cfg["plan_timeout_s"]:g} s')
            return PlanReply(False, [], message=f'planner unavailable: {service} {why}')
        return PlanReply(resp.success, [Step(s.skill, tuple(s.args)) for s in resp.steps],
                         resp.message, list(resp.memory_ids), resp.prompt_tokens,
                         resp.completion_tokens)

    def execute_skill(self, step: Step) -> SkillReply:
        blocking = ''
        with self._frames_lock:
            first_frame = self._frames_seen
        if not self.skill_client.wait_for_server(timeout_sec=10.0):
            reply = SkillReply(False, f'{self.cfg["skill_action"]} is not available', failure='other')
        else:
            goal = ExecuteSkill.Goal(skill=step.skill, args=list(step.args))
            handle = self._wait(self.skill_client.send_goal_async(goal), 10.0)
            if handle is None or not handle.accepted:
                reply = SkillReply(False, 'skill goal was rejected', failure='invalid_call')
            else:
                res = self._wait(handle.get_result_async(), self.cfg['skill_timeout_s'],
                                 alive=lambda: self.skill_client.server_is_ready()
                                 and not self._task_canceled())
                if res is None and self._task_canceled():
                    # The task was canceled: pass it on to the running skill, which ends it
                    # (the robot is not left mid-action), then the task stops.
                    self._wait(handle.cancel_goal_async(), 10.0)
                    res = self._wait(handle.get_result_async(), self.cfg['skill_timeout_s'],
                                     alive=self.skill_client.server_is_ready)
                if res is None:
                    reply = SkillReply(False, 'skill timed out' if self.skill_client.server_is_ready()
                                       else 'skill server unavailable: it left the ROS graph '
                                            'during the skill', failure='other')
                else:
                    r = res.result
                    self._track_hand(step, r)
                    blocking = r.blocking_id
                    reply = SkillReply(r.success, r.message, r.simulator_steps,
                                       failure_name(r.failure) if not r.success else 'none')
        if reply.success and step.skill == 'navigate_to' and self.cfg['verify_on_arrival']:
            reply = self._verify(step, reply, first_frame)
        reply.hand = (HAND_STATES[self._hand.hand_state] if self._hand.hand_state < len(HAND_STATES)
                      else 'unknown', self._hand.held_object_id)
        self._publish_result(step, reply, blocking)
        return reply

    def _track_hand(self, step: Step, r) -> None:
        """The skill server's hand report; a server that cannot tell (HAND_UNKNOWN) leaves
        the executor's own bookkeeping of pickups and puts."""
        if r.hand_state != RobotState.HAND_UNKNOWN:
            self._hand = RobotState(hand_state=r.hand_state, held_object_id=r.held_object_id,
                                    held_object_type=r.held_object_type)
            self._held = r.held_object_id
            return
        if r.success and step.skill in HOLD_SKILLS and step.args:
            self._held = step.args[0]
        elif r.success and step.skill in RELEASE_SKILLS:
            self._held = ''

    def _verify(self, step: Step, reply: SkillReply, first_frame: int) -> SkillReply:
        """navigate_to(X) arrived: did the frames of the approach show X where memory has it?"""
        target = step.args[0] if step.args else ''
        if not target or target == self._hand.held_object_id:
            return reply
        belief = self._find(target)
        if belief is None or belief.id != target or belief.held:
            return reply   # not a remembered object (a region, or a mode without memory)
        if belief.receptacle_id:
            holder = self._find(belief.receptacle_id)
            states = {kv.key: kv.value for kv in holder.states} if holder is not None else {}
            if states.get('isOpen') == 'false':
                return reply   # inside a closed container: no camera sees it from outside
        with self._frames_lock:
            n_new = self._frames_seen - first_frame
            frames = list(self._frames)[-min(len(self._frames), n_new + 3):]
        p, s = belief.position, belief.size
        radius = max(self.cfg['verify_radius_m'], 0.5 * max(s.x, s.y, s.z))
        if verdict(belief.type, (p.x, p.y, p.z), frames, radius,
                   self.cfg['verify_min_views']) != 'absent':
            return reply
        return SkillReply(False, f'arrived where memory places {target} ({belief.type}) but the '
                          f'camera does not show it there', reply.simulator_steps, 'not_found')

    def _find(self, object_id: str):
        if not self.find_client.wait_for_service(timeout_sec=2.0):
            return None
        resp = self._wait(self.find_client.call_async(FindObject.Request(query=object_id,
                                                                         max_results=1)), 5.0)
        return resp.objects[0] if resp is not None and resp.objects else None

    def _publish_result(self, step: Step, reply: SkillReply, blocking: str = '') -> None:
        msg = SkillResult(skill=step.skill, args=list(step.args), success=reply.success,
                          message=reply.message[:1000], object_ids=list(step.args),
                          held_object_id=self._held, failure=FAILURE_CODE.get(reply.kind, 1),
                          blocking_id=blocking[:256])
        if reply.success and step.args and effect_text(step.skill):
            msg.object_states = [effect_text(step.skill)]   # what the skill made true of its arg
        msg.header.stamp = self.get_clock().now().to_msg()
        self._last_result = msg
        if step.skill == 'explore' and step.args:
            self._explored.add(step.args[0][:128])
        self.results_pub.publish(msg)

    # -- the action ----------------------------------------------------------------------
    def _task_canceled(self) -> bool:
        handle = getattr(self, '_task_handle', None)
        return handle is not None and handle.is_cancel_requested

    def execute_task(self, goal_handle):
        goal = goal_handle.request
        with self._busy:
            self._task_handle = goal_handle
            # Between tasks the world may have been reset (a new episode): the first plan of a
            # task takes the hand from the latest karma/robot_state (the planner listens),
            # later ones from what this task's skills reported.
            self._hand, self._held, self._last_result = RobotState(), '', None
            self._explored: set[str] = set()
            def on_step(record: StepRecord):
                fb = ExecuteTask.Feedback(step_index=record.index,
                                          step=PlanStep(skill=record.step.skill,
                                                        args=list(record.step.args)),
                                          success=record.success, message=record.message,
                                          memory_ids=record.memory_ids)
                goal_handle.publish_feedback(fb)
                self.get_logger().info(f'step {record.index}: {record.step} -> '
                                       f'{"ok" if record.success else record.message}')
            steps, replans, notes = task_limits(
                goal.max_steps, goal.max_replans, (self.cfg['max_steps'], self.cfg['max_replans']),
                (SCHEMA['max_steps'].max_value, SCHEMA['max_replans'].max_value))
            for note in notes:
                self.get_logger().warning(f'task limit: {note}')
            loop = TaskLoop(self.plan, self.execute_skill, max_replans=replans, max_steps=steps,
                            on_step=on_step, should_stop=lambda: goal_handle.is_cancel_requested)
            try:
                out = loop.run(goal.instruction[:MAX_INSTRUCTION], list(goal.goals)[:MAX_GOALS])
            except Exception as e:  # noqa: BLE001 - a bug ends the goal ABORTED, with the reason
                self.get_logger().error(f'task failed: {type(e).__name__}: {e}')
                goal_handle.abort()
                return ExecuteTask.Result(success=False,
                                          message=f'internal error: {type(e).__name__}: {e}'[:500])
        result = ExecuteTask.Result(
            success=out.success, message='; '.join(notes + [out.message]),
            executed=[PlanStep(skill=r.step.skill, args=list(r.step.args)) for r in out.executed],
            step_success=[r.success for r in out.executed], planner_calls=out.planner_calls,
            replans=out.replans, simulator_steps=out.simulator_steps,
            prompt_tokens=out.prompt_tokens, completion_tokens=out.completion_tokens)
        if goal_handle.is_cancel_requested:
            result.success = False
            result.message = '; '.join(filter(None, ['canceled by the client', result.message]))
            goal_handle.canceled()
        elif out.success:
            goal_handle.succeed()
        else:
            goal_handle.abort()     # the reason is in result.message
        return result


def main(argv=None) -> int:
    return run_node(ExecutorNode, 'executor_node', argv, threads=4)


if __name__ == '__main__':
    raise SystemExit(main())
