"""Per-namespace defaults: where a stack under a ROS namespace keeps its files.

Two robots on one machine must not share a memory, so the default store directory names the
namespace: ``~/.karma/$namespace/memory`` is ``~/.karma/robot1/memory`` for a node under
``/robot1`` and ``~/.karma/default/memory`` without a namespace. Plain Python (no rclpy), so
``./karma up`` (which has no node) and the nodes agree.

Example::

    >>> expand_store_dir('~/.karma/$namespace/memory', '/robot1', home='/home/r')
    '/home/r/.karma/robot1/memory'
    >>> namespace_key('/')
    'default'
"""
from __future__ import annotations

import os
import re

NAMESPACE_TOKEN = '$namespace'
DEFAULT_KEY = 'default'
_VALID = re.compile(r'^[A-Za-z][A-Za-z0-9_]*$')


def normalize_namespace(namespace: str | None) -> str:
    """``'robot1'``/``'/robot1/'`` -> ``'/robot1'``; ``''``/``None`` -> ``''``.

    Raises ValueError for a name ROS would reject, so ``karma up --namespace`` fails with the
    reason before starting any node."""
    parts = [p for p in (namespace or '').strip().split('/') if p]
    for part in parts:
        if not _VALID.match(part):
            raise ValueError(f'namespace {namespace!r}: each part must start with a letter and '
                             f'hold only letters, digits and _ (got {part!r})')
    return '/' + '/'.join(parts) if parts else ''


def namespace_key(namespace: str | None) -> str:
    """A file-name-safe key of ``namespace``: ``'/a/b'`` -> ``'a_b'``, none -> ``'default'``."""
    ns = normalize_namespace(namespace)
    return ns.strip('/').replace('/', '_') or DEFAULT_KEY


def expand_store_dir(path: str, namespace: str | None, home: str | None = None) -> str:
    """``path`` with ``$namespace`` replaced by :func:`namespace_key` and ``~`` expanded."""
    path = path.replace(NAMESPACE_TOKEN, namespace_key(namespace))
    if home is not None and (path == '~' or path.startswith('~/')):
        return os.path.abspath(home + path[1:])
    return os.path.abspath(os.path.expanduser(path))
