"""A task's `before` in suites: parsed and checked at load time, errors name episode and task."""
import pytest

from karma_bench.suite import SuiteError, suite_from_dict


def _suite(before):
    return {'format': 'karma-task-suite/1', 'name': 'x', 'episodes': [{
        'id': 'e1', 'scene': 'FloorPlan1', 'tasks': [
            {'id': 't1', 'category': 'simple', 'instruction': 'Pick up the mug.',
             'goals': ['HOLDING(Mug)']},
            {'id': 't2', 'category': 'simple', 'instruction': 'Find the mug again.',
             'goals': ['HOLDING(Mug)'], 'before': before}]}]}


def test_before_is_parsed_in_order_and_defaults_to_nothing():
    s = suite_from_dict(_suite([{'move': 'Mug', 'to': 'Cabinet'}, {'close': 'Fridge'},
                                {'set': 'Mug', 'state': 'dirty'}, {'toggle_on': 'DeskLamp'}]))
    t1, t2 = s.episodes[0].tasks
    assert t1.before == ()
    assert [c.as_dict() for c in t2.before] == [{'move': 'Mug', 'to': 'Cabinet'},
                                                 {'close': 'Fridge'},
                                                 {'set': 'Mug', 'state': 'dirty'},
                                                 {'toggle_on': 'DeskLamp'}]
    assert 'before' not in t2.extra


@pytest.mark.parametrize('before, fragment', [
    ({'move': 'Mug'}, 'must be a list'),
    ([{'move': 'Mug'}], "'to' must be"),
    ([{'paint': 'Mug'}], 'exactly one of'),
    ([{'set': 'Mug', 'state': 'hot'}], "'state' must be one of"),
])
def test_bad_before_names_episode_task_and_change(before, fragment):
    with pytest.raises(SuiteError) as e:
        suite_from_dict(_suite(before))
    assert str(e.value).startswith("episode 'e1' task 't2': 'before'") and fragment in str(e.value)


def test_changes_the_scene_cannot_take_are_suite_problems():
    from karma_bench.validate import suite_problems
    bad = _suite([{'move': 'Mug', 'to': 'Toilet'}, {'open': 'Unicorn'},
                  {'move': 'Pencil', 'to': 'Fridge'}, {'move': 'Apple', 'to': 'Fridge'}])
    problems = suite_problems(suite_from_dict(bad))
    assert any("no receptacle 'Toilet' in FloorPlan1" in p for p in problems)
    assert any("no 'Unicorn' in FloorPlan1" in p for p in problems)
    assert any("no 'Pencil' in FloorPlan1" in p for p in problems)
    assert not any('Apple' in p for p in problems)
    assert all(p.startswith('e1/t2: before {') for p in problems)


def test_the_shipped_suite_has_episodes_that_change_behind_the_robots_back():
    from pathlib import Path
    from karma_bench.suite import load_suite
    suite = load_suite(Path(__file__).resolve().parents[3] / 'suites' / 'karma_household.json')
    changed = [ep for ep in suite.episodes if any(t.before for t in ep.tasks)]
    assert len(changed) >= 3
    verbs = {c.verb for ep in changed for t in ep.tasks for c in t.before}
    assert verbs >= {'move', 'open', 'toggle_on', 'toggle_off', 'set'}
    assert {ep.scene for ep in changed}.isdisjoint(
        {ep.scene for ep in suite.episodes if ep not in changed})
