"""Voxel-hash spatial index: constant-time neighbour candidates, no scan of every node.

Each entry lives in one cubic cell per tag (a tag groups entries, e.g. by object type, so a
query for "Apple near p" only touches apples). Queries return candidates from the cells a
sphere overlaps; callers compute exact distances.

>>> idx = VoxelIndex(cell=1.0)
>>> idx.insert("a", (0.2, 0.0, 0.2), tags=("Apple",))
>>> idx.insert("b", (5.0, 0.0, 5.0), tags=("Apple",))
>>> sorted(idx.near((0.0, 0.0, 0.0), 0.5, "Apple"))
['a']
"""
from __future__ import annotations

import math
from typing import Hashable, Iterator

Vec3 = tuple[float, float, float]


class VoxelIndex:
    """Map ``(tag, cell)`` -> ids. ``None`` is the implicit tag of every entry."""

    def __init__(self, cell: float = 1.0):
        if cell <= 0:
            raise ValueError("cell must be > 0")
        self.cell = float(cell)
        self._cells: dict[tuple, set[str]] = {}
        self._where: dict[str, tuple[tuple[int, int, int], tuple[Hashable, ...]]] = {}

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, key: str) -> bool:
        return key in self._where

    def _key(self, p: Vec3) -> tuple[int, int, int]:
        c = self.cell
        return (math.floor(p[0] / c), math.floor(p[1] / c), math.floor(p[2] / c))

    def insert(self, key: str, pos: Vec3, tags: tuple[Hashable, ...] = ()) -> None:
        """Add or move ``key`` to ``pos`` under ``tags`` (plus the implicit ``None``)."""
        cell = self._key(pos)
        old = self._where.get(key)
        if old is not None:
            if old[0] == cell and old[1] == tags:
                return  # the common case: re-observed without leaving its cell
            self.remove(key)
        self._where[key] = (cell, tags)
        for t in (None, *tags):
            self._cells.setdefault((t, *cell), set()).add(key)

    def remove(self, key: str) -> None:
        """Forget ``key`` (no error when absent)."""
        old = self._where.pop(key, None)
        if old is None:
            return
        cell, tags = old
        for t in (None, *tags):
            bucket = self._cells.get((t, *cell))
            if bucket is not None:
                bucket.discard(key)
                if not bucket:
                    del self._cells[(t, *cell)]

    def near(self, pos: Vec3, radius: float, tag: Hashable = None) -> Iterator[str]:
        """Yield ids under ``tag`` in every cell the sphere (pos, radius) overlaps."""
        lo = self._key((pos[0] - radius, pos[1] - radius, pos[2] - radius))
        hi = self._key((pos[0] + radius, pos[1] + radius, pos[2] + radius))
        cells = self._cells
        n = (hi[0] - lo[0] + 1) * (hi[1] - lo[1] + 1) * (hi[2] - lo[2] + 1)
        if n > len(cells):
            # A huge sphere: walking the occupied cells is cheaper than enumerating empty ones.
            for (t, x, y, z), bucket in list(cells.items()):
                if t == tag and lo[0] <= x <= hi[0] and lo[1] <= y <= hi[1] and lo[2] <= z <= hi[2]:
                    yield from bucket
            return
        for x in range(lo[0], hi[0] + 1):
            for y in range(lo[1], hi[1] + 1):
                for z in range(lo[2], hi[2] + 1):
                    bucket = cells.get((tag, x, y, z))
                    if bucket:
                        yield from bucket

    def clear(self) -> None:
        self._cells.clear()
        self._where.clear()


class FootprintIndex:
    """Receptacles by the ground-plane cells their (inflated) footprint covers.

    A receptacle is registered in every ``cell`` x ``cell`` square its box footprint, grown by
    ``pad`` on each side, overlaps; finding the receptacles that could hold or be near a point
    is then one dict look-up, whatever the receptacle's size.

    >>> fp = FootprintIndex(cell=0.5, pad=0.0)
    >>> fp.insert("Table|1", (0.0, 0.0, 0.75), (2.0, 1.0, 0.1))
    >>> sorted(fp.at(0.9, 0.4)), sorted(fp.at(3.0, 0.0))
    (['Table|1'], [])
    """

    def __init__(self, cell: float = 0.5, pad: float = 1.0):
        self.cell = float(cell)
        self.pad = float(pad)
        self._cells: dict[tuple[int, int], set[str]] = {}
        self._where: dict[str, list[tuple[int, int]]] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._where

    def insert(self, key: str, pos: Vec3, size: Vec3) -> None:
        """Register (or re-register) ``key`` with box centre ``pos`` and extents ``size``."""
        self.remove(key)
        c, p = self.cell, self.pad
        x0 = math.floor((pos[0] - size[0] / 2 - p) / c)
        x1 = math.floor((pos[0] + size[0] / 2 + p) / c)
        y0 = math.floor((pos[1] - size[1] / 2 - p) / c)
        y1 = math.floor((pos[1] + size[1] / 2 + p) / c)
        cells = [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
        for k in cells:
            self._cells.setdefault(k, set()).add(key)
        self._where[key] = cells

    def remove(self, key: str) -> None:
        for k in self._where.pop(key, ()):
            bucket = self._cells.get(k)
            if bucket is not None:
                bucket.discard(key)
                if not bucket:
                    del self._cells[k]

    def at(self, x: float, y: float) -> set[str]:
        """Receptacles whose inflated footprint covers ``(x, y)`` (a set the caller must not modify)."""
        return self._cells.get((math.floor(x / self.cell), math.floor(y / self.cell)), _EMPTY)

    def clear(self) -> None:
        self._cells.clear()
        self._where.clear()


_EMPTY: set[str] = set()
