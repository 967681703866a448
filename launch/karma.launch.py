"""KARMA-ROS on a robot: long- and short-term memory, planner, task executor. No simulator.

The robot must provide karma/perception/objects and the karma/execute_skill action in the
stack's namespace (see README "Running on a robot").
Usage: ros2 launch karma_bringup karma.launch.py [namespace:=robot1] [sim:=true]
"""
from karma_bringup.launch_description import generate


def generate_launch_description():
    return generate('robot')
