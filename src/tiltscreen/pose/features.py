"""Per-frame image measurements beside the landmarks: fingertips, floor contacts, back line, printed markers.

A :class:`FeatureRecorder` is a frame hook for :func:`tiltscreen.pose.extract.extract_landmarks`:
it sees each frame and the subject's candidate (with its segmentation mask) once, keeps a
few numbers, and drops the image, so memory stays proportional to the number of frames.
All points are stored in normalised image coordinates (x right, y down, 0–1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tiltscreen.kinematics.back_contour import back_lines
from tiltscreen.pose.estimator import Candidate
from tiltscreen.pose.markers import ArucoFinder, MarkerDetection
from tiltscreen.pose.outline import tips_both_ways
from tiltscreen.skeleton import BLAZEPOSE
from tiltscreen.sources import Frame

#: fingertip search: wrist -> index knuckle, tip found on the outline beyond the knuckle
_HANDS = {
    side: (BLAZEPOSE.index(f"{side}_wrist"), BLAZEPOSE.index(f"{side}_index")) for side in ("left", "right")
}


def lowest_point(
    mask: np.ndarray, anchor: np.ndarray, *, radius: float, threshold: float = 0.5
) -> np.ndarray:
    """Lowest subject pixel (largest y) within ``radius`` (fraction of width) of ``anchor``, normalised.

    Used for floor contacts (heel, buttock), which lie on one horizontal line in a level view.
    NaN if the anchor is NaN or no subject pixel is near.
    """
    if not np.all(np.isfinite(anchor)):
        return np.array([np.nan, np.nan])
    h, w = mask.shape
    cx, cy = anchor[0] * w, anchor[1] * h
    r = radius * w
    x0, x1 = int(max(cx - r, 0)), int(min(cx + r + 1, w))
    y0, y1 = int(max(cy - r, 0)), int(min(cy + 2 * r + 1, h))
    ys, xs = np.nonzero(mask[y0:y1, x0:x1] > threshold)
    if ys.size == 0:
        return np.array([np.nan, np.nan])
    bottom = ys.max()
    sel = ys >= bottom - 1
    return np.array([(np.median(xs[sel]) + x0 + 0.5) / w, (bottom + y0 + 0.5) / h])


def highest_point(
    mask: np.ndarray, anchor: np.ndarray, *, radius: float, threshold: float = 0.5
) -> np.ndarray:
    """Highest subject pixel (smallest y) in a column band ``radius`` (fraction of width) around ``anchor``.

    Used for the top of the head (anchor: the nose), for the standing height in pixels. The
    band spans the whole image height above the anchor, so hair above the face is included.
    """
    if not np.all(np.isfinite(anchor)):
        return np.array([np.nan, np.nan])
    h, w = mask.shape
    cx, cy = anchor[0] * w, anchor[1] * h
    x0, x1 = int(max(cx - radius * w, 0)), int(min(cx + radius * w + 1, w))
    y1 = int(min(max(cy, 0) + 1, h))
    ys, xs = np.nonzero(mask[:y1, x0:x1] > threshold)
    if ys.size == 0:
        return np.array([np.nan, np.nan])
    top = ys.min()
    sel = ys <= top + 1
    return np.array([(np.median(xs[sel]) + x0 + 0.5) / w, (top + 0.5) / h])


def for_facing(features: dict[str, np.ndarray], name: str, facing: int) -> np.ndarray | None:
    """Return the per-frame array ``name`` recorded for a subject facing image-right (+1) or left (-1).

    The recorder stores such measurements once per facing (``<name>_facing_right/left``) because the
    recording's facing is only known afterwards; None when the array was not recorded.
    """
    return features.get(f"{name}_facing_{'right' if facing > 0 else 'left'}")


@dataclass
class FeatureRecorder:
    """Collect fingertip, floor-contact and marker measurements frame by frame.

    Parameters
    ----------
    marker_dictionary : str or None
        ArUco dictionary to look for (None: no marker search).
    marker_every : int
        Look for the marker every this many frames (it is fixed to the box, so a few
        looks suffice and cost little).

    """

    marker_dictionary: str | None = "DICT_4X4_50"
    marker_every: int = 10
    fingertips: dict[str, list[np.ndarray]] = field(default_factory=lambda: {"left": [], "right": []})
    heels_floor: dict[str, list[np.ndarray]] = field(default_factory=lambda: {"left": [], "right": []})
    toes_floor: dict[str, list[np.ndarray]] = field(default_factory=lambda: {"left": [], "right": []})
    seat_floor: list[np.ndarray] = field(default_factory=list)
    head_top: list[np.ndarray] = field(default_factory=list)
    back_line: list[np.ndarray] = field(default_factory=list)
    markers: list[tuple[int, MarkerDetection]] = field(default_factory=list)
    frame_index: list[int] = field(default_factory=list)
    _finder: ArucoFinder | None = field(default=None, init=False, repr=False)
    _seen: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.marker_dictionary is not None:
            self._finder = ArucoFinder(self.marker_dictionary)

    def __call__(self, frame: Frame, subject: Candidate | None) -> None:
        """Frame hook: record this frame's measurements (NaN where not measurable)."""
        self.frame_index.append(frame.index)
        nan = np.array([np.nan, np.nan])
        mask = subject.mask if subject is not None else None
        for side, (wrist, index) in _HANDS.items():
            # the forward-most point of the hand for each way the subject may face (resolved later)
            tips = (
                tips_both_ways(mask, subject.xyz[wrist, :2], subject.xyz[index, :2], threshold=0.3)
                if mask is not None
                else np.stack([nan, nan])
            )
            self.fingertips[side].append(tips)
            for part, store in (("heel", self.heels_floor), ("foot_index", self.toes_floor)):
                k = BLAZEPOSE.index(f"{side}_{part}")
                store[side].append(
                    lowest_point(mask, subject.xyz[k, :2], radius=0.02) if mask is not None else nan
                )
        hips = subject.xyz[[23, 24], :2].mean(axis=0) if subject is not None else nan
        self.seat_floor.append(lowest_point(mask, hips, radius=0.05) if mask is not None else nan)
        self.head_top.append(
            highest_point(mask, subject.xyz[0, :2], radius=0.04) if mask is not None else nan
        )
        lines = np.full((2, 4), np.nan)
        if mask is not None:
            size = np.array(mask.shape[::-1], float)
            lines = back_lines(mask, subject.xyz[:, :2] * size)
            lines[:, 2:] /= size  # middle point normalised like every stored point
        self.back_line.append(lines)
        if self._finder is not None and self._seen % self.marker_every == 0:
            for det in self._finder.find(frame.rgb, scale=frame.scale):
                self.markers.append((frame.index, det))
        self._seen += 1

    def arrays(self) -> dict[str, np.ndarray]:
        """Per-frame arrays, ``(frame, 2)`` normalised points, in processing order."""
        out = {}
        for side, v in self.fingertips.items():
            tips = np.array(v).reshape(-1, 2, 2)
            out[f"{side}_fingertip_facing_right"], out[f"{side}_fingertip_facing_left"] = (
                tips[:, 0],
                tips[:, 1],
            )
        out.update({f"{side}_heel_floor": np.array(v).reshape(-1, 2) for side, v in self.heels_floor.items()})
        out.update({f"{side}_toe_floor": np.array(v).reshape(-1, 2) for side, v in self.toes_floor.items()})
        out["seat_floor"] = np.array(self.seat_floor).reshape(-1, 2)
        out["head_top"] = np.array(self.head_top).reshape(-1, 2)
        lines = np.array(self.back_line).reshape(-1, 2, 4)
        for k, facing in enumerate(("right", "left")):
            out[f"back_line_facing_{facing}"] = lines[:, k, :2]  # unit direction going up, pixels (y down)
            out[f"back_point_facing_{facing}"] = lines[:, k, 2:]  # middle of the line, normalised
        return out
