"""`./karma up --record FILE --inspect`: the recorder (first, writing FILE) and the inspector."""
from pathlib import Path

from karma_bringup.stack import load_stack
from karma_bringup.up import add_optional_nodes, main, node_command

CONFIG = Path(__file__).resolve().parents[3] / 'config'


def test_record_and_inspect_add_their_nodes(tmp_path):
    stack = load_stack(CONFIG)
    base = stack.nodes_for('sim')
    specs, params = add_optional_nodes(stack, base, {}, str(tmp_path / 'run.mcap'), inspect=True)
    keys = [s.key for s in specs]
    assert keys[0] == 'recorder' and keys[-1] == 'inspector' and keys[1:-1] == [s.key for s in base]
    assert params['recorder']['path'] == str(tmp_path / 'run.mcap')
    cmd = node_command(specs[0], params['recorder'])
    assert cmd[cmd.index('-m') + 1] == 'karma_inspector.recorder_node'
    assert cmd[-1] == f'path:={tmp_path / "run.mcap"}'
    assert add_optional_nodes(stack, base, {})[0] == base               # nothing asked, nothing added


def test_optional_nodes_are_in_no_stack_by_default():
    stack = load_stack(CONFIG)
    assert all(k not in members for members in stack.stacks.values() for k in ('recorder', 'inspector'))


def test_dry_run_prints_the_recorder_command(tmp_path, capsys):
    assert main(['--sim', '--record', str(tmp_path / 'x.mcap'), '--dry-run']) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert 'karma_inspector.recorder_node' in first and f'path:={tmp_path / "x.mcap"}' in first
    assert 'autostart' not in first          # a plain node, not managed
