"""What the robot's gripper holds, in the memory's ids; no rclpy.

A robot knows what its own hand holds: its gripper closed on the object its skill was sent
to grasp. The simulator tells us the held object's THOR id and type (``inventoryObjects``);
the memory knows it by the id the plan used (a minted ``Mug_2`` when ids are withheld). The
tracker keeps that id from the successful pickup, forgets it when the hand is empty, and
falls back on the simulator's id only when ids are published.

>>> h = HandTracker(ids_published=False)
>>> h.update('pickup', ['Mug_2'], True, [{'objectId': 'Mug|1|1|1', 'objectType': 'Mug'}])
('holding', 'Mug_2', 'Mug')
>>> h.update('put', ['Sink_1'], True, [])
('empty', '', '')
>>> h.update('pickup', ['Apple_1'], True, [{'objectId': 'Apple|1|1|1', 'objectType': 'Apple'}])
('holding', 'Apple_1', 'Apple')
>>> h.reset([])            # a new episode: the simulator says the hand is empty
('empty', '', '')
"""
from __future__ import annotations

from karma_domain.skills import HAND_STATES


class HandTracker:
    def __init__(self, ids_published: bool):
        self.ids_published = ids_published
        self.state: tuple[str, str, str] = ('unknown', '', '')
        self._sim_id = ''

    def update(self, skill: str, args: list[str], success: bool,
               inventory: list[dict]) -> tuple[str, str, str]:
        """State after a skill: (hand, held memory id, held type)."""
        if not inventory:
            self.state, self._sim_id = ('empty', '', ''), ''
            return self.state
        held = inventory[0]
        sim_id, otype = str(held.get('objectId', '')), str(held.get('objectType', ''))
        if success and skill == 'pickup' and args:
            mem_id = args[0]
        elif sim_id == self._sim_id and self.state[0] == 'holding':
            mem_id = self.state[1]            # still the object we picked up (heat, clean, ...)
        else:
            mem_id = sim_id if self.ids_published else ''
        self.state, self._sim_id = ('holding', mem_id, otype), sim_id
        return self.state

    def reset(self, inventory: list[dict]) -> tuple[str, str, str]:
        self.state, self._sim_id = ('unknown', '', ''), ''
        return self.update('', [], False, inventory)

    @property
    def code(self) -> int:
        return HAND_STATES.index(self.state[0])
