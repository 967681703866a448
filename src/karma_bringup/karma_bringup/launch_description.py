"""The launch description of the stack, shared by ``launch/karma.launch.py`` and
``launch/karma_sim.launch.py``.

:func:`describe` lists the nodes as plain data, from :func:`karma_bringup.stack.load_stack`
as ``./karma up`` does, so both start the same nodes with the same parameter files.
:func:`generate` turns that into ``launch_ros`` actions: a ``LifecycleNode`` for each managed
node (with its ``autostart`` parameter from the launch argument, default true: each node
configures and activates itself, as Navigation2's lifecycle manager does with autostart; with
``autostart:=false`` they wait for a lifecycle manager), a plain ``Node`` otherwise. It runs only
on a real ROS 2 install (launch and launch_ros are not on PyPI), imported as a package (no
path arithmetic): ``ros2 launch karma_bringup karma.launch.py [namespace:=robot1] [sim:=true]``.

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
    """One dict per node (package, executable, name, namespace, parameters, lifecycle) in
    start order; ``config`` None or '' reads the installed ``config/stack.yaml``."""
    stack = load_stack(config or None)
    ns = normalize_namespace(namespace)
    return [{'package': spec.package, 'executable': spec.executable, 'name': spec.name,
             'namespace': ns, 'parameters': [str(spec.params_file),
                                             dict(stack.overrides.get(spec.key, {}))],
             'lifecycle': spec.managed}
            for spec in stack.nodes_for(stack_name)]


def stack_nodes(config: str, stack_name: str, namespace: str = '', autostart: bool = True) -> list:
    """launch_ros actions for ``stack_name`` of ``config`` under ``namespace``: LifecycleNode
    for managed nodes (``autostart`` as their parameter), Node for the others."""
    from launch_ros.actions import LifecycleNode, Node
    out = []
    for d in describe(config, stack_name, namespace):
        kind, params = Node, d['parameters']
        if d['lifecycle']:
            kind, params = LifecycleNode, params + [{'autostart': autostart}]
        out.append(kind(package=d['package'], executable=d['executable'], name=d['name'],
                        namespace=d['namespace'], parameters=params,
                        output='screen', emulate_tty=True))
    return out


def generate(stack_name: str):
    """The LaunchDescription: arguments config, stack, sim, namespace; then the nodes."""
    from launch import LaunchDescription
    from launch.actions import DeclareLaunchArgument, OpaqueFunction
    from launch.substitutions import LaunchConfiguration

    def _nodes(context):
        sim = LaunchConfiguration('sim').perform(context).strip().lower() in TRUE
        autostart = LaunchConfiguration('autostart').perform(context).strip().lower() in TRUE
        return stack_nodes(LaunchConfiguration('config').perform(context),
                           'sim' if sim else LaunchConfiguration('stack').perform(context),
                           LaunchConfiguration('namespace').perform(context), autostart)
    return LaunchDescription([
        DeclareLaunchArgument('config', default_value='',
                              description='stack file (default: the installed config/stack.yaml)'),
        DeclareLaunchArgument('stack', default_value=stack_name,
                              description='which stack of the file to start'),
        DeclareLaunchArgument('sim', default_value='false',
                              description='true: the stack with the AI2-THOR bridge'),
        DeclareLaunchArgument('namespace', default_value='',
                              description='ROS namespace of every node (e.g. robot1)'),
        DeclareLaunchArgument('autostart', default_value='true',
                              description='true: each lifecycle node configures and activates '
                                          'itself; false: they wait for a lifecycle manager'),
        OpaqueFunction(function=_nodes),
    ])
