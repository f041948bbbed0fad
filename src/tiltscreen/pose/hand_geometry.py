"""Pure geometry of the hand crops: where to cut, how to map hand landmarks back, which tip is forward.

The hand model (MediaPipe HandLandmarker) sees a square window cut around a wrist and
turned so that the hand points up; its 21 landmarks come back normalised to that window
and are mapped to full-image pixels here. Nothing in this module touches the model.

Conventions
-----------
Image pixels: ``(x, y)``, x right, y down, origin at the top-left corner of the top-left
pixel (so the centre of pixel ``(i, j)`` is ``(i + 0.5, j + 0.5)``), as in the ground truth
of the renders. Angles: ``angle_rad = atan2(dy, dx)`` of the hand direction in the image
(y down, so a hand pointing up has angle −π/2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tiltscreen.errors import ValidationError

#: MediaPipe hand landmark indices (21-point hand model)
WRIST, INDEX_MCP, PINKY_MCP = 0, 5, 17
THUMB_TIP, INDEX_TIP, MIDDLE_TIP, RING_TIP, PINKY_TIP = 4, 8, 12, 16, 20
FINGERTIPS = (THUMB_TIP, INDEX_TIP, MIDDLE_TIP, RING_TIP, PINKY_TIP)
#: the tips a sit-and-reach is read from (the thumb lies back along the hand)
REACH_TIPS = (INDEX_TIP, MIDDLE_TIP, RING_TIP, PINKY_TIP)

#: hand length (wrist crease to middle fingertip) over the wrist→knuckle distance: palm about half the hand
HAND_PER_KNUCKLE = 2.0
#: hand length over forearm length (elbow→wrist): 0.108 / 0.146 of stature (Drillis & Contini 1966)
HAND_PER_FOREARM = 0.74


@dataclass(frozen=True)
class HandCrop:
    """A square window of the image turned so that the hand points up in it.

    Attributes
    ----------
    centre : tuple of float
        Centre of the window in image pixels.
    side_px : float
        Side of the window in image pixels.
    angle_rad : float
        Direction in the image (atan2 of y-down coordinates) that becomes "up" in the crop.
    size_px : int
        Side of the resampled crop in crop pixels.

    """

    centre: tuple[float, float]
    side_px: float
    angle_rad: float
    size_px: int

    def __post_init__(self) -> None:
        if not (self.side_px > 0 and self.size_px > 0):
            raise ValidationError(
                f"crop side and size must be positive, got {self.side_px!r}, {self.size_px!r}."
            )

    @property
    def axes(self) -> tuple[np.ndarray, np.ndarray]:
        """Image directions of the crop's right (+u) and up (−v) axes, unit vectors."""
        up = np.array([np.cos(self.angle_rad), np.sin(self.angle_rad)])
        return np.array([-up[1], up[0]]), up


def crop_matrix(crop: HandCrop) -> np.ndarray:
    """Return the 2×3 affine matrix taking image pixels to crop pixels (both corner-origin).

    Notes
    -----
    With ``k = size_px / side_px``, ``c`` the centre, ``r`` and ``d`` the image directions of the
    crop's right and up axes, and ``S = size_px``: ``u = S/2 + k (p − c)·r`` and
    ``v = S/2 − k (p − c)·d`` (v grows downwards, against "up").

    """
    right, up = crop.axes
    k = crop.size_px / crop.side_px
    c = np.asarray(crop.centre, float)
    half = crop.size_px / 2.0
    return np.array(
        [[k * right[0], k * right[1], half - k * right @ c], [-k * up[0], -k * up[1], half + k * up @ c]]
    )


def warp_matrix(crop: HandCrop) -> np.ndarray:
    """Return :func:`crop_matrix` for ``cv2.warpAffine``, whose pixel centres sit at integer coordinates.

    Notes
    -----
    Corner-origin coordinates are centre-index coordinates plus 0.5, so ``q = A p + b`` becomes
    ``q' = A p' + (b + A·(0.5, 0.5) − 0.5)`` with ``p' = p − 0.5`` and ``q' = q − 0.5``.

    """
    m = crop_matrix(crop)
    m[:, 2] += m[:, :2] @ np.array([0.5, 0.5]) - 0.5
    return m


