"""Goal checking on hand-built ground-truth snapshots (THOR object metadata)."""
import pytest

from karma_bench.checker import JudgeResult, TaskJudge, holds, in_state, satisfiers
from karma_domain.goals import parse_goal
from karma_bench.world import World, source_id, source_type


def o(oid, otype=None, **kw):
    """One THOR object; type defaults to the id's first part."""
    d = {"objectId": oid, "objectType": otype or oid.split("|")[0]}
    d.update(kw)
    return d


def snap(*objects, alfred=None, inventory=None):
    return {"objects": list(objects), "alfred": alfred or {}, "agent": {},
            "inventoryObjects": inventory or []}


FRIDGE = o("Fridge|1", receptacle=True, openable=True, isOpen=False, pickupable=False)
PLATE = o("Plate|2", receptacle=True, pickupable=True)
COUNTER = o("CounterTop|3", receptacle=True, pickupable=False)
BASIN = o("Sink|4|SinkBasin", "SinkBasin", receptacle=True, pickupable=False)
SINK = o("Sink|4", receptacle=False, pickupable=False)
TUB = o("Bathtub|5|BathtubBasin", "BathtubBasin", receptacle=True, pickupable=False)


# ---------------------------------------------------------------- IN / ON / INSIDE
@pytest.mark.parametrize("goal,snapshot,expected", [
    # direct, from the child's parentReceptacles
    ("IN(Apple, Fridge)", snap(FRIDGE, o("Apple|9", parentReceptacles=["Fridge|1"])), True),
    # direct, from the parent's receptacleObjectIds only
    ("IN(Apple, Fridge)", snap(dict(FRIDGE, receptacleObjectIds=["Apple|9"]), o("Apple|9")), True),
    ("ON(Apple, Fridge)", snap(FRIDGE, o("Apple|9", parentReceptacles=["Fridge|1"])), True),
    ("INSIDE(apple, FRIDGE)", snap(FRIDGE, o("Apple|9", parentReceptacles=["Fridge|1"])), True),
    ("IN(Apple, Fridge)", snap(FRIDGE, COUNTER, o("Apple|9", parentReceptacles=["CounterTop|3"])), False),
    ("IN(Apple, Fridge)", snap(FRIDGE, o("Apple|9")), False),
    # transitive: apple on a plate in the fridge
    ("IN(Apple, Fridge)", snap(FRIDGE, dict(PLATE, parentReceptacles=["Fridge|1"]),
                                o("Apple|9", parentReceptacles=["Plate|2"])), True),
    ("IN(Apple, Plate)", snap(FRIDGE, dict(PLATE, parentReceptacles=["Fridge|1"]),
                               o("Apple|9", parentReceptacles=["Plate|2"])), True),
    # not through a static receptacle THOR reports inside another (FloorPlan28's counter)
    ("IN(Apple, Sink)", snap(BASIN, dict(COUNTER, parentReceptacles=["Sink|4|SinkBasin"]),
                              o("Apple|9", parentReceptacles=["CounterTop|3"])), False),
    # Sink accepts its SinkBasin part; SinkBasin itself too; Bathtub -> BathtubBasin
    ("IN(Tomato, Sink)", snap(SINK, BASIN, o("Tomato|7", parentReceptacles=["Sink|4|SinkBasin"])), True),
    ("IN(Tomato, SinkBasin)", snap(BASIN, o("Tomato|7", parentReceptacles=["Sink|4|SinkBasin"])), True),
    ("IN(Cloth, Bathtub)", snap(TUB, o("Cloth|8", parentReceptacles=["Bathtub|5|BathtubBasin"])), True),
    ("IN(Cloth, Toilet)", snap(TUB, o("Cloth|8", parentReceptacles=["Bathtub|5|BathtubBasin"])), False),
    # pieces count as their source: by objectId and by objectType
    ("IN(Apple, Plate)", snap(PLATE, o("Apple|9|AppleSliced_0", "AppleSliced",
                                       parentReceptacles=["Plate|2"])), True),
    ("IN(Egg, Plate)", snap(PLATE, o("EggCracked|1", "EggCracked", parentReceptacles=["Plate|2"])), True),
    ("IN(AppleSliced, Plate)", snap(PLATE, o("Apple|9|AppleSliced_0", "AppleSliced",
                                             parentReceptacles=["Plate|2"])), True),
    # a goal naming the piece type is not met by the whole object
    ("IN(AppleSliced, Plate)", snap(PLATE, o("Apple|9", parentReceptacles=["Plate|2"])), False),
    # a parent id missing from the snapshot is ignored, not an error
    ("IN(Apple, Fridge)", snap(o("Apple|9", parentReceptacles=["Fridge|404"])), False),
    # held objects are in nothing
    ("IN(Apple, Fridge)", snap(FRIDGE, o("Apple|9", isPickedUp=True)), False),
])
def test_in(goal, snapshot, expected):
    assert holds(goal, snapshot) is expected


