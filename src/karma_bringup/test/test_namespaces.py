import pytest
from karma_ros_common.namespaces import expand_store_dir, namespace_key, normalize_namespace

from karma_bringup.up import main, node_command
from karma_bringup.stack import load_stack


def test_namespace_forms():
    assert normalize_namespace('robot1') == normalize_namespace('/robot1/') == '/robot1'
    assert normalize_namespace('') == normalize_namespace(None) == normalize_namespace('/') == ''
    assert namespace_key('/fleet/robot1') == 'fleet_robot1'
    assert namespace_key('') == 'default'
    for bad in ('1robot', 'robot-1', 'a/../b', 'r b'):
        with pytest.raises(ValueError, match='must start with a letter'):
            normalize_namespace(bad)


def test_default_store_lives_per_namespace():
    assert expand_store_dir('~/.karma/$namespace/memory', '/robot1', home='/h') == '/h/.karma/robot1/memory'
    assert expand_store_dir('~/.karma/$namespace/memory', '', home='/h') == '/h/.karma/default/memory'
    assert expand_store_dir('/tmp/x', '/robot1') == '/tmp/x'


def test_node_command_namespace_only_when_given():
    spec = load_stack().nodes['ltm']
    assert '__ns:=/robot1' in node_command(spec, namespace='/robot1')
    assert not any(a.startswith('__ns') for a in node_command(spec))


def test_dry_run_with_namespace(capsys):
    assert main(['--namespace', 'robot1', '--dry-run']) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4 and all('-r __ns:=/robot1' in line for line in lines)
    assert 'store_dir:=~/.karma/$namespace/memory' in ' '.join(lines)


@pytest.mark.parametrize('extra', [['--record', '/tmp/x.mcap'], ['--inspect']])
def test_namespace_with_recorder_or_inspector_is_refused_with_the_reason(extra):
    with pytest.raises(SystemExit, match='do not support --namespace'):
        main(['--namespace', 'robot1', '--dry-run', *extra])
