"""The bring-up commands of the ``karma`` command line.

``./karma`` runs :mod:`karma_bench.cli`, which adds ``bench``, ``demo`` and ``train`` (they sit
above bring-up in the package graph: bring-up never imports them) and hands every other
command to :func:`main` here.

Sub-commands:
  up [--config FILE] [--sim]    start the stack (see karma_bringup.up)
  replay FILE [--ltm-params F]  feed a recording's perception into a fresh memory, compare graphs
  thor-player-path              print the embedded THOR player's executable
"""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ('-h', '--help', 'help'):
        print(__doc__)
        return 0 if argv else 2
    cmd, rest = argv[0], argv[1:]
    if cmd == 'up':
        from karma_bringup.up import main as up_main
        return up_main(rest)
    if cmd == 'replay':
        from karma_inspector.replay import main as replay_main
        return replay_main(rest)
    if cmd == 'thor-player-path':
        from karma_thor import player_path
        print(player_path())
        return 0
    print(f'karma: unknown command {cmd!r}\n{__doc__}', file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main())