def test_cycle_in_parents_terminates():
    s = snap(o("Box|1", parentReceptacles=["Box|2"]), o("Box|2", parentReceptacles=["Box|1"]),
             o("Pen|3", parentReceptacles=["Box|1"]))
    assert holds("IN(Pen, Box)", s)
    assert World(s).ancestors("Pen|3") == {"Box|1", "Box|2"}


# ---------------------------------------------------------------- STATE
KNOB_ON = o("StoveKnob|1", toggleable=True, isToggled=True, controlledObjects=["StoveBurner|2"])
KNOB_OFF = dict(KNOB_ON, isToggled=False)
BURNER = o("StoveBurner|2", toggleable=False, isToggled=False, receptacle=True)


@pytest.mark.parametrize("state,obj,alfred,expected", [
    ("sliced", o("Apple|1", isSliced=True), {}, True),
    ("sliced", o("Apple|1", isSliced=False), {}, False),
    ("sliced", o("Apple|1|AppleSliced_2", "AppleSliced"), {}, True),
    ("cooked", o("Potato|1", isCooked=True), {}, True),
    ("cooked", o("Potato|1", isCooked=False), {}, False),
    ("dirty", o("Mug|1", isDirty=True), {}, True),
    ("dirty", o("Mug|1", isDirty=False), {}, False),
    ("clean", o("Mug|1", isDirty=False), {"Mug|1": {"cleaned": True}}, True),
    ("clean", o("Mug|1", isDirty=False), {}, False),  # never washed: not ALFRED-clean
    ("clean", o("Mug|1", isDirty=True), {"Mug|1": {"cleaned": True}}, False),  # dirty again
    ("clean", o("Apple|1|AppleSliced_0", "AppleSliced"), {"Apple|1": {"cleaned": True}}, True),
    ("filled", o("Mug|1", canFillWithLiquid=True, isFilledWithLiquid=True), {}, True),
    ("filled", o("Mug|1", canFillWithLiquid=True, isFilledWithLiquid=False), {}, False),
    ("empty", o("Mug|1", canFillWithLiquid=True, isFilledWithLiquid=False), {}, True),
    ("empty", o("Mug|1", canFillWithLiquid=True, isFilledWithLiquid=True), {}, False),
    ("empty", o("Apple|1", canFillWithLiquid=False, isFilledWithLiquid=False), {}, False),
    ("open", o("Fridge|1", openable=True, isOpen=True), {}, True),
    ("open", o("Fridge|1", openable=True, isOpen=False), {}, False),
    ("closed", o("Fridge|1", openable=True, isOpen=False), {}, True),
    ("closed", o("Fridge|1", openable=True, isOpen=True), {}, False),
    ("closed", o("Apple|1", openable=False, isOpen=False), {}, False),
    ("on", o("Faucet|1", toggleable=True, isToggled=True), {}, True),
    ("on", o("Faucet|1", toggleable=True, isToggled=False), {}, False),
    ("off", o("Faucet|1", toggleable=True, isToggled=False), {}, True),
    ("off", o("Faucet|1", toggleable=True, isToggled=True), {}, False),
    ("off", o("Apple|1", toggleable=False, isToggled=False), {}, False),
    ("broken", o("Vase|1", isBroken=True), {}, True),
    ("broken", o("Vase|1", isBroken=False), {}, False),
    ("hot", o("Potato|1", temperature="Hot"), {}, True),
    ("hot", o("Potato|1", temperature="RoomTemp"), {"Potato|1": {"heated": True}}, True),
    ("hot", o("Potato|1", temperature="RoomTemp"), {}, False),
    ("hot", o("Potato|1", temperature="Cold"), {"Potato|1": {"cooled": True}}, False),
    ("cold", o("Lettuce|1", temperature="Cold"), {}, True),
    ("cold", o("Lettuce|1", temperature="RoomTemp"), {"Lettuce|1": {"cooled": True}}, True),
    ("cold", o("Lettuce|1", temperature="RoomTemp"), {}, False),
    ("used_up", o("ToiletPaper|1", isUsedUp=True), {}, True),
    ("used_up", o("ToiletPaper|1", isUsedUp=False), {}, False),
    ("picked_up", o("Mug|1", isPickedUp=True), {}, True),
    ("picked_up", o("Mug|1", isPickedUp=False), {}, False),
])
def test_state(state, obj, alfred, expected):
    otype = obj["objectId"].split("|")[0]
    assert holds(f"STATE({otype}, {state})", snap(obj, alfred=alfred)) is expected
    assert in_state(World(snap(obj, alfred=alfred)), obj, state) is expected


