"""Shared body of the launch files: turn config/stack.yaml into launch_ros Node actions.

Runs only on a real ROS 2 install (launch and launch_ros are not on PyPI). The node list
and parameter files come from karma_bringup.stack, exactly as ``./karma up`` reads them.
"""
import os
import sys
from pathlib import Path

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'src' / 'karma_bringup'))
from karma_bringup.stack import load_stack  # noqa: E402

CONFIG_DIR = Path(__file__).resolve().parent.parent / 'config'


def stack_nodes(config: str, stack_name: str):
    """Node actions for ``stack_name`` of the stack file ``config``."""
    stack = load_stack(config)
    return [Node(package=spec.package, executable=spec.executable, name=spec.name,
                 parameters=[str(spec.params_file), stack.overrides.get(spec.key, {})],
                 output='screen', emulate_tty=True)
            for spec in stack.nodes_for(stack_name)]


def generate(stack_name: str) -> LaunchDescription:
    def _nodes(context):
        return stack_nodes(LaunchConfiguration('config').perform(context),
                           LaunchConfiguration('stack').perform(context))
    return LaunchDescription([
        DeclareLaunchArgument('config', default_value=str(CONFIG_DIR / 'stack.yaml'),
                              description='stack file (node list and parameter files)'),
        DeclareLaunchArgument('stack', default_value=stack_name,
                              description='which stack of the file to start'),
        OpaqueFunction(function=_nodes),
    ])
