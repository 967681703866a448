"""The small examples in the module docstrings run."""
import doctest
import importlib

import pytest

MODULES = ["suite", "world", "checker", "report", "clean_alfred_l", "quality"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    mod = importlib.import_module(f"karma_bench.{name}")
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert res.failed == 0
