"""The plan-act-observe loop: replanning on failure and after exploring, and its bounds."""
import pytest

from karma_executor.loop import PlanReply, SkillReply, Step, TaskLoop


class ScriptedPlanner:
    """Returns the given plans in order and records the feedback it was given."""

    def __init__(self, *plans):
        self.plans = list(plans)
        self.feedback = []

    def __call__(self, instruction, goals, feedback):
        self.feedback.append(feedback)
        steps = self.plans.pop(0) if self.plans else []
        return PlanReply(True, [Step(*s) for s in steps], memory_ids=['Apple_1'],
                         prompt_tokens=100, completion_tokens=10)


class World:
    """Skill outcomes by step text; unknown steps succeed with 3 simulator steps."""

    def __init__(self, failures=()):
        self.failures = dict(failures)
        self.log = []

    def __call__(self, step):
        self.log.append(str(step))
        if str(step) in self.failures:
            why = self.failures.pop(str(step))
            kind, _, text = why.partition(':') if ':' in why else ('other', '', why)
            return SkillReply(False, text, 1, failure=kind, hand=self.hand)
        if step.skill == 'pickup':
            self.hand = ('holding', step.args[0])
        elif step.skill in ('put', 'drop'):
            self.hand = ('empty', '')
        return SkillReply(True, '', 3, hand=self.hand)

    hand = ('empty', '')


def test_a_plan_that_works_runs_once():
    planner = ScriptedPlanner([('navigate_to', ('Apple_1',)), ('pickup', ('Apple_1',))])
    out = TaskLoop(planner, World()).run('pick up the apple')
    assert out.success and out.planner_calls == 1 and out.replans == 0
    assert out.simulator_steps == 6 and out.prompt_tokens == 100
    assert [r.step.skill for r in out.executed] == ['navigate_to', 'pickup']


def test_a_failed_step_replans_with_the_reason():
    planner = ScriptedPlanner([('pickup', ('Apple_1',))],
                              [('navigate_to', ('Apple_1',)), ('pickup', ('Apple_1',))])
    world = World({'pickup(Apple_1)': 'Apple_1 is not visible'})
    out = TaskLoop(planner, world).run('pick up the apple')
    assert out.success and out.replans == 1 and out.planner_calls == 2
    assert 'not visible' in planner.feedback[1]
    assert world.log == ['pickup(Apple_1)', 'navigate_to(Apple_1)', 'pickup(Apple_1)']


def test_exploring_replans_without_using_a_replan():
    planner = ScriptedPlanner([('explore', ('kitchen_1',)), ('pickup', ('Mug_1',))],
                              [('pickup', ('Mug_1',))])
    world = World()
    out = TaskLoop(planner, world, max_replans=0).run('find a mug')
    assert out.success and out.explorations == 1 and out.replans == 0
    assert world.log == ['explore(kitchen_1)', 'pickup(Mug_1)']


def test_replans_are_bounded():
    # each plan moves first, so the failed pickup may be tried again (something changed)
    planner = ScriptedPlanner(*[[('navigate_to', ('Apple_1',)), ('pickup', ('Apple_1',))]] * 5)
    world = World({'pickup(Apple_1)': 'x'})
    world.failures = type('Always', (dict,), {'__contains__': lambda s, k: k.startswith('pickup'),
                                              'pop': lambda s, k: 'still not there'})()
    out = TaskLoop(planner, world, max_replans=2).run('pick up the apple')
    assert not out.success and out.replans == 2 and out.planner_calls == 3
    assert 'gave up after 2 replans' in out.message


