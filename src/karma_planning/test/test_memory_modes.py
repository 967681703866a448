"""Memory modes (karma | ltm | stm | none | full-history): views, history bound, reset, prompts."""
import doctest

import pytest

from karma_planning import memory_modes, memory_view, planner as planner_mod, reference, validate
from karma_planning.backends import make_backend
from karma_planning.embedding import HashEmbedder
from karma_planning.memory_modes import (MEMORY_MODES, Frame, ModeMemory, PerceptionHistory, Seen,
                                         build_view, frame_from_dicts, render_history)
from karma_planning.planner import Planner
from karma_planning.prompt import PromptBuilder
from karma_planning.retrieval import Retriever

GRAPH = ([{'id': 'region:kitchen', 'layer': 'region', 'type': 'kitchen'},
          {'id': 'region:office', 'layer': 'region', 'type': 'office'},
          {'id': 'Fridge_1', 'layer': 'receptacle', 'type': 'Fridge'},
          {'id': 'Apple_1', 'layer': 'object', 'type': 'Apple'}],
         [{'source': 'region:kitchen', 'target': 'Fridge_1', 'relation': 'contains'}])
STM = [{'object_id': 'Apple_9', 'object_type': 'Apple', 'states': {'isDirty': 'true'}, 'receptacle_id': '',
        'source': 'skill', 'step': 3}]


def frame(t, *objs, source='cam'):
    return Frame(t, source, [Seen(*o) if isinstance(o, tuple) else o for o in objs])


def history(*frames, max_frames=200):
    h = PerceptionHistory(max_frames)
    for f in frames:
        h.add(f)
    return h


def test_modes_are_defined_once_and_the_benchmark_uses_them():
    import karma_domain.modes
    from karma_bench import tasks
    assert MEMORY_MODES is karma_domain.modes.MEMORY_MODES
    assert tasks.MEMORY_MODES is karma_domain.modes.MEMORY_MODES
    with pytest.raises(ValueError):
        ModeMemory('everything')


def test_view_per_mode():
    h = history(frame(1.0, ('Bread|1', 'Bread')), frame(2.0, ('Knife|1', 'Knife'), ('CounterTop|1', 'CounterTop')))
    h.mark()   # a plan was made after the first two frames: "now" is the latest frame
    ids = {m: sorted(build_view(m, GRAPH, STM, h).items) for m in MEMORY_MODES}
    # karma: the scene graph decides what exists; a short-term entry of an id it no longer
    # holds (merged or forgotten) is left out, acting on it would name nothing
    assert ids['karma'] == ['Apple_1', 'Fridge_1', 'region:kitchen', 'region:office']
    assert ids['ltm'] == ['Apple_1', 'Fridge_1', 'region:kitchen', 'region:office']
    # stm: short-term + visible now (+ regions as map knowledge); no scene-graph object
    assert ids['stm'] == ['Apple_9', 'CounterTop|1', 'Knife|1', 'region:kitchen', 'region:office']
    assert ids['none'] == ['CounterTop|1', 'Knife|1', 'region:kitchen', 'region:office']
    assert ids['full-history'] == ['Bread|1', 'CounterTop|1', 'Knife|1', 'region:kitchen', 'region:office']
    assert sorted(build_view('none', GRAPH, STM, h, with_regions=False).items) == ['CounterTop|1', 'Knife|1']
    assert build_view('none', None, None, PerceptionHistory()).items == {}
    v = build_view('none', GRAPH, None, h)
    assert v['Knife|1'].provenance == 'perception:cam' and v.region_names() == ['kitchen', 'office']


def test_full_history_union_keeps_latest_state_and_parent():
    h = history(frame(1.0, ('Apple|1', 'Apple', 'Table|1'), ('Table|1', 'Table', '', {}, True)),
                frame(2.0, ('Apple|1', 'Apple', 'Fridge|1', {'isCooked': 'true'}),
                      ('Fridge|1', 'Fridge', '', {'isOpen': 'true'}, True)))
    v = build_view('full-history', None, None, h)
    assert sorted(v.items) == ['Apple|1', 'Fridge|1', 'Table|1']
    assert v['Apple|1'].receptacle == 'Fridge|1' and v['Apple|1'].states == {'isCooked': 'true'}
    assert [s.id for s, _ in h.union()] == ['Apple|1', 'Table|1', 'Fridge|1']


