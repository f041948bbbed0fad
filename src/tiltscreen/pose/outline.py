"""Points MediaPipe does not report, found on the subject's segmentation mask.

MediaPipe's "index" landmarks (19/20) sit near the knuckles, not at the fingertips,
and its "foot index" near the toe joints, not at the toe tips. A sit-and-reach is
scored from fingertip to toe tip, so both are found as the extreme point of the
subject's outline in the direction the subject faces, near the hand or the foot.

Coordinates in and out are normalised image coordinates (x right, y down, 0–1);
the mask is MediaPipe's per-pixel probability at the resolution it was run at.
"""

from __future__ import annotations

import numpy as np

from tiltscreen.errors import ValidationError

NAN2 = np.array([np.nan, np.nan])


def _window(mask: np.ndarray, centre_px: np.ndarray, radius_px: float) -> tuple[slice, slice, int, int]:
    h, w = mask.shape
    x0 = int(max(np.floor(centre_px[0] - radius_px), 0))
    x1 = int(min(np.ceil(centre_px[0] + radius_px) + 1, w))
    y0 = int(max(np.floor(centre_px[1] - radius_px), 0))
    y1 = int(min(np.ceil(centre_px[1] + radius_px) + 1, h))
    return slice(y0, y1), slice(x0, x1), x0, y0


def extreme_point(
    mask: np.ndarray,
    anchor: np.ndarray,
    *,
    forward: int,
    radius: float,
    threshold: float = 0.5,
    max_gap: float | None = None,
) -> np.ndarray:
    """Return the mask point furthest forward within ``radius`` of ``anchor``, connected to it.

    Parameters
    ----------
    mask : ndarray, shape (H, W)
        Segmentation probability (0–1) of the subject.
    anchor : ndarray, shape (2,)
        Normalised (x, y) of a landmark on the body part (e.g. the index knuckle).
    forward : {+1, -1}
        +1 if the subject faces image-right, −1 if image-left.
    radius : float
        Search radius, normalised by the image width.
    threshold : float
        Probability above which a pixel belongs to the subject.
    max_gap : float, optional
        Largest accepted forward distance (normalised by width) between the anchor and
        the point found; beyond it the result is NaN (a detached blob is not a fingertip).

    Returns
    -------
    ndarray, shape (2,)
        Normalised (x, y) of the extreme point; NaN if the anchor is NaN, lies off the
        mask, or no subject pixel is connected to it within the window.

    Notes
    -----
    The component of the thresholded window that contains (or is nearest to) the anchor
    is used, so another body part in the window (the other hand, the shin under the hand)
    does not pull the point away unless it touches the hand in the mask.

    """
    import cv2

    if forward not in (1, -1):
        raise ValidationError(f"forward must be +1 or -1, got {forward!r}.")
    if mask.ndim != 2:
        raise ValidationError(f"mask must be 2-D (H, W), got shape {mask.shape}.")
    if not np.all(np.isfinite(anchor)):
        return NAN2.copy()
    h, w = mask.shape
    centre = np.asarray(anchor, float) * [w, h]
    rows, cols, x0, y0 = _window(mask, centre, radius * w)
    binary = (mask[rows, cols] > threshold).astype(np.uint8)
    if binary.sum() == 0:
        return NAN2.copy()
    _, labels = cv2.connectedComponents(binary, connectivity=8)
    ax, ay = int(round(centre[0])) - x0, int(round(centre[1])) - y0
    label = _label_near(labels, ax, ay)
    if label == 0:
        return NAN2.copy()
    ys, xs = np.nonzero(labels == label)
    k = int(np.argmax(xs * forward))
    # among the most forward column, take the median row (a flat fingertip edge is several px tall)
    front = xs == xs[k]
    point = np.array([(xs[k] + x0 + 0.5) / w, (np.median(ys[front]) + y0 + 0.5) / h])
    if max_gap is not None and (point[0] - anchor[0]) * forward > max_gap:
        return NAN2.copy()
    return point


def _label_near(labels: np.ndarray, ax: int, ay: int, search: int = 4) -> int:
    """Label of the component under (ax, ay), or the nearest within ``search`` px; 0 if none."""
    h, w = labels.shape
    for r in range(search + 1):
        ys = slice(max(ay - r, 0), min(ay + r + 1, h))
        xs = slice(max(ax - r, 0), min(ax + r + 1, w))
        patch = labels[ys, xs]
        found = patch[patch > 0]
        if found.size:
            return int(np.bincount(found).argmax())
    return 0


