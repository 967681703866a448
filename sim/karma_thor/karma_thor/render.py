"""Optional tiny RGB frames: first-person billboards (one flat colour per object type).

Off by default (enable with the Initialize argument ``karmaRenderImage=True`` or the
environment variable ``KARMA_THOR_RENDER=1``). Rows are bottom-up, as THOR sends them.
"""
from __future__ import annotations

import math
import zlib

import numpy as np

from . import geometry
from .world import World


def _colour(name: str) -> np.ndarray:
    h = zlib.crc32(name.encode())
    return np.array([h & 255, (h >> 8) & 255, (h >> 16) & 255], np.uint8)


def render_rgb(w: World) -> bytes:
    width, height = int(w.params.width), int(w.params.height)
    img = np.empty((height, width, 3), np.uint8)
    # horizon line moves with the camera pitch
    tan_v = math.tan(math.radians(w.params.fov) / 2)
    split = int(np.clip(height / 2 - math.tan(math.radians(-w.horizon)) / tan_v * height / 2, 0,
                        height))
    img[:split] = (180, 190, 200)
    img[split:] = (120, 95, 70)
    ids, vis, dist = w.visibility()
    cam = w.camera()
    f, r, u = geometry.camera_basis(w.yaw, w.horizon)
    tan_h = tan_v * width / height
    for i in sorted(np.nonzero(vis)[0], key=lambda i: -dist[i]):
        corners = np.array(w.objects[ids[i]]["axisAlignedBoundingBox"]["cornerPoints"]) - cam
        c = np.maximum(corners @ f, 0.05)
        sx = width / 2 + (corners @ r) / c / tan_h * width / 2
        sy = height / 2 - (corners @ u) / c / tan_v * height / 2
        x0, x1 = np.clip([sx.min(), sx.max()], 0, width).astype(int)
        y0, y1 = np.clip([sy.min(), sy.max()], 0, height).astype(int)
        img[y0:y1, x0:x1] = _colour(w.objects[ids[i]]["objectType"])
    return img[::-1].tobytes()
