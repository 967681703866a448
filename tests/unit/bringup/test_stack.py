"""`./karma up` and the launch files start the same nodes with the same parameter files.

launch/launch_ros are not installable here, so the launch files run against a recording
stand-in of the two classes they use (Node, LaunchDescription); everything else is real.
"""
import importlib.util
import sys
import types
from pathlib import Path

import pytest
import yaml

from karma_bringup.stack import load_stack
from karma_bringup.up import node_command, parse_params

ROOT = Path(__file__).resolve().parents[3]
CONFIG = ROOT / 'config'


class _Recorded:
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


@pytest.fixture
def launch_standins(monkeypatch):
    launch = types.ModuleType('launch')
    launch.LaunchDescription = _Recorded
    actions = types.ModuleType('launch.actions')
    actions.DeclareLaunchArgument = _Recorded
    actions.OpaqueFunction = _Recorded
    subs = types.ModuleType('launch.substitutions')
    subs.LaunchConfiguration = _Recorded
    launch_ros = types.ModuleType('launch_ros')
    ros_actions = types.ModuleType('launch_ros.actions')
    ros_actions.Node = _Recorded
    for name, mod in {'launch': launch, 'launch.actions': actions, 'launch.substitutions': subs,
                      'launch_ros': launch_ros, 'launch_ros.actions': ros_actions}.items():
        monkeypatch.setitem(sys.modules, name, mod)
    monkeypatch.delitem(sys.modules, '_karma_stack', raising=False)


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem.replace('.', '_'), path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize('launch_file,stack_name', [('karma.launch.py', 'robot'),
                                                    ('karma_sim.launch.py', 'sim')])
def test_launch_files_start_the_same_nodes_as_karma_up(launch_standins, launch_file, stack_name):
    desc = _load(ROOT / 'launch' / launch_file).generate_launch_description()
    declared = {a.args[0]: a.kwargs['default_value'] for a in desc.args[0]
                if a.args and isinstance(a.args[0], str)}
    assert declared['stack'] == stack_name
    launched = _load(ROOT / 'launch' / '_karma_stack.py').stack_nodes(declared['config'], stack_name)
    stack = load_stack(CONFIG)
    expected = stack.nodes_for(stack_name)
    assert [(n.kwargs['package'], n.kwargs['executable'], n.kwargs['name']) for n in launched] == \
        [(s.package, s.executable, s.name) for s in expected]
    assert [n.kwargs['parameters'][0] for n in launched] == [str(s.params_file) for s in expected]
    for spec in expected:
        cmd = node_command(spec)
        assert cmd[cmd.index('--params-file') + 1] == str(spec.params_file)
        assert f'__node:={spec.name}' in cmd


def test_default_stack_has_no_simulator():
    stack = load_stack(CONFIG)
    assert stack.default_stack == 'robot'
    assert all('thor' not in s.package for s in stack.nodes_for())
    assert any('thor' in s.package for s in stack.nodes_for('sim'))


def test_every_node_has_a_params_file_for_its_name_in_any_namespace():
    # `/**/name` so the file applies under `karma up --namespace` too (a bare `name` key
    # matches only the root namespace).
    for spec in load_stack(CONFIG).nodes.values():
        data = yaml.safe_load(spec.params_file.read_text())
        key = f'/**/{spec.name}'
        assert key in data and 'ros__parameters' in data[key], spec.params_file


def test_every_node_module_exists():
    for spec in load_stack(CONFIG).nodes.values():
        assert importlib.util.find_spec(spec.python_module) is not None, spec.python_module


def test_param_overrides_parse_and_reject_garbage():
    assert parse_params(['ltm.store_dir:=/tmp/x']) == {'ltm': {'store_dir': '/tmp/x'}}
    with pytest.raises(SystemExit):
        parse_params(['store_dir=/tmp/x'])


def test_unknown_stack_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match='unknown stack'):
        load_stack(CONFIG).nodes_for('nope')
    bad = tmp_path / 'stack.yaml'
    bad.write_text('nodes: {a: {package: p, executable: e, params: x.yaml}}\nstacks: {s: [a, b]}\n')
    with pytest.raises(ValueError, match='unknown nodes'):
        load_stack(bad)
