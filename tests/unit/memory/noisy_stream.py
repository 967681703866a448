"""A seeded id-less detection stream, as a robot's detector gives it (for the memory tests).

Objects in view are missed with ``dropout``, positions get Gaussian noise per axis, labels are
swapped for a look-alike with ``confusion``, and ``false_rate`` false detections per frame
appear at random visible points. No instance ids: the memory must associate.
"""
from __future__ import annotations

import math

import numpy as np

from karma_memory import Observation, Observer
from karma_memory.geometry import in_view
from karma_domain.lookalikes import lookalikes


def camera(eye, yaw_deg, fov=90.0, rng=4.0) -> Observer:
    """A level camera at ``eye`` looking along REP-103 yaw (0 = +x, 90 = +y, about +z up)."""
    h = math.radians(yaw_deg) / 2
    return Observer(tuple(map(float, eye)), (0.0, 0.0, math.sin(h), math.cos(h)), fov, rng,
                    forward_axis="x")


class Stream:
    def __init__(self, world: dict, seed=0, noise=0.05, dropout=0.2, confusion=0.03,
                 false_rate=0.05, false_types=("Mug", "Apple", "Pen")):
        self.world = {k: dict(v) for k, v in world.items()}   # name -> type, pos, size, rec
        self.rng = np.random.default_rng(seed)
        self.noise, self.dropout, self.confusion = noise, dropout, confusion
        self.false_rate, self.false_types = false_rate, false_types
        self.t = 0.0

    def visible(self, cam: Observer, pos) -> bool:
        half = math.radians(cam.fov_deg / 2) * 0.8
        return in_view(pos, cam.position, cam.forward(), half, cam.max_range)

    def frame(self, cam: Observer) -> list[Observation]:
        out = []
        for name in sorted(self.world):
            o = self.world[name]
            drop = self.rng.random() < self.dropout
            noise = self.rng.normal(0.0, self.noise, 3)
            swap = self.rng.random() < self.confusion
            if drop or not self.visible(cam, o["pos"]):
                continue
            label = o["type"]
            if swap and lookalikes(label):
                label = sorted(lookalikes(label))[0]
            size = tuple(s * (1 + self.rng.normal(0, 0.1)) for s in o.get("size", (0.1, 0.1, 0.1)))
            out.append(Observation(label, "", 0.9, tuple(np.asarray(o["pos"]) + noise), size,
                                   is_receptacle=o.get("rec", False)))
        if self.rng.random() < self.false_rate:
            d = self.rng.uniform(1.0, cam.max_range * 0.8)
            f = cam.forward()
            p = tuple(c + d * fc + self.rng.normal(0, 0.3) for c, fc in zip(cam.position, f))
            out.append(Observation(str(self.rng.choice(self.false_types)), "", 0.6, p, (0.1, 0.1, 0.1)))
        return out

    def step(self, graph, cam: Observer):
        self.t += 1.0
        return graph.apply(self.frame(cam), observer=cam, stamp=self.t)


def matches(graph, world: dict, tol=0.25) -> dict:
    """Ground-truth name -> memory ids of the right type within ``tol`` m."""
    out = {}
    for name, o in world.items():
        out[name] = [i.id for i in graph.objects() if i.type == o["type"]
                     and math.dist(i.position, o["pos"]) <= tol]
    return out
