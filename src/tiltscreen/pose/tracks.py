"""People followed from frame to frame: boxes, poses, motion and clothing colour.

The geometry and bookkeeping under :class:`tiltscreen.pose.subject.SubjectTracker`.
Coordinates are MediaPipe's normalised image coordinates (x, y as fractions of the
width and height, origin top-left, y down); a box is ``(x0, y0, x1, y1)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tiltscreen.pose.appearance import histogram_distance
from tiltscreen.pose.estimator import Candidate

Box = tuple[float, float, float, float]

#: BlazePose indices of the shoulders and hips, whose mean is the torso centre
TORSO_POINTS = (11, 12, 23, 24)


def box_diagonal(box: Box) -> float:
    """Length of a box's diagonal (normalised units), at least 1e-3."""
    return max(float(np.hypot(box[2] - box[0], box[3] - box[1])), 1e-3)


def box_area(box: Box) -> float:
    """Area of a box, 0 for an empty one."""
    return max(box[2] - box[0], 0.0) * max(box[3] - box[1], 0.0)


def box_overlap(a: Box, b: Box) -> float:
    """Intersection over union of two boxes (0 when they do not touch)."""
    inter = box_area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))
    union = box_area(a) + box_area(b) - inter
    return inter / union if union > 0 else 0.0


def boxes_near(a: Box, b: Box, pad: float) -> bool:
    """Whether two boxes overlap once ``a`` is grown by ``pad`` on every side."""
    return b[0] <= a[2] + pad and b[2] >= a[0] - pad and b[1] <= a[3] + pad and b[3] >= a[1] - pad


def box_centre(box: Box) -> np.ndarray:
    """Centre ``(x, y)`` of a box."""
    return np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])


def torso_centre(xy: np.ndarray) -> np.ndarray:
    """Mean of the shoulders and hips of a ``(33, 2)`` pose; of all its points if none is finite."""
    pts = xy[list(TORSO_POINTS)]
    pts = pts[np.isfinite(pts).all(axis=1)]
    if len(pts) == 0:
        pts = xy[np.isfinite(xy).all(axis=1)]
    return pts.mean(axis=0) if len(pts) else np.full(2, np.nan)


def pose_distance(a: np.ndarray, b: np.ndarray, *, weights: np.ndarray | None = None) -> float:
    """Mean distance between two ``(33, 2)`` normalised poses, NaN-safe; ``inf`` if nothing overlaps."""
    d = np.linalg.norm(a - b, axis=1)
    ok = np.isfinite(d)
    if weights is not None:
        ok &= weights > 0
    if not ok.any():
        return float("inf")
    w = np.ones_like(d) if weights is None else weights
    return float(np.sum(d[ok] * w[ok]) / np.sum(w[ok]))


def same_person(a: Candidate, b: Candidate, *, landmarks: float = 0.15, torso: float = 0.3) -> bool:
    """Whether two poses of one frame are MediaPipe's duplicates of one person.

    Duplicates share the torso even when their limbs differ (a limb placed on the other
    side, a leg taken for an arm). Measured on the Sports2D and Pose2Sim demo videos: the
    torso centres of duplicates were at most 0.21 of the smaller box's diagonal apart,
    those of two real people at least 0.40 (even one behind the other), hence ``torso``
    = 0.3. The older rule, mean landmark distance below ``landmarks`` diagonals, is kept.
    """
    diag = min(box_diagonal(a.bbox), box_diagonal(b.bbox))
    xy_a, xy_b = a.xyz[:, :2], b.xyz[:, :2]
    if pose_distance(xy_a, xy_b) < landmarks * diag:
        return True
    return float(np.linalg.norm(torso_centre(xy_a) - torso_centre(xy_b))) < torso * diag


def distinct_people(candidates: list[Candidate]) -> list[int]:
    """Return indices of candidates that are not duplicates (:func:`same_person`) of a more visible one."""
    order = sorted(range(len(candidates)), key=lambda k: -float(np.nanmean(candidates[k].visibility)))
    kept: list[int] = []
    for k in order:
        if not any(same_person(candidates[k], candidates[j]) for j in kept):
            kept.append(k)
    return sorted(kept)


