"""Small builders shared by the long-term memory unit tests."""
from karma_memory import Observation, SceneGraph


def obs(label, iid="", pos=(0.0, 0.0, 0.0), size=(0.1, 0.1, 0.1), rec=False, parent="", **kw):
    return Observation(label=label, instance_id=iid, position=tuple(map(float, pos)),
                       size=tuple(map(float, size)), is_receptacle=rec, parent_id=parent, **kw)


def kitchen() -> SceneGraph:
    """Kitchen region (0..5 x 0..5) with a counter, a fridge, a plate on the counter."""
    g = SceneGraph()
    g.add_region("kitchen", (0, 0, 5, 5))
    g.add_region("living_room", (5, 0, 10, 5))
    g.apply([
        obs("CounterTop", "CounterTop|1", (1, 1, 0.9), (2, 0.6, 0.1), rec=True),
        obs("Fridge", "Fridge|1", (4, 1, 0.9), (0.8, 0.8, 1.8), rec=True,
            states={"isOpen": "true"}),
        obs("Plate", "Plate|1", (1, 1, 0.965), (0.25, 0.25, 0.03), rec=True),
        obs("Sofa", "Sofa|1", (7, 2, 0.4), (2, 0.9, 0.8), rec=True),
    ], stamp=1.0)
    return g
