"""ROS 2 message definitions as MCAP schemas (encoding ``ros2msg``), read from installed .msg files.

rosbag2, Foxglove and ``mcap-ros2-support`` decode a CDR message with the ``ros2msg`` schema:
the type's own .msg text followed by every nested type's text under a separator line and a
``MSG: pkg/Type`` line. The texts come from ``share/<pkg>/msg/<Type>.msg`` of each prefix in
``AMENT_PREFIX_PATH`` (``ros2_ws/install/*`` for ours) and the interpreter's prefix (the
venv, where the ROS wheels put theirs).

>>> text = ros2msg_schema("std_msgs/msg/Header")
>>> "MSG: builtin_interfaces/Time" in text
True
"""
from __future__ import annotations

import os
import re
import sys

SEPARATOR = "=" * 80
PRIMITIVES = frozenset(
    "bool byte char float32 float64 int8 uint8 int16 uint16 int32 uint32 int64 uint64 string "
    "wstring".split())
_CONSTANT = re.compile(r"^\s*\S+\s+[A-Za-z0-9_]+\s*=")   # "uint8 KIND_ADDED=1"
_FIELD = re.compile(r"^\s*([A-Za-z0-9_/]+)(?:<=\d+)?(?:\[[^\]]*\])?\s+[A-Za-z0-9_]+")


class SchemaError(LookupError):
    """A message definition could not be found."""


def _split(type_name: str) -> tuple[str, str]:
    """``pkg/msg/Type`` or ``pkg/Type`` -> ``(pkg, Type)``."""
    parts = type_name.split("/")
    if len(parts) == 3 and parts[1] == "msg":
        return parts[0], parts[2]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise SchemaError(f"not a message type name: {type_name!r}")


def definition(type_name: str, prefixes: list[str] | None = None) -> str:
    """The .msg text of ``type_name`` from the first prefix that has it."""
    pkg, name = _split(type_name)
    for prefix in prefixes if prefixes is not None else _prefixes():
        path = os.path.join(prefix, "share", pkg, "msg", name + ".msg")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return f.read()
    raise SchemaError(f"no definition of {pkg}/msg/{name} under AMENT_PREFIX_PATH")


def dependencies(pkg: str, text: str) -> list[str]:
    """Nested message types (``pkg/Type``) that a .msg text names, in order of appearance."""
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        m = _FIELD.match(line)
        if not m or _CONSTANT.match(line) or m.group(1) in PRIMITIVES:
            continue
        t = m.group(1)
        full = t if "/" in t else f"{pkg}/{t}"
        if full not in out:
            out.append(full)
    return out


def ros2msg_schema(type_name: str, prefixes: list[str] | None = None) -> str:
    """The full ``ros2msg`` schema text of ``type_name`` (itself, then every nested type)."""
    pkg, name = _split(type_name)
    root = definition(type_name, prefixes)
    parts, seen, todo = [root.rstrip("\n")], set(), dependencies(pkg, root)
    while todo:
        dep = todo.pop(0)
        if dep in seen:
            continue
        seen.add(dep)
        text = definition(dep, prefixes)
        parts.append(f"{SEPARATOR}\nMSG: {dep}\n{text.rstrip(chr(10))}")
        todo += [d for d in dependencies(dep.split("/")[0], text) if d not in seen]
    return "\n".join(parts) + "\n"


def _prefixes() -> list[str]:
    # The ROS wheels install their share/ into the interpreter's prefix, which a sourced
    # workspace does not always list.
    found = [p for p in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep) if p]
    return found + [p for p in (sys.prefix, sys.base_prefix) if p not in found]
