"""KARMA-ROS on a robot: long- and short-term memory, planner, task executor. No simulator.

The robot must provide /karma/perception/objects and the /karma/execute_skill action
(see README "Running on a robot"). Usage: ros2 launch launch/karma.launch.py
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _karma_stack import generate  # noqa: E402


def generate_launch_description():
    return generate('robot')
