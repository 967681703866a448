"""The issue's "Done when" script runs green against the player."""
import os
import subprocess
import sys

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "sim", "examples",
                      "done_when.py")


def test_done_when_script():
    out = subprocess.run([sys.executable, SCRIPT], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("DONE")
