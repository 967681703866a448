"""The examples in the core modules' docstrings run."""
import doctest
import importlib

import pytest

CORE = ['backend', 'perception', 'profiles', 'navigation', 'resolve', 'skills', 'hand',
        'world_change']


@pytest.mark.parametrize('name', CORE)
def test_doctests(name):
    mod = importlib.import_module(f'karma_thor_bridge.{name}')
    assert doctest.testmod(mod, optionflags=doctest.ELLIPSIS).failed == 0


def test_the_core_imports_no_rclpy():
    import subprocess
    import sys
    code = ('import sys, karma_thor_bridge.backend, karma_thor_bridge.perception, '
            'karma_thor_bridge.skills; sys.exit("rclpy" in sys.modules)')
    assert subprocess.run([sys.executable, '-c', code], env=_env()).returncode == 0


def _env():
    import os
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(p for p in importlib.import_module('sys').path if p)
    return env
