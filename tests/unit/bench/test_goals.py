import pytest

from karma_domain.goals import Goal, GoalParseError, parse_goal, parse_goals


@pytest.mark.parametrize("text,kind,obj,arg,count", [
    ("IN(Apple, Fridge)", "in", "Apple", "Fridge", 1),
    ("ON(apple,countertop)", "in", "Apple", "Countertop", 1),
    ("INSIDE( Tomato , SinkBasin )", "in", "Tomato", "SinkBasin", 1),
    ("in(Apple, Fridge)", "in", "Apple", "Fridge", 1),
    ("STATE(Apple, sliced)", "state", "Apple", "sliced", 1),
    ("STATE(Mug, FILLED)", "state", "Mug", "filled", 1),
    ("state(Plate, used_up)", "state", "Plate", "used_up", 1),
    ("STATE(Book, picked_up)", "state", "Book", "picked_up", 1),
    ("TOGGLEON(Faucet)", "state", "Faucet", "on", 1),
    ("toggleoff(deskLamp)", "state", "DeskLamp", "off", 1),
    ("HOLDING(Mug)", "holding", "Mug", None, 1),
    ("2*IN(Plate, CoffeeTable)", "in", "Plate", "CoffeeTable", 2),
    (" 4 * TOGGLEOFF(StoveBurner) ", "state", "StoveBurner", "off", 4),
    ("3*HOLDING(Apple)", "holding", "Apple", None, 3),
])
def test_parse_ok(text, kind, obj, arg, count):
    g = parse_goal(text)
    assert (g.kind, g.obj, g.arg, g.count, g.text) == (kind, obj, arg, count, text)


@pytest.mark.parametrize("state", ["sliced", "cooked", "clean", "dirty", "filled", "empty",
                                   "open", "closed", "on", "off", "broken", "hot", "cold",
                                   "used_up", "picked_up"])
def test_every_listed_state_parses(state):
    assert parse_goal(f"STATE(Mug, {state})").arg == state


@pytest.mark.parametrize("text,fragment", [
    ("IN(Apple)", "takes 2 argument"),
    ("IN(Apple, Fridge, Sink)", "takes 2 argument"),
    ("ON(desk)", "takes 2 argument"),
    ("STATE(Apple, melted)", "unknown state 'melted'"),
    ("STATE(Potato, washed)", "unknown state 'washed'"),
    ("SWITCHON(lamp)", "unknown predicate 'SWITCHON'"),
    ("IN(toilet paper, trash)", "'toilet paper' is not an object type"),
    ("ON(soapbar,(-1.7, 0.8, 0.3))", "argument"),
    ("0*IN(Apple, Fridge)", "at least 1"),
    ("IN(Apple, Fridge): 1", "expected PRED(args)"),
    ("", "expected PRED(args)"),
    ("HOLDING()", "takes 1 argument"),
    ("TOGGLEON(Faucet, on)", "takes 1 argument"),
])
def test_parse_errors_name_the_goal(text, fragment):
    with pytest.raises(GoalParseError) as e:
        parse_goal(text)
    assert fragment in str(e.value)
    assert repr(text) in str(e.value)


def test_non_string_goal():
    with pytest.raises(GoalParseError):
        parse_goal(3)


def test_types_and_parse_goals():
    gs = parse_goals(["IN(Apple, Fridge)", "STATE(Apple, cold)", "HOLDING(Mug)"])
    assert [g.types() for g in gs] == [("Apple", "Fridge"), ("Apple",), ("Mug",)]
    assert isinstance(gs[0], Goal)