@dataclass
class Track:
    """One person followed across frames (the subject or someone else).

    Attributes
    ----------
    pose : ndarray, shape (33, 2)
        Last seen landmarks (normalised).
    box : Box
        Last seen box.
    velocity : ndarray, shape (2,)
        Torso-centre displacement per frame (normalised units), smoothed.
    missing : int
        Frames since last seen (0 = seen in the current frame).
    beside_subject : bool
        Seen in the same frame as the subject at least once, so certainly someone else.
    colour : ndarray or None
        Smoothed torso histogram (:func:`tiltscreen.pose.appearance.torso_histogram`).
    colour_age : int
        Frames since ``colour`` was last updated.
    extent : ndarray, shape (2,)
        Smoothed box width and height (normalised), steadier than one pose's box when the
        landmarks of a fast movement are spread or folded.

    """

    pose: np.ndarray
    box: Box
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(2))
    missing: int = 0
    beside_subject: bool = False
    colour: np.ndarray | None = None
    colour_age: int = 0
    extent: np.ndarray = field(default_factory=lambda: np.zeros(2))

    @property
    def diag(self) -> float:
        """Diagonal of the smoothed box size (steadier than the last box during fast movements)."""
        return max(float(np.hypot(*self.extent)), 1e-3)

    def age(self) -> None:
        """One more frame has passed."""
        self.missing += 1
        self.colour_age += 1

    def predicted_pose(self, *, horizon: int = 3) -> np.ndarray:
        """Last pose moved by the smoothed velocity over the frames missed (at most ``horizon``)."""
        return self.pose + self.velocity * min(self.missing, horizon)

    def predicted_box(self, *, horizon: int = 3) -> Box:
        """Last box moved like :meth:`predicted_pose`."""
        dx, dy = self.velocity * min(self.missing, horizon)
        x0, y0, x1, y1 = self.box
        return (x0 + dx, y0 + dy, x1 + dx, y1 + dy)

    def search_box(self) -> Box:
        """Box of the smoothed size around the predicted torso centre: where to look for this person."""
        cx, cy = torso_centre(self.predicted_pose(horizon=1))
        if not np.isfinite([cx, cy]).all():
            cx, cy = box_centre(self.predicted_box())
        cx, cy = float(np.clip(cx, 0.0, 1.0)), float(np.clip(cy, 0.0, 1.0))
        w, h = self.extent / 2
        return (cx - w, cy - h, cx + w, cy + h)

    def distance(self, cand: Candidate) -> float:
        """Distance of a candidate's torso centre from the predicted one, in box diagonals.

        The torso (shoulders and hips) rather than every landmark: in a flip or a kick the
        limbs sweep further in a frame than the body moves, and they are what MediaPipe
        places worst in fast motion. A torso centre that cannot be computed gives ``inf``.
        """
        d = float(np.linalg.norm(torso_centre(cand.xyz[:, :2]) - torso_centre(self.predicted_pose())))
        return d / self.diag if np.isfinite(d) else float("inf")

    def colour_distance(self, colour: np.ndarray | None, *, memory: int = 30) -> float | None:
        """Histogram distance of a candidate's colours from this track's.

        ``None`` if either is unknown or this track's colours are older than ``memory`` frames.
        """
        if colour is None or self.colour is None or self.colour_age > memory:
            return None
        return histogram_distance(self.colour, colour)

    def see(
        self, cand: Candidate, colour: np.ndarray | None, *, smoothing: float = 0.5, colour_memory: int = 30
    ) -> None:
        """Take a candidate as this person's pose in the current frame.

        The velocity becomes ``smoothing`` x the old one plus the rest x the new torso
        displacement per frame. The colour histogram takes 10% of the new one, or is replaced
        by it when older than ``colour_memory`` frames (light changes).
        """
        xy = cand.xyz[:, :2]
        step = (torso_centre(xy) - torso_centre(self.pose)) / max(self.missing, 1)
        if np.isfinite(step).all():
            self.velocity = smoothing * self.velocity + (1 - smoothing) * step
        self.pose, self.box, self.missing = xy.copy(), cand.bbox, 0
        size = np.array([self.box[2] - self.box[0], self.box[3] - self.box[1]])
        self.extent = size if not self.extent.any() else 0.8 * self.extent + 0.2 * size
        if colour is None:
            return
        stale = self.colour is None or self.colour_age > colour_memory
        self.colour = colour if stale else 0.9 * self.colour + 0.1 * colour
        self.colour_age = 0

    @classmethod
    def start(cls, cand: Candidate, colour: np.ndarray | None, *, beside_subject: bool = False) -> Track:
        """Start a track from a person's first pose."""
        box = cand.bbox
        extent = np.array([box[2] - box[0], box[3] - box[1]])
        return cls(
            pose=cand.xyz[:, :2].copy(), box=box, beside_subject=beside_subject, colour=colour, extent=extent
        )


@dataclass(frozen=True)
class Plan:
    """What to run on a frame.

    Attributes
    ----------
    poses : int
        Poses to ask MediaPipe for on the whole frame (ignored when ``window`` is set).
    window : Box or None
        Run the pose model only on a square crop around this box instead (normalised).
    scale : float
        The crop's side in units of the box's longer side.
    hide : tuple of Box
        Boxes of people known to be someone else, to paint over in the crop.
    look : bool
        A look for everyone near the subject (a wide window), not a search for the subject.
    fresh : bool
        The window's landmarker keeps following someone else: start it anew.

    """

    poses: int = 1
    window: Box | None = None
    scale: float = 2.0
    hide: tuple[Box, ...] = ()
    look: bool = False
    fresh: bool = False


@dataclass(frozen=True)
class TrackStep:
    """The tracker's answer for one frame.

    Attributes
    ----------
    index : int or None
        Index of the subject among the frame's candidates; None if absent or found by a retry.
    subject : Candidate or None
        The subject's pose (also when a retry found it).
    source : str or None
        ``"frame"`` (among the frame's candidates), ``"search"`` (found by a retry on this
        frame: the usual landmarker or a window search), or None (absent).
    people : int
        Distinct people among the frame's candidates.

    """

    index: int | None
    subject: Candidate | None
    source: str | None
    people: int
