"""The fault suite uses the integration tests' process fixtures (nodes in their own processes
over DDS on loopback): ``ros_env``, ``ros_node``, ``spawn_node``, ``spawn_python``."""
import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "_karma_integration_fixtures", Path(__file__).resolve().parents[1] / "integration" / "conftest.py")
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)

ros_env = _fixtures.ros_env
ros_node = _fixtures.ros_node
spawn_node = _fixtures.spawn_node
spawn_python = _fixtures.spawn_python
ROOT = _fixtures.ROOT
