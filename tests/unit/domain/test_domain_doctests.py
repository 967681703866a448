"""The domain model's examples run, and it imports nothing outside the standard library."""
import ast
import doctest
import importlib
import pkgutil
import sys
from pathlib import Path

import pytest

import karma_domain

MODULES = sorted(m.name for m in pkgutil.iter_modules(karma_domain.__path__))


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    mod = importlib.import_module(f"karma_domain.{name}")
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL)
    assert res.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_imports_only_the_standard_library_and_itself(name):
    path = Path(karma_domain.__path__[0]) / f"{name}.py"
    tree = ast.parse(path.read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    foreign = {r for r in roots if r != "karma_domain" and r not in sys.stdlib_module_names
               and r != "__future__"}
    assert not foreign, f"karma_domain.{name} imports {sorted(foreign)}"


def test_a_new_node_has_exactly_the_schema_attributes():
    """The scene graph creates things with the domain schema's attributes (optional ones aside)."""
    from karma_domain.attributes import ATTRIBUTES, unknown_object
    from karma_memory import Observation, SceneGraph
    g = SceneGraph()
    g.apply([Observation("Apple", "Apple|1", 0.9, (1.0, 2.0, 0.9), (0.1, 0.1, 0.1))], stamp=5.0)
    attrs = dict(g.node_attrs("Apple|1"))
    assert set(unknown_object()) <= set(attrs) <= set(ATTRIBUTES)
    for name, value in attrs.items():
        assert isinstance(value, ATTRIBUTES[name].type) or (
            ATTRIBUTES[name].type is float and isinstance(value, int)), name
