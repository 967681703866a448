"""The canonical robot skill catalogue: names, arity, argument kinds, semantics.

This module is the ONE place that defines what each skill means. The THOR bridge, a robot's
skill server, the planner's validator and the prompt (config/prompts/skills.txt, generated
from :func:`catalogue_text` and checked by a test) all follow it. Skill names and arities
match karma_interfaces/msg/PlanStep.msg.

Argument kinds:
  ``place``      a memory id (object or receptacle) or a region name (``kitchen``) / id
                 (``region:kitchen``)
  ``region``     a region name or region id
  ``object``     a memory id of a movable object (Apple_1, Mug|+1.0|...)
  ``receptacle`` a memory id of something that can hold objects (Fridge, Plate, CounterTop)
  ``thing``      any memory id (object or receptacle)

Semantics (what the executor must do; "near X" = within interaction range, after
``navigate_to(X)``):
  navigate_to(X)  move until X is visible and within reach; for a region, move into it.
  explore(R)      visit region R and look around so perception refreshes memory. The
                  executor REPLANS after exploring (later steps of the plan are dropped).
                  explore(C) of a closed container (cabinet, drawer, fridge...) opens it so
                  perception sees inside, then closes it: searching where eyes cannot reach.
  pickup(O)       pick up O. Hand empty; near O. If O sits in a closed receptacle, ``open``
                  that receptacle first.
  put(R)          put the HELD object into/onto R (THOR PutObject). Near R; R open if it
                  opens. The hand is empty afterwards.
  open(X)/close(X)          open/close X (fridge, cabinet, drawer, microwave...). Near X.
                            Allowed with an object in hand.
  toggle_on(X)/toggle_off(X) switch X on/off (faucet, lamp, stove knob, microwave). Near X.
  slice(O)        slice O where it lies (THOR SliceObject). Near O. The skill server fetches a
                  knife itself when it needs one (THOR does not). Afterwards O's id names the
                  slices as a group: ``pickup(O)`` picks one slice (the bridge resolves
                  ``Apple_1`` to ``AppleSliced_*`` pieces; goals count them as Apple).
  clean(O)        macro, O HELD: go to a sink basin, put O in, faucet on, faucet off, pick O up.
                  Ends holding clean O.
  heat(O)         macro, O HELD: go to a microwave, open, put O in, close, toggle on, toggle
                  off, open, pick O up, close. Ends holding hot (and cooked, if cookable) O.
  cool(O)         macro, O HELD: go to a fridge, open, put O in, close, wait, open, pick O up,
                  close. Ends holding cold O.
  fill(O)         macro, O HELD (a container): go to a sink basin, fill O with water
                  (THOR FillObjectWithLiquid), ends holding filled O.
  empty(O)        O HELD: pour its liquid out (THOR EmptyLiquidFromObject).
  drop()          drop the held object where the robot stands.

>>> SKILLS['put'].arity, SKILLS['put'].arg_kinds
(1, ('receptacle',))
>>> check_call('pickup', ['Apple_1']) is None, check_call('drop', ['x'])
(True, 'drop takes 0 argument(s), got 1')
"""
from __future__ import annotations

from dataclasses import dataclass

from karma_domain.attributes import SCENE_ID


@dataclass(frozen=True)
class Skill:
    name: str
    arg_kinds: tuple[str, ...]
    summary: str
    needs_held: bool = False       # the argument must be the held object
    needs_near: bool = True        # navigate_to(arg) must come first

    @property
    def arity(self) -> int:
        return len(self.arg_kinds)


_CATALOGUE = [
    Skill('navigate_to', ('place',), 'move next to an object or receptacle, or into a region', needs_near=False),
    Skill('explore', ('region',), 'search a region so memory is refreshed; replanning follows', needs_near=False),
    Skill('pickup', ('object',), 'pick up the object (hand must be empty)'),
    Skill('put', ('receptacle',), 'put the held object into or onto the receptacle'),
    Skill('open', ('thing',), 'open it (fridge, cabinet, drawer, microwave)'),
    Skill('close', ('thing',), 'close it'),
    Skill('toggle_on', ('thing',), 'switch it on (faucet, lamp, stove, microwave)'),
    Skill('toggle_off', ('thing',), 'switch it off'),
    Skill('slice', ('object',), 'slice the object where it lies'),
    Skill('clean', ('object',), 'wash the held object in a sink', needs_held=True, needs_near=False),
    Skill('heat', ('object',), 'heat the held object in a microwave', needs_held=True, needs_near=False),
    Skill('cool', ('object',), 'cool the held object in a fridge', needs_held=True, needs_near=False),
    Skill('fill', ('object',), 'fill the held container with water', needs_held=True, needs_near=False),
    Skill('empty', ('object',), 'pour the liquid out of the held container', needs_held=True, needs_near=False),
    Skill('drop', (), 'drop the held object here', needs_near=False),
]
SKILLS: dict[str, Skill] = {s.name: s for s in _CATALOGUE}

#: What a successful skill makes true of its argument, in THOR state keys (SkillResult's
#: ``object_states``): the robot knows what its own skill did, also where no camera can see
#: it afterwards (a sliced apple is seen only as its slices, the inside of a closed fridge not
#: at all). ``heat`` leaves "cooked" to perception: not everything heated cooks.
EFFECTS: dict[str, dict[str, str]] = {
    'open': {'isOpen': 'true'}, 'close': {'isOpen': 'false'},
    'toggle_on': {'isToggled': 'true'}, 'toggle_off': {'isToggled': 'false'},
    'slice': {'isSliced': 'true'}, 'clean': {'isDirty': 'false'},
    'heat': {'temperature': 'hot'}, 'cool': {'temperature': 'cold'},
    'fill': {'isFilledWithLiquid': 'true'}, 'empty': {'isFilledWithLiquid': 'false'},
}


def effect_text(skill: str) -> str:
    """``EFFECTS[skill]`` as SkillResult.object_states text ("" for a skill without one).

    >>> effect_text('slice'), effect_text('navigate_to')
    ('isSliced=true', '')
    """
    return ';'.join(f'{k}={v}' for k, v in EFFECTS.get(skill, {}).items())


#: The region name for everything the robot can reach: ``explore(scene)`` searches the whole
#: map (what a planner does before any region is known, right after start-up or a reset).
WHOLE_MAP = SCENE_ID

# The type tables, failure kinds and hand states are the vocabulary's (the memories need them
# without the catalogue); re-exported here so a skill server reads one module.
from karma_domain.vocabulary import (FAILURE_CODE, FAILURES, FIXED_TYPES,  # noqa: E402,F401
                                     HAND_STATES, OPENABLE_TYPES, RECEPTACLE_TYPES,
                                     SEARCHABLE_CONTAINERS, SLICEABLE_TYPES, TOGGLEABLE_TYPES,
                                     failure_name)


def check_call(skill: str, args: list[str]) -> str | None:
    """Return None when ``skill(args)`` has a known name and the right arity, else why not."""
    s = SKILLS.get(skill)
    if s is None:
        return f'unknown skill {skill!r} (known: {", ".join(SKILLS)})'
    if len(args) != s.arity:
        return f'{skill} takes {s.arity} argument(s), got {len(args)}'
    return None


def catalogue_text() -> str:
    """The catalogue as prompt text (mirrored in config/prompts/skills.txt).

    >>> catalogue_text().splitlines()[0]
    '- navigate_to(place): move next to an object or receptacle, or into a region'
    """
    return '\n'.join(f'- {s.name}({", ".join(s.arg_kinds)}): {s.summary}' for s in _CATALOGUE) + '\n'
