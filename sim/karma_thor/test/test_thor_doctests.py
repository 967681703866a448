"""The examples in karma_thor's module docstrings run."""
import doctest
import importlib

import pytest

MODULES = ["data", "scenes", "geometry", "world", "effects", "slicing", "actions", "protocol",
           "simulator", "paths"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    mod = importlib.import_module(f"karma_thor.{name}")
    assert doctest.testmod(mod, optionflags=doctest.ELLIPSIS).failed == 0
