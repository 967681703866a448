"""Make karma_bench importable from the source tree when PYTHONPATH does not name it."""
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[3] / "src" / "karma_bench"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))
