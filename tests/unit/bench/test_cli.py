"""The `karma` command line: dispatch, help, errors, and `karma up --dry-run`."""
import subprocess
from pathlib import Path

import pytest

from karma_bench import cli

ROOT = Path(__file__).resolve().parents[3]


def test_help_lists_the_subcommands(capsys):
    assert cli.main(['--help']) == 0
    text = capsys.readouterr().out
    for word in ('up', 'bench', 'demo', 'train planner', 'replay', 'thor-player-path', 'exec'):
        assert word in text


@pytest.mark.parametrize('argv', [['frobnicate'], ['bench'], ['bench', 'nope'], ['train'], ['train', 'nope'], []])
def test_bad_commands_exit_2(argv):
    assert cli.main(argv) == 2


def test_thor_player_path_is_an_executable(capsys):
    assert cli.main(['thor-player-path']) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.is_file() and path.stat().st_mode & 0o111


def test_karma_up_dry_run_prints_one_command_per_node():
    out = subprocess.run([str(ROOT / 'karma'), 'up', '--dry-run', '--param',
                          'ltm.store_dir:=/tmp/x'], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 4 and not any('thor_bridge' in l for l in lines)
    assert any('store_dir:=/tmp/x' in l and 'ltm_node' in l for l in lines)
    sim = subprocess.run([str(ROOT / 'karma'), 'up', '--sim', '--dry-run'],
                         capture_output=True, text=True, timeout=60)
    assert sum('thor_bridge' in l for l in sim.stdout.splitlines()) == 1


def test_karma_up_rejects_unknown_nodes():
    out = subprocess.run([str(ROOT / 'karma'), 'up', '--dry-run', '--param', 'nope.x:=1'],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0 and 'unknown node' in out.stderr


def test_bring_up_commands_are_bring_ups(capsys):
    """`karma` hands bring-up's commands to karma_bringup.cli, which knows nothing of benchmarks."""
    from karma_bringup import cli as bringup_cli
    assert bringup_cli.main(['bench', 'memory']) == 2
    assert cli.main(['thor-player-path']) == 0