def test_a_history_budget_keeps_the_newest_whole_frames_and_says_what_it_left_out():
    h = history(*[frame(float(t), (f'Obj|{t}', 'Apple'), (f'Tab|{t}', 'Table', '', {}, True))
                  for t in range(10)])
    whole = render_history(h)
    assert 'left out' not in whole.scene_text and len(whole.memory_ids) == 20
    per_frame = sum(whole.tokens.values()) // 10
    r = render_history(h, budget_tokens=3 * per_frame + per_frame // 2)
    assert r.memory_ids == ['Obj|7', 'Tab|7', 'Obj|8', 'Tab|8', 'Obj|9', 'Tab|9']
    assert '7 older frame(s) left out' in r.scene_text and 'frame 8 ' in r.scene_text
    assert 'frame 7 ' not in r.scene_text
    assert sum(r.tokens.values()) <= 3 * per_frame + per_frame // 2 + 20   # + the note
    # a budget smaller than one frame still shows what the robot sees now
    assert render_history(h, budget_tokens=1).memory_ids == ['Obj|9', 'Tab|9']


def test_history_bound_reset_and_time_going_back():
    h = history(*[frame(float(t), (f'Obj|{t}', 'Apple')) for t in range(10)], max_frames=4)
    assert len(h) == 4 and h.dropped == 6 and h.frames[0].stamp == 6.0
    assert '6 older frame(s) dropped' in render_history(h).scene_text
    assert h.add(frame(0.5, ('Egg|1', 'Egg')))          # stamp went back: a new run
    assert len(h) == 1 and h.dropped == 0 and h.latest.objects[0].id == 'Egg|1'
    assert not h.add(frame(0.2, ('Egg|1', 'Egg')))      # jitter within 1 s is kept
    m = ModeMemory('full-history', max_frames=3)
    m.add_frame(frame(1.0, ('Egg|1', 'Egg')))
    m.reset()
    assert len(m.history) == 0 and sorted(m.view(GRAPH, None).items) == ['region:kitchen', 'region:office']
    karma = ModeMemory('karma')
    karma.add_frame(frame(1.0, ('Egg|1', 'Egg')))       # karma keeps no perception of its own
    assert len(karma.history) == 0 and not karma.needs_perception and karma.needs_stm


def test_frame_from_dicts_cleans_and_names_nothing_itself():
    f = frame_from_dicts(3.5, 'robot\x1b', [
        {'instance_id': 'Apple_4', 'label': 'Apple', 'states': {'isCooked': 'true', 'note': 'ignore previous'}},
        {'instance_id': '', 'label': 'Fridge'},    # no id: named by the memory's association
        {'instance_id': 'Mug|1\n', 'label': 'Mug\x00', 'parent_id': 'Table|1', 'position': (1, 2, 3)}])
    assert [(s.id, s.type) for s in f.objects] == [('Apple_4', 'Apple'), ('Mug|1', 'Mug')]
    assert f.objects[0].states == {'isCooked': 'true'} and f.objects[1].position == (1.0, 2.0, 3.0)
    assert f.source == 'robot'


@pytest.mark.parametrize('mode', ['none', 'full-history', 'stm'])
def test_id_less_detections_enter_the_view_under_the_memory_ids(mode):
    """A detector's frame without ids: the view holds only what the long-term memory's
    association named (karma/ltm/associated), never an id of the planner's own making."""
    m = ModeMemory(mode)
    raw = [{'label': 'Fridge', 'is_receptacle': True}, {'label': 'Apple'}, {'instance_id': 'Mug|1', 'label': 'Mug'}]
    m.add_frame(frame_from_dicts(5.0, 'cam', raw))
    assert sorted(m.view(None, None).items) == ['Mug|1']
    m.add_frame(frame_from_dicts(6.0, 'cam', raw))
    # the memory answers late, for both frames (the apple was new to it at t=5: tentative)
    m.add_associated(frame_from_dicts(6.0, 'cam', [{'instance_id': 'Fridge_1', 'label': 'Fridge'},
                                                   {'instance_id': 'Apple_1', 'label': 'Apple'}]))
    m.add_associated(frame_from_dicts(5.0, 'cam', [{'instance_id': 'Fridge_1', 'label': 'Fridge'}]))
    assert len(m.history) == 2 and m.history.resets == 0    # merged, not a jump back in time
    assert sorted(m.view(None, None).items) == ['Apple_1', 'Fridge_1', 'Mug|1']
    # a frame the planner never received (sensor-data QoS): kept in stamp order
    m.add_associated(frame_from_dicts(5.5, 'cam', [{'instance_id': 'Egg_1', 'label': 'Egg'}]))
    assert [f.stamp for f in m.history.frames] == [5.0, 5.5, 6.0]


def _planner():
    return Planner(Retriever(HashEmbedder(), budget_tokens=600), PromptBuilder(), make_backend('reference'))


def _plan(p, mode, h, goals, feedback=''):
    m = ModeMemory(mode)
    m.history = h
    v = m.view(GRAPH, STM)
    return p.plan('Put the apple in the fridge.', v, goals, feedback=feedback,
                  prepared=m.prompt_memory(v, p.retriever.count_tokens), list_regions=m.list_regions,
                  scene_title=m.scene_title)


def test_prompt_memory_ids_and_tokens_per_mode():
    p = _planner()
    seen = [('Apple|1', 'Apple', 'Shelf|1'), ('Fridge|1', 'Fridge', '', {}, True)] + [
        (f'Cup|{i}', 'Cup', 'Shelf|1') for i in range(8)] + [('Shelf|1', 'Shelf', '', {}, True)]
    h = history(*[frame(float(t), *seen) for t in range(30)])
    out = {m: _plan(p, m, h, ['IN(Apple, Fridge)']) for m in MEMORY_MODES}
    for mode, r in out.items():
        assert r.success, (mode, r.message)
        assert r.prompt_tokens > 0
        for i in r.memory_ids:   # every reported id is in the prompt, quoted
            assert f'"{i}"' in r.prompt_text, (mode, i)
    assert 'Apple_9' not in out['karma'].memory_ids and 'Apple_9' in out['stm'].memory_ids
    assert 'Apple_9' not in out['ltm'].memory_ids and 'Apple_9' not in out['none'].memory_ids
    assert 'Apple|1' not in out['ltm'].memory_ids and 'Apple_1' in out['ltm'].memory_ids
    assert 'region:office' in out['none'].memory_ids   # regions listed so a model can explore
    assert 'Memory (what the robot sees now):' in out['none'].prompt_text
    assert 'Memory (scene graph excerpt):' in out['karma'].prompt_text
    fh = out['full-history']
    assert set(fh.memory_ids) >= {s[0] for s in seen} and fh.prompt_text.count('frame ') >= 30
    assert fh.prompt_tokens > 5 * out['none'].prompt_tokens
    assert fh.prompt_tokens > 5 * out['karma'].prompt_tokens
    assert [s for s, _ in fh.steps] == ['navigate_to', 'pickup', 'navigate_to', 'open', 'put', 'close']


class World:
    """Objects visible per region; exploring a region shows its objects (and what is held)."""

    def __init__(self, rooms):
        self.rooms, self.held, self.t = rooms, None, 0.0

    def frame(self, region=None):
        self.t += 1.0
        objs = [Seen(i, i.split('|')[0], '', {}, i.startswith(('Fridge', 'Desk'))) for i in self.rooms.get(region, [])
                if i != self.held]
        if self.held:
            objs.append(Seen(self.held, self.held.split('|')[0], '', {'isPickedUp': 'true'}))
        return Frame(self.t, 'sim', objs)


def test_reference_makes_progress_in_none_mode():
    """IN(Pencil, Fridge): the pencil is in the office, the fridge in the kitchen, the robot
    sees nothing at first. Explore kitchen, explore office (pick up the pencil), explore the
    kitchen again (the search cycles), put it in the fridge."""
    world = World({'kitchen': ['Fridge|1'], 'office': ['Pencil|1', 'Desk|1']})
    p, h = _planner(), history(frame(0.0))
    goals, feedback, executed = ['IN(Pencil, Fridge)'], '', []
    for _ in range(6):
        r = _plan(p, 'none', h, goals, feedback)
        assert r.success, r.message
        for skill, args in r.steps:
            executed.append(f'{skill}({",".join(args)})')
            if skill == 'pickup':
                world.held = args[0]
            elif skill == 'put':
                world.held = None
            elif skill == 'explore':
                h.add(world.frame(args[0]))
                feedback = f'explored {args[0]}; memory has changed'
                break
        else:
            break
    # "now" is everything the last skill showed: the last view of the kitchen is still in
    # sight when the office has been explored, so no second trip to look at the kitchen.
    assert executed == ['explore(kitchen)', 'explore(office)', 'navigate_to(Pencil|1)', 'pickup(Pencil|1)',
                        'navigate_to(Fridge|1)', 'open(Fridge|1)', 'put(Fridge|1)', 'close(Fridge|1)']


def test_explorations_restart_per_task_and_cycle():
    view = build_view('none', GRAPH, None, PerceptionHistory())
    steps, msg = reference.reference_plan(['HOLDING(Egg)'], view, explored=['kitchen'])
    assert steps == [('explore', ['office'])] and 'no Egg' in msg
    steps, _ = reference.reference_plan(['HOLDING(Egg)'], view, explored=['kitchen', 'office'])
    assert steps[0] == ('explore', ['kitchen'])
    p = _planner()
    h = history(frame(0.0))
    assert _plan(p, 'none', h, ['HOLDING(Egg)']).steps[0] == ('explore', ['kitchen'])
    assert _plan(p, 'none', h, ['HOLDING(Egg)'], 'explored kitchen; memory has changed').steps[0] == \
        ('explore', ['office'])
    assert _plan(p, 'none', h, ['HOLDING(Egg)']).steps[0] == ('explore', ['kitchen'])   # a new task


def test_explore_kept_when_plan_is_long():
    view = build_view('none', GRAPH, None, history(frame(1.0, ('Mug|1', 'Mug'), ('Mug|2', 'Mug'),
                                                          ('Desk|1', 'Desk', '', {}, True))))
    steps, _ = reference.reference_plan(['2*IN(Mug, Desk)', 'HOLDING(Egg)'], view, max_steps=3)
    assert len(steps) == 3 and steps[-1] == ('explore', ['kitchen'])


@pytest.mark.parametrize("mod", [memory_modes, memory_view, planner_mod, reference, validate])
def test_doctests(mod):
    assert doctest.testmod(mod).failed == 0
