"""KARMA-ROS memory core (no ROS imports).

Long-term memory is :class:`SceneGraph` (a layered 3D scene graph on networkx) persisted by
:class:`MemoryStore` (SQLite, WAL). Input is :class:`Observation`; text from perception is
cleaned with :func:`clean_text` / :func:`validate_label` before anything is stored.

>>> from karma_memory import SceneGraph, Observation
>>> g = SceneGraph()
>>> report = g.apply([Observation("Mug", "Mug|1", position=(0, 0, 1), size=(.1, .1, .1))])
>>> report.created, g.get("Mug|1").type
(['Mug|1'], 'Mug')
"""
from karma_memory.observation import Limits, Observation, Observer, UpdateReport
from karma_domain.text import LabelError, clean_text, validate_id, validate_label
from karma_memory.scene_graph import MemoryConfig, MemoryItem, SceneGraph
from karma_memory.store import MemoryStore

__all__ = ["SceneGraph", "MemoryConfig", "MemoryItem", "Observation", "Observer", "UpdateReport",
           "Limits", "MemoryStore", "clean_text", "validate_label", "validate_id", "LabelError"]