def crop_to_image(points: np.ndarray, crop: HandCrop) -> np.ndarray:
    """Map points normalised to the crop (0–1, MediaPipe's landmark output) to image pixels.

    Parameters
    ----------
    points : ndarray, shape (n, 2)
        ``(x, y)`` as fractions of the crop's side (x right, y down in the crop).
    crop : HandCrop
        The crop the points were measured in.

    Returns
    -------
    ndarray, shape (n, 2)
        Corner-origin image pixels; NaN rows stay NaN.

    Notes
    -----
    Inverse of :func:`crop_matrix`: ``p = c + ((u − S/2) r − (v − S/2) d) / k``, with ``u = x S``
    and ``v = y S``.

    """
    pts = np.asarray(points, float).reshape(-1, 2)
    right, up = crop.axes
    k = crop.size_px / crop.side_px
    uv = pts * crop.size_px - crop.size_px / 2.0
    return np.asarray(crop.centre, float) + (np.outer(uv[:, 0], right) - np.outer(uv[:, 1], up)) / k


def hand_crop(
    wrist: np.ndarray,
    index: np.ndarray,
    pinky: np.ndarray,
    elbow: np.ndarray,
    *,
    size_px: int = 256,
    margin: float = 2.2,
    min_side_px: float = 24.0,
) -> HandCrop | None:
    """Place the crop for one hand from the pose landmarks (image pixels).

    Parameters
    ----------
    wrist, index, pinky, elbow : ndarray, shape (2,)
        Pose landmarks of one arm in image pixels (``index``/``pinky``: BlazePose's knuckle points).
    size_px : int
        Side of the resampled crop.
    margin : float
        Crop side over the estimated hand length.
    min_side_px : float
        Smallest crop side in image pixels.

    Returns
    -------
    HandCrop or None
        None when the wrist is NaN or no direction is known (knuckles and elbow both missing or
        on the wrist).

    Notes
    -----
    Direction: wrist → knuckle midpoint (mean of the finite ones of index and pinky); else
    elbow → wrist. Hand length ``L = max(HAND_PER_KNUCKLE × |knuckles − wrist|,
    HAND_PER_FOREARM × |wrist − elbow|)``: the larger of two anthropometric guesses, so that a
    foreshortened or noisy one does not shrink the window. Centre: ``wrist + L/2 × direction``
    (the middle of the hand); side ``max(margin × L, min_side_px)``.

    """
    w = np.asarray(wrist, float)
    if not np.all(np.isfinite(w)):
        return None
    knuckles = [np.asarray(p, float) for p in (index, pinky) if np.all(np.isfinite(p))]
    e = np.asarray(elbow, float)
    to_knuckle = np.mean(knuckles, axis=0) - w if knuckles else np.zeros(2)
    forearm = w - e if np.all(np.isfinite(e)) else np.zeros(2)
    lengths = (HAND_PER_KNUCKLE * np.linalg.norm(to_knuckle), HAND_PER_FOREARM * np.linalg.norm(forearm))
    along = to_knuckle if np.linalg.norm(to_knuckle) >= 1.0 else forearm
    if np.linalg.norm(along) < 1.0:
        return None
    direction = along / np.linalg.norm(along)
    hand = max(lengths)
    centre = w + 0.5 * hand * direction
    return HandCrop(
        centre=(float(centre[0]), float(centre[1])),
        side_px=float(max(margin * hand, min_side_px)),
        angle_rad=float(np.arctan2(direction[1], direction[0])),
        size_px=int(size_px),
    )


def merge_crops(a: HandCrop, b: HandCrop) -> HandCrop:
    """Return one crop covering both (for two hands close together: one model call instead of two).

    Notes
    -----
    Centre: the midpoint; side: the larger side plus the distance between the centres (each
    window then lies inside the merged one when both have the same orientation); angle: the
    mean direction (of the two unit vectors; ``a``'s if they are opposite).

    """
    ca, cb = np.asarray(a.centre), np.asarray(b.centre)
    centre = (ca + cb) / 2.0
    mean = a.axes[1] + b.axes[1]
    angle = float(np.arctan2(mean[1], mean[0])) if np.linalg.norm(mean) > 1e-6 else a.angle_rad
    return HandCrop(
        centre=(float(centre[0]), float(centre[1])),
        side_px=float(max(a.side_px, b.side_px) + np.linalg.norm(ca - cb)),
        angle_rad=angle,
        size_px=max(a.size_px, b.size_px),
    )


def forward_most(points: np.ndarray, direction: np.ndarray, *, among: tuple[int, ...] = REACH_TIPS) -> int:
    """Return the index (into ``points``) of the point of ``among`` furthest along ``direction``.

    Parameters
    ----------
    points : ndarray, shape (21, 2)
        Hand landmarks in image pixels.
    direction : ndarray, shape (2,)
        The direction that counts as forward (e.g. the reach direction along the floor);
        need not be unit length.
    among : tuple of int
        Candidate landmark indices (default: the four finger tips, not the thumb).

    Raises
    ------
    ValidationError
        If ``direction`` is zero or not finite, or every candidate is NaN.

    """
    d = np.asarray(direction, float)
    if not (np.all(np.isfinite(d)) and np.linalg.norm(d) > 0):
        raise ValidationError(f"direction must be a finite non-zero vector, got {direction!r}.")
    score = np.asarray(points, float)[list(among)] @ d
    if not np.any(np.isfinite(score)):
        raise ValidationError("every candidate tip is NaN.")
    return int(among[int(np.nanargmax(score))])


