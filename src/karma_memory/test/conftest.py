"""Make the memory core importable before the colcon workspace is built (src/ on sys.path)."""
import os
import sys

_SRC = os.path.join(os.path.dirname(__file__), "..", "..", "..", "src", "karma_memory")
try:
    import karma_memory  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.abspath(_SRC))