def tip_along(
    mask: np.ndarray,
    base: np.ndarray,
    anchor: np.ndarray,
    *,
    reach: float = 1.5,
    corridor: float = 0.6,
    threshold: float = 0.5,
    forward: int | None = None,
) -> np.ndarray:
    """Return the hand's (or foot's) tip on the subject's outline beyond ``anchor``, seen from ``base``.

    For the fingertip, ``base`` is the wrist and ``anchor`` the index knuckle. The search
    covers the mask pixels at most ``reach`` × |wrist→knuckle| beyond the knuckle and within
    a corridor ``corridor`` × |wrist→knuckle| either side of the wrist→knuckle line (so the
    legs or the box under the hand are not taken for fingers). Among them the tip is the
    pixel furthest along the wrist→knuckle direction, or, with ``forward`` given, the pixel
    furthest forward along the image x axis (``forward`` = +1 image-right, -1 image-left):
    a sit-and-reach is scored along the floor, and a finger raised off the box then does not
    win over the fingers lying forward on it.

    Parameters
    ----------
    mask : ndarray, shape (H, W)
        Segmentation probability of the subject.
    base, anchor : ndarray, shape (2,)
        Normalised (x, y) image coordinates.
    reach, corridor : float
        Search extent beyond the anchor and half-width of the corridor, in units of the
        base→anchor length.
    threshold : float
        Probability above which a pixel belongs to the subject.
    forward : {+1, -1} or None
        Direction the tip is measured in (see above); None: along wrist→knuckle.

    Returns
    -------
    ndarray, shape (2,)
        Normalised (x, y) of the tip; NaN if an input point is NaN, the two points
        coincide, or no subject pixel lies in the corridor.

    """
    if forward not in (None, 1, -1):
        raise ValidationError(f"forward must be +1, -1 or None, got {forward!r}.")
    found = _corridor_points(mask, base, anchor, reach=reach, corridor=corridor, threshold=threshold)
    if found is None:
        return NAN2.copy()
    pts, along = found
    return _extreme(pts, along if forward is None else pts[:, 0] * forward) / mask.shape[::-1]


def tips_both_ways(
    mask: np.ndarray,
    base: np.ndarray,
    anchor: np.ndarray,
    *,
    reach: float = 1.5,
    corridor: float = 0.6,
    threshold: float = 0.5,
) -> np.ndarray:
    """Return :func:`tip_along` with ``forward=+1`` and ``forward=-1`` from one search of the mask.

    For a frame hook that runs before the recording's facing is known: row 0 is the tip for a subject
    facing image-right, row 1 for one facing image-left (normalised (x, y); NaN rows as in
    :func:`tip_along`).
    """
    found = _corridor_points(mask, base, anchor, reach=reach, corridor=corridor, threshold=threshold)
    if found is None:
        return np.stack([NAN2, NAN2])
    pts = found[0]
    size = mask.shape[::-1]
    return np.stack([_extreme(pts, pts[:, 0]) / size, _extreme(pts, -pts[:, 0]) / size])


def _corridor_points(
    mask: np.ndarray, base: np.ndarray, anchor: np.ndarray, *, reach: float, corridor: float, threshold: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """Return the subject pixels in the search corridor of :func:`tip_along` and their distance along it.

    Pixel centres, and each one's distance along base->anchor; None if a point is NaN, the two points
    coincide or no pixel qualifies.
    """
    if mask.ndim != 2:
        raise ValidationError(f"mask must be 2-D (H, W), got shape {mask.shape}.")
    if not (np.all(np.isfinite(base)) and np.all(np.isfinite(anchor))):
        return None
    h, w = mask.shape
    b, a = np.asarray(base, float) * [w, h], np.asarray(anchor, float) * [w, h]
    length = float(np.linalg.norm(a - b))
    if length < 1.0:
        return None
    d = (a - b) / length
    rows, cols, x0, y0 = _window(mask, a, (reach + corridor) * length)
    ys, xs = np.nonzero(mask[rows, cols] > threshold)
    if xs.size == 0:
        return None
    pts = np.stack([xs + x0 + 0.5, ys + y0 + 0.5], axis=1)
    rel = pts - a
    along = rel @ d
    across = np.abs(rel[:, 0] * d[1] - rel[:, 1] * d[0])
    ok = (across <= corridor * length) & (along >= -0.5 * length) & (along <= reach * length)
    return (pts[ok], along[ok]) if ok.any() else None


def _extreme(pts: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Mean of the points within 1 px of the highest score (a flat tip edge is several px long)."""
    return pts[score >= score.max() - 1.0].mean(axis=0)
