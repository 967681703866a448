"""Where the player executable lives (the CLI prints it for ``./karma thor-player-path``).

>>> player_path().endswith("thor_player")
True
"""
from __future__ import annotations

import os
from pathlib import Path


def player_path() -> str:
    """Absolute path of the executable to pass as ``local_executable_path``.

    In the source tree that is ``sim/thor_player``; in a colcon install it is the console
    script ``lib/karma_thor/thor_player`` next to the installed package.
    """
    here = Path(__file__).resolve().parent
    src = here.parent.parent / "thor_player"  # sim/karma_thor/karma_thor -> sim/thor_player
    if src.is_file() and os.access(src, os.X_OK):
        return str(src)
    for prefix in (os.environ.get("AMENT_PREFIX_PATH", "") or "").split(os.pathsep):
        cand = Path(prefix) / "lib" / "karma_thor" / "thor_player"
        if prefix and cand.is_file():
            return str(cand)
    return str(src)