@pytest.mark.parametrize("goal,objects,expected", [
    ("TOGGLEON(StoveBurner)", [KNOB_ON, BURNER], True),  # the knob controls the burner
    ("TOGGLEON(StoveBurner)", [KNOB_OFF, BURNER], False),
    ("TOGGLEOFF(StoveBurner)", [KNOB_OFF, BURNER], True),
    ("TOGGLEOFF(StoveBurner)", [KNOB_ON, BURNER], False),
    ("TOGGLEON(StoveBurner)", [dict(BURNER, isToggled=True)], True),  # burner's own flag
    ("STATE(StoveBurner, on)", [KNOB_ON, BURNER], True),
    ("2*TOGGLEOFF(StoveBurner)", [KNOB_ON, BURNER, o("StoveBurner|3", toggleable=True)], False),
    ("TOGGLEOFF(StoveBurner)", [KNOB_ON, BURNER, o("StoveBurner|3", toggleable=True)], True),
])
def test_toggle_through_controllers(goal, objects, expected):
    assert holds(goal, snap(*objects)) is expected


def test_clean_via_judge_observing_clean_object():
    # CleanObject: THOR flips isDirty; the judge saw it dirty, then clean.
    j = TaskJudge(["STATE(Plate, clean)"])
    j.observe(snap(o("Plate|1", isDirty=True)))
    assert not j.result().success
    j.observe(snap(o("Plate|1", isDirty=False)))
    assert j.result().success
    # without the dirty observation the same final snapshot is not "clean"
    k = TaskJudge(["STATE(Plate, clean)"])
    k.observe(snap(o("Plate|1", isDirty=False)))
    assert not k.result().success


# ---------------------------------------------------------------- HOLDING, N*
@pytest.mark.parametrize("goal,snapshot,expected", [
    ("HOLDING(Mug)", snap(o("Mug|1"), inventory=[{"objectId": "Mug|1", "objectType": "Mug"}]), True),
    ("HOLDING(mug)", snap(inventory=[{"objectId": "Mug|1", "objectType": "Mug"}]), True),
    ("HOLDING(Mug)", snap(o("Mug|1", isPickedUp=True)), True),
    ("HOLDING(Mug)", snap(o("Mug|1")), False),
    ("HOLDING(Apple)", snap(inventory=[{"objectId": "Apple|1|AppleSliced_0",
                                        "objectType": "AppleSliced"}]), True),
    ("HOLDING(Cup)", snap(inventory=[{"objectId": "Mug|1", "objectType": "Mug"}]), False),
])
def test_holding(goal, snapshot, expected):
    assert holds(goal, snapshot) is expected


TABLE = o("CoffeeTable|1", pickupable=False)
SLICES = [o(f"Apple|9|AppleSliced_{i}", "AppleSliced", parentReceptacles=["Plate|2"]) for i in range(3)]


@pytest.mark.parametrize("goal,objects,expected", [
    ("2*IN(Plate, CoffeeTable)", [TABLE, o("Plate|1", parentReceptacles=["CoffeeTable|1"]),
                                  o("Plate|2", parentReceptacles=["CoffeeTable|1"])], True),
    ("2*IN(Plate, CoffeeTable)", [TABLE, o("Plate|1", parentReceptacles=["CoffeeTable|1"]),
                                  o("Plate|2")], False),
    ("1*IN(Plate, CoffeeTable)", [TABLE, o("Plate|1", parentReceptacles=["CoffeeTable|1"])], True),
    # three slices of one apple are one Apple ...
    ("2*IN(Apple, Plate)", [PLATE, *SLICES], False),
    # ... but three AppleSliced
    ("3*IN(AppleSliced, Plate)", [PLATE, *SLICES], True),
    ("4*IN(AppleSliced, Plate)", [PLATE, *SLICES], False),
    ("2*IN(Apple, Plate)", [PLATE, *SLICES, o("Apple|8", parentReceptacles=["Plate|2"])], True),
    ("2*STATE(DeskLamp, off)", [o("DeskLamp|1", toggleable=True), o("DeskLamp|2", toggleable=True)], True),
    ("2*STATE(DeskLamp, off)", [o("DeskLamp|1", toggleable=True),
                                o("DeskLamp|2", toggleable=True, isToggled=True)], False),
])
def test_counting_distinct_objects(goal, objects, expected):
    assert holds(goal, snap(*objects)) is expected