def test_a_first_miss_per_target_is_a_search_not_a_replan():
    # three ghosts of a mug, each looked at once (not found), then the real one: no replan is
    # used up by the looks; looking at the same ghost twice is a failure again
    ghosts = [[('navigate_to', (f'Mug_{i}',))] for i in (2, 3, 4)]
    planner = ScriptedPlanner(*ghosts, [('navigate_to', ('Mug_1',)), ('pickup', ('Mug_1',))])
    world = World({f'navigate_to(Mug_{i})': f'not_found:Mug_{i} not found where memory places it'
                   for i in (2, 3, 4)})
    out = TaskLoop(planner, world, max_replans=0).run('take the mug')
    assert out.success and out.replans == 0 and out.explorations == 3
    planner = ScriptedPlanner([('navigate_to', ('Mug_2',))], [('explore', ('r1',))],
                              [('navigate_to', ('Mug_2',))])
    world = World({'navigate_to(Mug_2)': 'not_found:not there'})
    world.failures = type('Always', (dict,), {'__contains__': lambda s, k: k == 'navigate_to(Mug_2)',
                                              'pop': lambda s, k: 'not_found:not there'})()
    out = TaskLoop(planner, world, max_replans=0).run('take the mug')
    assert not out.success and 'gave up after 0 replans' in out.message


def test_steps_are_bounded_even_when_exploring_forever():
    planner = ScriptedPlanner(*[[('explore', ('r1',))]] * 50)
    out = TaskLoop(planner, World(), max_steps=4).run('find a unicorn')
    assert not out.success and len(out.executed) == 4 and 'step budget' in out.message


def test_planner_failure_is_reported():
    def failing(instruction, goals, feedback):
        return PlanReply(False, [], message='model output was not a valid plan')
    out = TaskLoop(failing, World()).run('x')
    assert not out.success and 'not a valid plan' in out.message


def test_cancellation_stops_between_steps():
    planner = ScriptedPlanner([('navigate_to', ('A',)), ('pickup', ('A',))])
    world = World()
    out = TaskLoop(planner, world, should_stop=lambda: len(world.log) >= 1).run('x')
    assert not out.success and out.message == 'cancelled' and world.log == ['navigate_to(A)']


@pytest.mark.parametrize('kwargs', [{'max_replans': -1}, {'max_steps': 0}])
def test_bad_bounds_are_rejected(kwargs):
    with pytest.raises(ValueError):
        TaskLoop(ScriptedPlanner(), World(), **kwargs)


def test_a_step_that_failed_is_not_repeated_while_nothing_it_depends_on_changed():
    # put fails with an empty hand; the replan walks elsewhere and tries the same put: the
    # walk changes nothing about the hand, so the executor stops instead of repeating it
    plan = [('navigate_to', ('Sink_1',)), ('put', ('Sink_1',))]
    planner = ScriptedPlanner(plan, plan, plan)
    world = World({'put(Sink_1)': 'hand_empty:put needs an object in hand; the hand is empty'})
    out = TaskLoop(planner, world, max_replans=5).run('put the mug in the sink')
    assert not out.success and 'not repeating' in out.message and 'hand_empty' in out.message
    assert world.log == ['navigate_to(Sink_1)', 'put(Sink_1)', 'navigate_to(Sink_1)']


def test_a_failed_step_runs_again_once_its_cause_changed():
    # the hand was empty; the replan picks the mug up first, then the same put succeeds
    planner = ScriptedPlanner([('put', ('Sink_1',))],
                              [('pickup', ('Mug_1',)), ('put', ('Sink_1',))])
    world = World({'put(Sink_1)': 'hand_empty:the hand is empty'})
    out = TaskLoop(planner, world).run('put the mug in the sink')
    assert out.success and world.log == ['put(Sink_1)', 'pickup(Mug_1)', 'put(Sink_1)']


def test_a_closed_container_failure_waits_for_an_open():
    planner = ScriptedPlanner([('pickup', ('Egg_1',))], [('navigate_to', ('Egg_1',)), ('pickup', ('Egg_1',))],
                              [('open', ('Fridge_1',)), ('pickup', ('Egg_1',))])
    world = World({'pickup(Egg_1)': 'container_closed:Egg_1 is inside closed Fridge_1'})
    out = TaskLoop(planner, world).run('take the egg')
    assert not out.success and 'not repeating' in out.message   # walking does not open it
    planner = ScriptedPlanner([('pickup', ('Egg_1',))], [('open', ('Fridge_1',)), ('pickup', ('Egg_1',))])
    world = World({'pickup(Egg_1)': 'container_closed:Egg_1 is inside closed Fridge_1'})
    assert TaskLoop(planner, world).run('take the egg').success
