"""ROS shell of the task executor: serves ExecuteTask on /karma/execute_task.

Plans through /karma/plan, executes each step through the /karma/execute_skill action,
publishes every skill's outcome on /karma/skill_results (the short-term memory listens),
and replans as karma_executor.loop decides. Feedback after every step.
"""
from __future__ import annotations

import threading

import rclpy
from rclpy.action import ActionClient, ActionServer, CancelResponse, GoalResponse
from rclpy.callback_groups import ReentrantCallbackGroup
from rclpy.node import Node

from karma_interfaces.action import ExecuteSkill, ExecuteTask
from karma_interfaces.msg import PlanStep, SkillResult
from karma_interfaces.srv import Plan
from karma_ros_common.node_main import run_node
from karma_ros_common.params import Param, declare_and_validate
from karma_ros_common.qos import RELIABLE_EVENTS
from karma_executor.loop import PlanReply, SkillReply, Step, StepRecord, TaskLoop

SCHEMA = {
    'max_replans': Param(3, 'Replans allowed after failed steps (exploring does not count)',
                         min_value=0, max_value=50),
    'max_steps': Param(40, 'Skills executed per task at most', min_value=1, max_value=500),
    'plan_timeout_s': Param(300.0, 'Longest wait for /karma/plan', min_value=0.1),
    'skill_timeout_s': Param(120.0, 'Longest wait for one skill', min_value=0.1),
    'plan_service': Param('/karma/plan', 'Planning service'),
    'skill_action': Param('/karma/execute_skill', 'Skill execution action'),
}

HOLD_SKILLS = {'pickup'}
RELEASE_SKILLS = {'put', 'drop'}


class ExecutorNode(Node):
    def __init__(self):
        super().__init__('executor_node')
        self.cfg = declare_and_validate(self, SCHEMA)
        group = ReentrantCallbackGroup()
        self.plan_client = self.create_client(Plan, self.cfg['plan_service'], callback_group=group)
        self.skill_client = ActionClient(self, ExecuteSkill, self.cfg['skill_action'],
                                         callback_group=group)
        self.results_pub = self.create_publisher(SkillResult, '/karma/skill_results', RELIABLE_EVENTS)
        self._busy = threading.Lock()
        self._held = ''
        self.server = ActionServer(self, ExecuteTask, '/karma/execute_task', self.execute_task,
                                   goal_callback=self.on_goal,
                                   cancel_callback=lambda _req: CancelResponse.ACCEPT,
                                   callback_group=group)
        self.get_logger().info('executor ready on /karma/execute_task')

    def on_goal(self, goal: ExecuteTask.Goal) -> GoalResponse:
        if not goal.instruction.strip():
            self.get_logger().warning('rejected task: empty instruction')
            return GoalResponse.REJECT
        if self._busy.locked():
            self.get_logger().warning('rejected task: another task is running')
            return GoalResponse.REJECT
        return GoalResponse.ACCEPT

    # -- calls into the rest of the stack (blocking; we run in a multi-threaded executor) --
    def _wait(self, future, timeout_s: float):
        done = threading.Event()
        future.add_done_callback(lambda _f: done.set())
        if not done.wait(timeout_s):
            future.cancel()
            return None
        return future.result()

    def plan(self, instruction: str, goals, feedback: str) -> PlanReply:
        if not self.plan_client.wait_for_service(timeout_sec=10.0):
            return PlanReply(False, [], message=f'{self.cfg["plan_service"]} is not available')
        req = Plan.Request(instruction=instruction, goals=list(goals), feedback=feedback[:1000])
        resp = self._wait(self.plan_client.call_async(req), self.cfg['plan_timeout_s'])
        if resp is None:
            return PlanReply(False, [], message='planning timed out')
        return PlanReply(resp.success, [Step(s.skill, tuple(s.args)) for s in resp.steps],
                         resp.message, list(resp.memory_ids), resp.prompt_tokens,
                         resp.completion_tokens)

    def execute_skill(self, step: Step) -> SkillReply:
        if not self.skill_client.wait_for_server(timeout_sec=10.0):
            reply = SkillReply(False, f'{self.cfg["skill_action"]} is not available')
        else:
            goal = ExecuteSkill.Goal(skill=step.skill, args=list(step.args))
            handle = self._wait(self.skill_client.send_goal_async(goal), 10.0)
            if handle is None or not handle.accepted:
                reply = SkillReply(False, 'skill goal was rejected')
            else:
                res = self._wait(handle.get_result_async(), self.cfg['skill_timeout_s'])
                reply = (SkillReply(False, 'skill timed out') if res is None else
                         SkillReply(res.result.success, res.result.message,
                                    res.result.simulator_steps))
        self._publish_result(step, reply)
        return reply

    def _publish_result(self, step: Step, reply: SkillReply) -> None:
        if reply.success and step.skill in HOLD_SKILLS and step.args:
            self._held = step.args[0]
        elif reply.success and step.skill in RELEASE_SKILLS:
            self._held = ''
        msg = SkillResult(skill=step.skill, args=list(step.args), success=reply.success,
                          message=reply.message[:1000], object_ids=list(step.args),
                          held_object_id=self._held)
        msg.header.stamp = self.get_clock().now().to_msg()
        self.results_pub.publish(msg)

    # -- the action ----------------------------------------------------------------------
    def execute_task(self, goal_handle):
        goal = goal_handle.request
        with self._busy:
            # The hand is only known from this task's own skills: between tasks the world may
            # have been reset (a new episode) and perception reports what is really held.
            self._held = ''
            def on_step(record: StepRecord):
                fb = ExecuteTask.Feedback(step_index=record.index,
                                          step=PlanStep(skill=record.step.skill,
                                                        args=list(record.step.args)),
                                          success=record.success, message=record.message,
                                          memory_ids=record.memory_ids)
                goal_handle.publish_feedback(fb)
                self.get_logger().info(f'step {record.index}: {record.step} -> '
                                       f'{"ok" if record.success else record.message}')
            loop = TaskLoop(self.plan, self.execute_skill,
                            max_replans=goal.max_replans or self.cfg['max_replans'],
                            max_steps=goal.max_steps or self.cfg['max_steps'],
                            on_step=on_step, should_stop=lambda: goal_handle.is_cancel_requested)
            out = loop.run(goal.instruction, list(goal.goals))
        result = ExecuteTask.Result(
            success=out.success, message=out.message,
            executed=[PlanStep(skill=r.step.skill, args=list(r.step.args)) for r in out.executed],
            step_success=[r.success for r in out.executed], planner_calls=out.planner_calls,
            replans=out.replans, simulator_steps=out.simulator_steps,
            prompt_tokens=out.prompt_tokens, completion_tokens=out.completion_tokens)
        if goal_handle.is_cancel_requested:
            goal_handle.canceled()
        else:
            goal_handle.succeed()
        return result


def main(argv=None) -> int:
    return run_node(ExecutorNode, 'executor_node', argv, threads=4)


if __name__ == '__main__':
    raise SystemExit(main())
