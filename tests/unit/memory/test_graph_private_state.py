"""The scene graph's serialisers, store, history, renderer and corrections use its public API:
none of them reads or writes a private field of another object (``graph._g``, ``graph._dirty``)."""
import ast
from pathlib import Path

import pytest

import karma_memory

PKG = Path(karma_memory.__file__).parent
SIBLINGS = ["node_link.py", "store.py", "history.py", "render.py", "corrections.py"]


def private_uses(source: str) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))):
            out.append(f"line {node.lineno}: .{node.attr}")
    return out


def test_the_check_sees_a_private_write():
    assert private_uses("graph._dirty |= x") == ["line 1: ._dirty"]
    assert private_uses("self._db.execute('x')") == []


@pytest.mark.parametrize("name", SIBLINGS)
def test_sibling_uses_only_the_graph_api(name):
    assert private_uses((PKG / name).read_text()) == []
