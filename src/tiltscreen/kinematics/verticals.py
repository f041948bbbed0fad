"""True verticals in the image: fitting their lean (roll and pitch) and a printed marker's vertical edges.

A vertical seen by a camera with roll ``r`` and pitch ``a`` (looking down positive) leans from the
image vertical (counter-clockwise positive, :func:`tiltscreen.pose.lines.lean_deg`) by, for small
angles, ``lean = r + k * u`` with ``u = (x - cx) / width`` the line's offset from the image centre and
``k = -tan(a) * width / f``: the roll is the lean at the centre column. :func:`fit_verticals` fits that
to a set of segments that should be vertical (a consensus over lines, so a stray one is dropped);
:func:`marker_vertical_edges` returns the vertical edges of a square marker that passes the shape test.
How these become the camera's level, with which uncertainty, is :mod:`tiltscreen.kinematics.level`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tiltscreen.checks import number_problems, raise_if_problems

#: largest pitch term considered, degrees of lean per image width (a pitch of about 8 degrees)
MAX_SLOPE_DEG = 10.0


@dataclass(frozen=True)
class VerticalFit:
    """Roll from a set of verticals: ``lean = roll + slope * u`` (see the module notes).

    Attributes
    ----------
    roll_deg : float
        Lean at the image's centre column, degrees.
    slope_deg : float
        Lean change per image width (pitch term), degrees; 0 when not fitted.
    se_deg : float
        Standard error of ``roll_deg`` from the scatter of the lines, degrees.
    n_lines : int
        Distinct lines kept (agreeing with the fit).
    u_mean : float
        Mean offset of the kept lines from the centre, image widths.
    slope_fitted : bool
        Whether the verticals spanned enough of the image to fit the pitch term.

    """

    roll_deg: float
    slope_deg: float
    se_deg: float
    n_lines: int
    u_mean: float
    slope_fitted: bool
    u_span: float = 0.0


def distinct_lines(seg: np.ndarray, width: float, height: float, *, tol: float = 0.01) -> np.ndarray:
    """Group the segments of one straight line; rows ``(lean_deg, u, extent_px, n_segments)``.

    Segments whose extensions cross the middle row within ``tol`` x width of each other belong to
    one line (the same line seen in several frames, or the fragments of a thin line broken up by
    compression). Each line's lean comes from one straight fit through all its segments' ends
    (``x = a + b y``, weighted by segment length: lean = atan(b)); its weight is its vertical extent.
    """
    t = (height / 2.0 - seg[:, 1]) / np.where(seg[:, 3] != seg[:, 1], seg[:, 3] - seg[:, 1], -1e-9)
    x_mid = seg[:, 0] + t * (seg[:, 2] - seg[:, 0])  # where the line crosses the middle row
    length = np.hypot(seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1])
    order = np.argsort(x_mid)
    groups: list[list[int]] = []
    for i in order:
        if groups and x_mid[i] - x_mid[groups[-1][-1]] <= tol * width:
            groups[-1].append(int(i))
        else:
            groups.append([int(i)])
    rows = []
    for g in groups:
        x = np.concatenate([seg[g, 0], seg[g, 2]])
        y = np.concatenate([seg[g, 1], seg[g, 3]])
        w = np.concatenate([length[g], length[g]])
        ym = np.average(y, weights=w)
        b = float(np.sum(w * (y - ym) * (x - np.average(x, weights=w))) / np.sum(w * (y - ym) ** 2))
        u = (float(np.average(x_mid[g], weights=length[g])) - width / 2.0) / width
        rows.append((math.degrees(math.atan(b)), u, float(np.ptp(y)), len(g)))
    return np.array(rows, float).reshape(-1, 4)


def fit_verticals(
    segments_px: np.ndarray,
    image_size: tuple[int, int],
    *,
    min_lines: int = 2,
    agree_deg: float = 1.0,
    min_span: float = 0.3,
) -> VerticalFit | None:
    """Fit the roll (and, when possible, the pitch term) to segments that should be vertical.

    Parameters
    ----------
    segments_px : ndarray, shape (n, 4)
        ``(x_bottom, y_bottom, x_top, y_top)`` full-resolution pixels, y down; repeated
        detections of one line over several frames are grouped (same place, 1% of the width).
    image_size : (int, int)
        ``(width, height)`` in pixels; the principal point is taken at the image centre.
    min_lines : int, default 2
        Fewest distinct lines that must agree (the consistency test).
    agree_deg : float, default 1.0
        Largest residual, degrees, for a line to count as agreeing.
    min_span : float, default 0.3
        Smallest spread of the lines' offsets (image widths) and at least three lines to fit
        the pitch term; otherwise it is taken as 0.

    Returns
    -------
    VerticalFit or None
        None when fewer than ``min_lines`` distinct lines agree (no trustworthy vertical).

    Notes
    -----
    Lines are weighted by their length (a line's angle error falls as 1/length). Lines that
    disagree with the weighted median by more than ``agree_deg`` are dropped once, then the fit
    is repeated on the rest. The standard error is the weighted residual SD over
    ``sqrt(n_lines - 1)`` (``n_lines - 2`` with the slope), at least 0.05 degrees.

    Examples
    --------
    >>> seg = np.array([[100, 600, 100 - 500 * math.tan(math.radians(2)), 100],
    ...                 [900, 650, 900 - 450 * math.tan(math.radians(2)), 200.0]])
    >>> round(fit_verticals(seg, (1280, 720)).roll_deg, 6)
    2.0

    """
    problems = number_problems("agree_deg", agree_deg, low=0.0, strict_low=True)
    problems += number_problems("min_span", min_span, low=0.0, high=1.0)
    seg = np.asarray(segments_px, float).reshape(-1, 4) if np.size(segments_px) else np.empty((0, 4))
    if not np.isfinite(seg).all():
        problems.append("segments_px must be finite")
    raise_if_problems("fit_verticals", problems)
    width, height = float(image_size[0]), float(image_size[1])
    lines = distinct_lines(seg, width, height) if len(seg) else np.empty((0, 4))
    if len(lines) < min_lines:
        return None
    lean, u, w = lines[:, 0], lines[:, 1], lines[:, 2]
    keep = _consensus(lean, u, w, agree_deg=agree_deg, min_span=min_span)
    for _ in range(2):  # refit on the agreeing lines, then take the lines that agree with that fit
        if keep.sum() < min_lines:
            return None
        fit = _fit(lean[keep], u[keep], w[keep], min_span=min_span)
        keep = np.abs(lean - fit[0] - fit[1] * u) <= agree_deg
    if keep.sum() < min_lines:
        return None
    roll, slope, se, fitted = _fit(lean[keep], u[keep], w[keep], min_span=min_span)
    u_mean = float(np.average(u[keep], weights=w[keep]))
    return VerticalFit(roll, slope, se, int(keep.sum()), u_mean, fitted, float(np.ptp(u[keep])))


def _consensus(
    lean: np.ndarray, u: np.ndarray, w: np.ndarray, *, agree_deg: float, min_span: float
) -> np.ndarray:
    """Lines agreeing with the hypothesis most supported by length (every line alone, every far pair)."""
    hyps = [(float(v), 0.0) for v in lean]
    for i in range(len(lean)):
        for j in range(i + 1, len(lean)):
            if abs(u[j] - u[i]) >= min_span / 2:
                slope = (lean[j] - lean[i]) / (u[j] - u[i])
                if abs(slope) <= MAX_SLOPE_DEG:
                    hyps.append((float(lean[i] - slope * u[i]), float(slope)))
    support = [float(w[np.abs(lean - r - k * u) <= agree_deg].sum()) for r, k in hyps]
    r, k = hyps[int(np.argmax(support))]
    return np.abs(lean - r - k * u) <= agree_deg


def _fit(
    lean: np.ndarray, u: np.ndarray, w: np.ndarray, *, min_span: float
) -> tuple[float, float, float, bool]:
    """Weighted fit of ``lean = roll + slope * u``; the slope only with enough spread."""
    n = len(lean)
    if n >= 3 and np.ptp(u) >= min_span:
        a = np.stack([np.ones(n), u], axis=1) * np.sqrt(w)[:, None]
        (roll, slope), *_ = np.linalg.lstsq(a, lean * np.sqrt(w), rcond=None)
        dof, fitted = n - 2, True
    else:
        roll, slope, dof, fitted = float(np.average(lean, weights=w)), 0.0, n - 1, False
    res = lean - roll - slope * u
    sd = math.sqrt(float(np.average(res**2, weights=w))) if n > 1 else 0.0
    se = max(sd / math.sqrt(max(dof, 1)), 0.05)
    return float(roll), float(slope), se, fitted


def marker_vertical_edges(corners_px: np.ndarray, *, max_aspect_error: float = 0.3) -> np.ndarray | None:
    """Return the two vertical edges of a square marker flat on a vertical surface, or None.

    Parameters
    ----------
    corners_px : ndarray, shape (4, 2)
        Corners in ArUco order (top-left, top-right, bottom-right, bottom-left), pixels, y down.
    max_aspect_error : float, default 0.3
        Largest relative departure of the marker's apparent height/width from 1 (a marker on a
        wall seen 30 degrees off square is 1/cos(30) = 1.15 times taller than wide; one lying
        on the floor seen from pelvis height is 3 or more times wider than tall).

    Returns
    -------
    ndarray, shape (2, 4) or None
        The edge pair nearer the image vertical as ``(x_bottom, y_bottom, x_top, y_top)``;
        None when the shape is not that of an upright square (the consistency test).

    Notes
    -----
    The edges nearer the image vertical are used whichever way the marker was printed or
    taped (a quarter turn swaps the pairs). Its horizontal edges are never used: on a surface
    that is not square to the camera they recede in depth and converge.

    """
    c = np.asarray(corners_px, float).reshape(4, 2)
    if not np.isfinite(c).all():
        return None
    edges = np.stack([c[[3, 0]], c[[2, 1]], c[[0, 1]], c[[3, 2]]])  # left, right, top, bottom
    d = edges[:, 1] - edges[:, 0]
    length = np.hypot(d[:, 0], d[:, 1])
    steep = np.abs(d[:, 1]) > np.abs(d[:, 0])
    pair = [0, 1] if steep[:2].all() else [2, 3] if steep[2:].all() else None
    if pair is None or min(length) <= 0:
        return None
    other = [2, 3] if pair == [0, 1] else [0, 1]
    aspect = float(np.mean(length[pair]) / np.mean(length[other]))
    if abs(aspect - 1.0) > max_aspect_error:
        return None
    seg = edges[pair].reshape(2, 4)
    up = seg[:, 1] < seg[:, 3]
    seg[up] = seg[up][:, [2, 3, 0, 1]]
    return seg