def test_satisfiers_and_source_helpers():
    w = World(snap(PLATE, *SLICES))
    assert satisfiers(parse_goal("IN(Apple, Plate)"), w) == {"Apple|9"}
    assert source_type({"objectId": "Egg|1|EggCracked_0", "objectType": "EggCracked"}) == "Egg"
    assert source_type({"objectId": "Sink|1|SinkBasin", "objectType": "SinkBasin"}) == "SinkBasin"
    assert source_id({"objectId": "Sink|1|SinkBasin", "objectType": "SinkBasin"}) == "Sink|1|SinkBasin"


# ---------------------------------------------------------------- TaskJudge
def apple_at(where=None, **kw):
    objs = [FRIDGE, COUNTER, BASIN, o("Faucet|6", toggleable=True, isToggled=kw.pop("faucet", False))]
    objs.append(o("Apple|9", parentReceptacles=[where] if where else [], **kw))
    return snap(*objs, alfred=kw.pop("alfred", None))


def run(goals, ordered, snapshots):
    j = TaskJudge(goals, ordered)
    for s in snapshots:
        j.observe(s)
    return j.result()


def test_unordered_needs_all_at_the_end():
    goals = ["IN(Apple, Fridge)", "STATE(Apple, sliced)"]
    r = run(goals, False, [apple_at("CounterTop|3"), apple_at("Fridge|1"),
                           apple_at("Fridge|1", isSliced=True)])
    assert r == JudgeResult(2, 2, True, (1, 2))
    # held earlier, undone at the end: not met
    r = run(goals, False, [apple_at("Fridge|1", isSliced=True), apple_at("CounterTop|3", isSliced=True)])
    assert (r.goals_met, r.success) == (1, False)


WASH = ["IN(Apple, Sink)", "TOGGLEON(Faucet)", "STATE(Apple, clean)", "IN(Apple, Fridge)"]
CLEAN = {"Apple|9": {"cleaned": True}}


@pytest.mark.parametrize("name,snapshots,met,success", [
    ("in order", [apple_at("CounterTop|3"), apple_at("Sink|4|SinkBasin"),
                  apple_at("Sink|4|SinkBasin", faucet=True, alfred=CLEAN),
                  apple_at("Fridge|1", alfred=CLEAN)], 4, True),
    # faucet on before the apple is in the sink: milestone 2 must come at/after milestone 1
    ("faucet first", [apple_at("CounterTop|3", faucet=True), apple_at("Sink|4|SinkBasin"),
                      apple_at("Fridge|1", alfred=CLEAN)], 1, False),
    ("faucet first then again", [apple_at("CounterTop|3", faucet=True), apple_at("Sink|4|SinkBasin"),
                                 apple_at("Sink|4|SinkBasin", faucet=True, alfred=CLEAN),
                                 apple_at("Fridge|1", alfred=CLEAN)], 4, True),
    # several milestones in one step
    ("same step", [apple_at("Sink|4|SinkBasin", faucet=True, alfred=CLEAN),
                   apple_at("Fridge|1", alfred=CLEAN)], 4, True),
    # the last milestone reached but undone before the end
    ("last undone", [apple_at("Sink|4|SinkBasin", faucet=True, alfred=CLEAN),
                     apple_at("Fridge|1", alfred=CLEAN), apple_at("CounterTop|3", alfred=CLEAN)], 3, False),
    ("nothing", [apple_at("CounterTop|3")], 0, False),
])
def test_ordered_milestones(name, snapshots, met, success):
    r = run(WASH, True, snapshots)
    assert (r.goals_met, r.goals_total, r.success) == (met, 4, success), name


def test_ordered_earlier_milestone_may_be_undone():
    # goal 1 only has to hold once; after that only later goals matter
    goals = ["IN(Apple, Fridge)", "IN(Apple, Sink)"]
    r = run(goals, True, [apple_at("Fridge|1"), apple_at("Sink|4|SinkBasin")])
    assert r.success and r.reached_at == (0, 1)


def test_judge_edge_cases():
    with pytest.raises(ValueError):
        TaskJudge([])
    j = TaskJudge(["IN(Apple, Fridge)"], ordered=True)
    assert j.result() == JudgeResult(0, 1, False, (None,))
    j.observe({})  # an empty snapshot is just a world with nothing in it
    assert j.steps == 1 and not j.result().success


def test_checker_never_reads_agent_memory():
    # Whatever the agent believes (its memory, passed by mistake) is not ground truth.
    s = snap(FRIDGE, o("Apple|9"))
    s["memory"] = {"Apple|9": {"parentReceptacles": ["Fridge|1"]}}
    s["agent"] = {"believes": "IN(Apple, Fridge)"}
    assert not holds("IN(Apple, Fridge)", s)
