"""Drawing on live and saved frames: skeleton (``outputs.draw``), the step's angles, detections, face blur."""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from tiltscreen.outputs.draw import draw_label, draw_skeleton
from tiltscreen.skeleton import BLAZEPOSE

_HEAD = ("nose", "left_eye", "right_eye", "left_ear", "right_ear", "mouth_left", "mouth_right")
STICKER_BGR = {"asis": (0, 0, 255), "psis": (255, 0, 0)}


def blur_face(bgr: np.ndarray, xy_px: np.ndarray, visibility: np.ndarray | None = None) -> np.ndarray:
    """Return a copy with the head blurred beyond recognition (an ellipse around the face landmarks).

    The ellipse covers the head landmarks with a margin of twice the ear-to-nose distance (at least 6%
    of the picture's height); without head landmarks the image is returned unchanged.
    """
    idx = [BLAZEPOSE.index(n) for n in _HEAD]
    pts = np.asarray(xy_px, float)[idx]
    pts = pts[np.isfinite(pts).all(axis=1)]
    out = bgr.copy()
    if len(pts) == 0:
        return out
    h, w = bgr.shape[:2]
    centre = pts.mean(axis=0)
    spread = float(np.max(np.hypot(*(pts - centre).T))) if len(pts) > 1 else 0.0
    rx = max(2.2 * spread, 0.06 * h)
    ry = 1.25 * rx
    x0, x1 = int(max(centre[0] - rx, 0)), int(min(centre[0] + rx + 1, w))
    y0, y1 = int(max(centre[1] - ry, 0)), int(min(centre[1] + ry + 1, h))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return out
    roi = out[y0:y1, x0:x1]
    rw, rh = roi.shape[1], roi.shape[0]
    # pixelate to about 6 blocks across the face, then smooth the blocks: no feature survives
    small = cv2.resize(
        roi,
        (max(rw // max(int(rx) // 3, 1), 2), max(rh // max(int(rx) // 3, 1), 2)),
        interpolation=cv2.INTER_AREA,
    )
    blurred = cv2.GaussianBlur(
        cv2.resize(small, (rw, rh), interpolation=cv2.INTER_LINEAR), (0, 0), max(rx / 6, 1.0)
    )
    mask = np.zeros((rh, rw), np.uint8)
    cv2.ellipse(mask, (int(centre[0]) - x0, int(centre[1]) - y0), (int(rx), int(ry)), 0, 0, 360, 255, -1)
    roi[mask > 0] = blurred[mask > 0]
    return out


def draw_points(bgr: np.ndarray, points: dict[str, Sequence[float]], *, radius: int = 6) -> np.ndarray:
    """Draw named detection points (stickers, fingertip, toe) with their names."""
    out = bgr.copy()
    for name, p in points.items():
        if p is None or not all(math.isfinite(v) for v in p):
            continue
        colour = STICKER_BGR.get(name, (0, 200, 255))
        c = (int(round(p[0])), int(round(p[1])))
        cv2.circle(out, c, radius, (255, 255, 255), 2, cv2.LINE_AA)
        cv2.circle(out, c, max(radius - 3, 2), colour, -1, cv2.LINE_AA)
        if name.startswith("marker_"):
            continue
        cv2.putText(
            out, name.upper(), (c[0] + 8, c[1] - 8), cv2.FONT_HERSHEY_SIMPLEX, 0.45, colour, 1, cv2.LINE_AA
        )
    return out


def draw_marker(bgr: np.ndarray, corners_px: np.ndarray) -> np.ndarray:
    """Outline a detected box marker."""
    out = bgr.copy()
    cv2.polylines(
        out, [np.asarray(corners_px, np.int32).reshape(-1, 1, 2)], True, (0, 255, 255), 2, cv2.LINE_AA
    )
    return out


def annotate(
    bgr: np.ndarray,
    xy_px: np.ndarray | None,
    visibility: np.ndarray | None,
    *,
    side: str | None,
    labels: Sequence[str],
    points: dict[str, Sequence[float]] | None = None,
    markers: Sequence[np.ndarray] = (),
    blur: bool = True,
) -> np.ndarray:
    """Skeleton, angles (top-left labels), detections and (by default) the face blurred."""
    out = bgr
    if xy_px is not None and visibility is not None:
        if blur:
            out = blur_face(out, xy_px, visibility)
        out = draw_skeleton(out, xy_px, visibility, side=side if side in ("left", "right") else None)
    for corners in markers:
        out = draw_marker(out, corners)
    if points:
        out = draw_points(out, points)
    y = 22
    for text in labels:
        out = draw_label(out, text, org=(8, y))
        y += 24
    return out
