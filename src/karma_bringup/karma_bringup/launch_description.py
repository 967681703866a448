"""The launch description of the stack, shared by ``launch/karma.launch.py`` and
``launch/karma_sim.launch.py``.

:func:`describe` lists the nodes as plain data, from :func:`karma_bringup.stack.load_stack`
as ``./karma up`` does, so both start the same nodes with the same parameter files.
:func:`generate` turns that into ``launch_ros`` Node actions; it runs only on a real ROS 2
install (launch and launch_ros are not on PyPI), imported as a package (no path arithmetic):
``ros2 launch karma_bringup karma.launch.py [namespace:=robot1] [sim:=true]``.

Example::

    >>> [d['name'] for d in describe(None, 'robot', 'robot1')]   # doctest: +SKIP
    ['ltm_node', 'stm_node', 'planner_node', 'executor_node']
"""
from __future__ import annotations

from pathlib import Path

from karma_bringup.stack import load_stack
from karma_ros_common.namespaces import normalize_namespace

TRUE = ('true', '1', 'yes', 'on')


def describe(config: Path | str | None, stack_name: str | None = None,
             namespace: str = '') -> list[dict]:
    """One dict per node (package, executable, name, namespace, parameters) in start order;
    ``config`` None or '' reads the installed ``config/stack.yaml``."""
    stack = load_stack(config or None)
    ns = normalize_namespace(namespace)
    return [{'package': spec.package, 'executable': spec.executable, 'name': spec.name,
             'namespace': ns, 'parameters': [str(spec.params_file),
                                             dict(stack.overrides.get(spec.key, {}))]}
            for spec in stack.nodes_for(stack_name)]


def stack_nodes(config: str, stack_name: str, namespace: str = '') -> list:
    """launch_ros Node actions for ``stack_name`` of ``config`` under ``namespace``."""
    from launch_ros.actions import Node
    return [Node(package=d['package'], executable=d['executable'], name=d['name'],
                 namespace=d['namespace'], parameters=d['parameters'],
                 output='screen', emulate_tty=True)
            for d in describe(config, stack_name, namespace)]


def generate(stack_name: str):
    """The LaunchDescription: arguments config, stack, sim, namespace; then the nodes."""
    from launch import LaunchDescription
    from launch.actions import DeclareLaunchArgument, OpaqueFunction
    from launch.substitutions import LaunchConfiguration

    def _nodes(context):
        sim = LaunchConfiguration('sim').perform(context).strip().lower() in TRUE
        return stack_nodes(LaunchConfiguration('config').perform(context),
                           'sim' if sim else LaunchConfiguration('stack').perform(context),
                           LaunchConfiguration('namespace').perform(context))
    return LaunchDescription([
        DeclareLaunchArgument('config', default_value='',
                              description='stack file (default: the installed config/stack.yaml)'),
        DeclareLaunchArgument('stack', default_value=stack_name,
                              description='which stack of the file to start'),
        DeclareLaunchArgument('sim', default_value='false',
                              description='true: the stack with the AI2-THOR bridge'),
        DeclareLaunchArgument('namespace', default_value='',
                              description='ROS namespace of every node (e.g. robot1)'),
        OpaqueFunction(function=_nodes),
    ])
