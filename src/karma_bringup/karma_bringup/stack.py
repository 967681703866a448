"""The stack description in ``config/stack.yaml``, shared by ``./karma up`` and the launch files.

Both start exactly the nodes this module returns, with the same parameter files, so they
cannot drift apart (``src/karma_bringup/test/test_stack.py`` checks the launch files use it).

Example::

    >>> stack = load_stack(config_dir)                  # doctest: +SKIP
    >>> [n.key for n in stack.nodes_for('robot')]       # doctest: +SKIP
    ['ltm', 'stm', 'planner', 'executor']
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from karma_ros_common.resources import installed_config


@dataclass(frozen=True)
class NodeSpec:
    """One node of the stack: the ROS package and executable, its name and parameter file."""

    key: str
    package: str
    executable: str
    name: str
    params_file: Path
    description: str = ''
    module: str = ''
    managed: bool = True    # a lifecycle node (``lifecycle: false`` in stack.yaml for plain ones)

    @property
    def python_module(self) -> str:
        """The module whose ``main()`` runs the node (``<package>.<executable>``)."""
        return self.module or f'{self.package}.{self.executable}'


@dataclass
class Stack:
    nodes: dict[str, NodeSpec]
    stacks: dict[str, list[str]]
    default_stack: str
    config_dir: Path
    overrides: dict[str, dict] = field(default_factory=dict)

    def nodes_for(self, stack: str | None = None) -> list[NodeSpec]:
        """The nodes of ``stack`` (the default stack when None), in start order."""
        name = stack or self.default_stack
        if name not in self.stacks:
            raise ValueError(f'unknown stack {name!r}; known: {sorted(self.stacks)}')
        return [self.nodes[k] for k in self.stacks[name]]


def default_config_dir() -> Path:
    """``$KARMA_CONFIG_DIR``, else the installed ``share/karma_bringup/config`` (the ament
    index), else ``$KARMA_ROOT/config``, else the repo's config/."""
    if os.environ.get('KARMA_CONFIG_DIR'):
        return Path(os.environ['KARMA_CONFIG_DIR'])
    installed = installed_config('stack.yaml')
    if installed is not None:
        return installed.parent
    if os.environ.get('KARMA_ROOT'):
        return Path(os.environ['KARMA_ROOT']) / 'config'
    return Path(__file__).resolve().parents[3] / 'config'


def load_stack(config: Path | str | None = None) -> Stack:
    """Read a stack file (``config/stack.yaml`` by default) and check it is consistent.

    ``config`` may be a directory holding ``stack.yaml`` or the path of a stack file; a
    stack file may name ``base: other.yaml`` and override ``stacks``/``default_stack``/
    ``overrides`` (per-node parameter overrides, applied after the params file).
    """
    path = Path(config) if config else default_config_dir()
    if path.is_dir():
        path = path / 'stack.yaml'
    data = yaml.safe_load(path.read_text()) or {}
    if 'base' in data:
        base = yaml.safe_load((path.parent / data['base']).read_text()) or {}
        base.update({k: v for k, v in data.items() if k != 'base'})
        data = base
    config_dir = path.parent
    nodes = {}
    for key, spec in (data.get('nodes') or {}).items():
        for required in ('package', 'executable', 'params'):
            if required not in spec:
                raise ValueError(f'{path}: node {key!r} lacks {required!r}')
        nodes[key] = NodeSpec(key=key, package=spec['package'], executable=spec['executable'],
                              name=spec.get('name', spec['executable']),
                              params_file=(config_dir / spec['params']).resolve(),
                              description=spec.get('description', ''),
                              module=spec.get('module', ''),
                              managed=bool(spec.get('lifecycle', True)))
    stacks = {k: list(v) for k, v in (data.get('stacks') or {}).items()}
    for name, members in stacks.items():
        unknown = [m for m in members if m not in nodes]
        if unknown:
            raise ValueError(f'{path}: stack {name!r} names unknown nodes {unknown}')
    default = data.get('default_stack', next(iter(stacks), ''))
    if default not in stacks:
        raise ValueError(f'{path}: default_stack {default!r} is not a stack')
    return Stack(nodes=nodes, stacks=stacks, default_stack=default, config_dir=config_dir,
                 overrides=data.get('overrides') or {})
