"""The ``karma`` command line (run through ``./karma`` at the repo root).

Sub-commands:
  up [--config FILE] [--sim]    start the stack (see karma_bringup.up)
  replay FILE [--ltm-params F]  feed a recording's perception into a fresh memory, compare graphs
  bench NAME --out DIR ...      run benchmark NAME: memory, sim, retrieval, tasks, soak, fleet
  demo [--planner P] ...        one KARMA episode on the embedded player (see karma_bench.demo)
  train planner ...             trace plans in the training scenes, LoRA-fine-tune the local model
  thor-player-path              print the embedded THOR player's executable
  exec CMD ...                  (handled by ./karma itself) run CMD in the environment

``bench``, ``demo`` and ``train`` are dispatched here, in the benchmark package, which sits above
bring-up (bring-up never imports it; training reads the benchmark's scene data and the bridge's
perception); the other commands are bring-up's (:mod:`karma_bringup.cli`).
"""
from __future__ import annotations

import importlib
import sys

from karma_bringup import cli as bringup_cli

BENCHMARKS = ('memory', 'sim', 'retrieval', 'tasks', 'soak', 'fleet', 'plan')


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ('-h', '--help', 'help'):
        print(__doc__)
        return 0 if argv else 2
    cmd, rest = argv[0], argv[1:]
    if cmd == 'bench':
        if not rest or rest[0] not in BENCHMARKS:
            print(f'karma bench: name one of {", ".join(BENCHMARKS)}', file=sys.stderr)
            return 2
        module = importlib.import_module(f'karma_bench.{rest[0]}')
        return int(module.main(rest[1:]) or 0)
    if cmd == 'demo':
        from karma_bench.demo import main as demo_main
        return int(demo_main(rest) or 0)
    if cmd == 'train':
        if not rest or rest[0] != 'planner':
            print('karma train: name what to train: planner', file=sys.stderr)
            return 2
        from karma_bench.training.cli import main as train_main
        return int(train_main(rest[1:]) or 0)
    if cmd in ('up', 'replay', 'thor-player-path'):
        return bringup_cli.main(argv)
    print(f'karma: unknown command {cmd!r}\n{__doc__}', file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main())
