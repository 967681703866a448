"""KARMA-ROS against AI2-THOR: the robot stack plus the simulator bridge (a real AI2-THOR
build when installed, else the embedded player). Usage: ros2 launch launch/karma_sim.launch.py
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _karma_stack import generate  # noqa: E402


def generate_launch_description():
    return generate('sim')