def hand_mismatch(hand: np.ndarray, wrist: np.ndarray, index: np.ndarray, pinky: np.ndarray) -> float:
    """Return how far a detected hand lies from one arm's pose points, in units of the hand's palm length.

    The mean distance between (hand wrist, index knuckle, pinky knuckle) — landmarks 0, 5, 17 —
    and the pose's (wrist, index, pinky), over the detected palm length (landmark 0 to the
    midpoint of 5 and 17). Pose points that are NaN are left out; NaN if none is finite.
    """
    h = np.asarray(hand, float)
    ref = np.stack([np.asarray(p, float) for p in (wrist, index, pinky)])
    det = h[[WRIST, INDEX_MCP, PINKY_MCP]]
    ok = np.all(np.isfinite(ref), axis=1)
    palm = float(np.linalg.norm((h[INDEX_MCP] + h[PINKY_MCP]) / 2.0 - h[WRIST]))
    if not ok.any() or not palm > 0:
        return float("nan")
    return float(np.mean(np.linalg.norm(det[ok] - ref[ok], axis=1)) / palm)


def assign_hands(cost: np.ndarray, *, max_cost: float) -> list[int | None]:
    """Give each side (column) at most one detection (row), minimising the total cost.

    Parameters
    ----------
    cost : ndarray, shape (n_detections, n_sides)
        E.g. :func:`hand_mismatch` of every detection with every arm; NaN means impossible.
    max_cost : float
        Pairs above this cost are never made.

    Returns
    -------
    list of int or None
        Per side, the row given to it, or None. Among the assignments with the most pairs,
        the one with the smallest total cost wins (exhaustive: a frame has at most a few hands).

    """
    c = np.asarray(cost, float)
    n_det, n_side = c.shape
    best: tuple[int, float, list[int | None]] = (0, 0.0, [None] * n_side)
    for rows in _injections(n_det, n_side):
        pairs = [(r, s) for s, r in enumerate(rows) if r is not None]
        if any(not (c[r, s] <= max_cost) for r, s in pairs):
            continue
        total = float(sum(c[r, s] for r, s in pairs))
        if (len(pairs), -total) > (best[0], -best[1]):
            best = (len(pairs), total, list(rows))
    return best[2]


def _injections(n_rows: int, n_cols: int) -> list[tuple[int | None, ...]]:
    """Every way to give each column a distinct row or None."""
    out: list[tuple[int | None, ...]] = [()]
    for _ in range(n_cols):
        out = [(*p, r) for p in out for r in [None, *range(n_rows)] if r is None or r not in p]
    return out


def crop_from_landmarks(landmarks: np.ndarray, *, size_px: int = 256, margin: float = 1.8) -> HandCrop | None:
    """Place a crop around a hand already found (image pixels), turned so that it points up.

    Parameters
    ----------
    landmarks : ndarray, shape (21, 2)
        Hand landmarks in image pixels.
    size_px : int
        Side of the resampled crop.
    margin : float
        Crop side over the longer side of the landmarks' box.

    Returns
    -------
    HandCrop or None
        None if a landmark is NaN or the wrist and middle knuckle coincide.

    Notes
    -----
    Direction: wrist (0) → middle-finger knuckle (9), as MediaPipe's own tracking rectangle.
    The landmarks' box is taken in that turned frame; the crop is centred on the box and its
    side is ``margin`` × the box's longer side.

    """
    pts = np.asarray(landmarks, float)
    if pts.shape != (21, 2) or not np.all(np.isfinite(pts)):
        return None
    along = pts[9] - pts[WRIST]
    if np.linalg.norm(along) < 1e-6:
        return None
    up = along / np.linalg.norm(along)
    right = np.array([-up[1], up[0]])
    a, b = pts @ up, pts @ right
    mid_a, mid_b = (a.max() + a.min()) / 2.0, (b.max() + b.min()) / 2.0
    centre = mid_a * up + mid_b * right
    extent = max(a.max() - a.min(), b.max() - b.min(), 1.0)
    return HandCrop(
        centre=(float(centre[0]), float(centre[1])),
        side_px=float(margin * extent),
        angle_rad=float(np.arctan2(up[1], up[0])),
        size_px=int(size_px),
    )
