"""KARMA-ROS against AI2-THOR: the robot stack plus the simulator bridge (a real AI2-THOR
build when installed, else the embedded player).
Usage: ros2 launch karma_bringup karma_sim.launch.py [namespace:=robot1]
"""
from karma_bringup.launch_description import generate


def generate_launch_description():
    return generate('sim')
