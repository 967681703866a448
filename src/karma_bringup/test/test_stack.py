"""`./karma up` and the installed launch files start the same nodes with the same parameter files.

launch/launch_ros are not installable here, so the launch files run against a recording
stand-in of the classes they use (Node, LifecycleNode, LaunchDescription); everything else is real.
"""
import importlib.util
import sys
import types
from pathlib import Path

import pytest
import yaml

from karma_bringup.stack import default_config_dir, load_stack
from karma_ros_common.resources import installed_config, installed_launch_dir, share_dir
from karma_bringup.up import node_command, parse_params

ROOT = Path(__file__).resolve().parents[3]
CONFIG = ROOT / 'config'


class _Recorded:
    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


class _RecordedLifecycle(_Recorded):
    """launch_ros.actions.LifecycleNode stand-in (a managed node)."""


class _Configuration(_Recorded):
    """LaunchConfiguration stand-in: ``perform(context)`` reads the context's value."""

    def perform(self, context):
        return context.values[self.args[0]]


class _Context:
    def __init__(self, values):
        self.values = values


@pytest.fixture
def launch_standins(monkeypatch):
    launch = types.ModuleType('launch')
    launch.LaunchDescription = _Recorded
    actions = types.ModuleType('launch.actions')
    actions.DeclareLaunchArgument = _Recorded
    actions.OpaqueFunction = _Recorded
    subs = types.ModuleType('launch.substitutions')
    subs.LaunchConfiguration = _Configuration
    launch_ros = types.ModuleType('launch_ros')
    ros_actions = types.ModuleType('launch_ros.actions')
    ros_actions.Node = _Recorded
    ros_actions.LifecycleNode = _RecordedLifecycle
    for name, mod in {'launch': launch, 'launch.actions': actions, 'launch.substitutions': subs,
                      'launch_ros': launch_ros, 'launch_ros.actions': ros_actions}.items():
        monkeypatch.setitem(sys.modules, name, mod)


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem.replace('.', '_'), path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


SHARE = share_dir('karma_bringup')


def test_installed_share_holds_the_launch_and_parameter_files():
    """`make setup` installs launch/ and config/ into share/karma_bringup (the ament index)."""
    assert SHARE is not None and SHARE.parts[-4:] == ('install', 'karma_bringup', 'share', 'karma_bringup')
    for folder in ('launch', 'config'):
        sources = sorted(p.relative_to(ROOT) for p in (ROOT / folder).rglob('*')
                         if p.is_file() and '__pycache__' not in p.parts)
        installed = sorted(p.relative_to(SHARE) for p in (SHARE / folder).rglob('*')
                           if p.is_file() and '__pycache__' not in p.parts)
        assert sources and installed == sources, folder
        for rel in installed:   # the top-level folders stay the single source
            assert (SHARE / rel).read_bytes() == (ROOT / rel).read_bytes(), rel
    assert installed_launch_dir() == SHARE / 'launch'
    assert installed_config('prompts') == SHARE / 'config' / 'prompts'
    assert default_config_dir() == SHARE / 'config'   # what ./karma up reads


@pytest.mark.parametrize('launch_file,stack_name,sim', [('karma.launch.py', 'robot', 'false'),
                                                        ('karma.launch.py', 'sim', 'true'),
                                                        ('karma_sim.launch.py', 'sim', 'false')])
@pytest.mark.parametrize('namespace', ['', 'robot1'])
def test_installed_launch_files_start_the_same_nodes_as_karma_up(launch_standins, launch_file,
                                                                 stack_name, sim, namespace):
    text = (SHARE / 'launch' / launch_file).read_text()
    assert '__file__' not in text and 'sys.path' not in text   # no path arithmetic
    desc = _load(SHARE / 'launch' / launch_file).generate_launch_description()
    declared = {a.args[0]: a.kwargs['default_value'] for a in desc.args[0]
                if a.args and isinstance(a.args[0], str)}
    assert set(declared) == {'config', 'stack', 'sim', 'namespace', 'autostart'}
    assert declared['autostart'] == 'true'
    values = dict(declared, sim=sim, namespace=namespace)
    opaque = desc.args[0][-1]
    launched = opaque.kwargs['function'](_Context(values))
    expected = load_stack().nodes_for(stack_name)    # ./karma up's stack
    assert [(n.kwargs['package'], n.kwargs['executable'], n.kwargs['name']) for n in launched] == \
        [(s.package, s.executable, s.name) for s in expected]
    assert [n.kwargs['parameters'][0] for n in launched] == [str(s.params_file) for s in expected]
    # managed nodes are LifecycleNodes that bring themselves up (autostart), as karma up's
    # nodes are brought up by karma up (autostart:=false, it is their lifecycle manager)
    assert [isinstance(n, _RecordedLifecycle) for n in launched] == [s.managed for s in expected]
    assert all(n.kwargs['parameters'][-1] == {'autostart': True} for n in launched
               if isinstance(n, _RecordedLifecycle))
    assert all(n.kwargs['namespace'] == ('/robot1' if namespace else '') for n in launched)
    up_ns = '/robot1' if namespace else ''
    for spec in expected:
        cmd = node_command(spec, namespace=up_ns)
        assert cmd[cmd.index('--params-file') + 1] == str(spec.params_file)
        assert f'__node:={spec.name}' in cmd
        assert (f'__ns:={up_ns}' in cmd) == bool(namespace)


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
