"""Pelvic tilt from the two skin stickers found by :mod:`tiltscreen.pose.stickers`.

Convention: the angle of the PSIS→ASIS line against the true horizontal, positive when the
ASIS is lower than the PSIS (anterior tilt), degrees; camera roll (y-up, counter-clockwise
positive) is removed first.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from tiltscreen.checks import facing_problems, number_problems, raise_if_problems
from tiltscreen.kinematics.sagittal import subject_vector
from tiltscreen.kinematics.side_view import SideView, sagittal_angle_deg
from tiltscreen.kinematics.vectors import signed_angle_2d
from tiltscreen.pose.stickers import StickerPair, StickerSearch

#: marker method error budget (1 SD, degrees): sticker detection and pairing 0.8 (renders: MAE 0.77 deg
#: with parallax removed) and the stickers' depth parallax when the camera's field of view is unknown
#: (renders: ~1 deg low without the correction); camera roll adds its own uncertainty
MARKER_DETECTION_SD_DEG = 0.8
MARKER_PARALLAX_SD_DEG = 1.0


@dataclass(frozen=True)
class Parallax:
    """Pinhole facts that remove the depth parallax between the two stickers (see :func:`remove_parallax`).

    Attributes
    ----------
    focal_px : float
        Focal length in full-resolution pixels (``0.5 * width / tan(hfov / 2)``).
    principal_px : (float, float)
        Principal point, full-resolution pixels (normally the image centre).
    depth_gap : float
        How much further from the camera the PSIS sticker is than the ASIS sticker, as a
        fraction of stature (ASIS ~0.07 stature from the midline, PSIS ~0.026: default 0.042).

    """

    focal_px: float
    principal_px: tuple[float, float]
    depth_gap: float = 0.042

    @classmethod
    def from_hfov(cls, image_size: tuple[int, int], hfov_deg: float, *, depth_gap: float = 0.042) -> Parallax:
        """Centred principal point and the focal length of a horizontal field of view (degrees)."""
        w, h = image_size
        return cls(0.5 * w / math.tan(math.radians(hfov_deg) / 2.0), (w / 2.0, h / 2.0), depth_gap)


def remove_parallax(pair: StickerPair, parallax: Parallax) -> StickerPair:
    """Move the PSIS sticker to where it would appear at the ASIS sticker's depth.

    Notes
    -----
    A point ``dz`` further away than another at distance ``z`` appears ``1 + dz/z`` times
    closer to the principal point. With ``z = focal_px * stature / stature_px``,
    ``dz/z = depth_gap * stature_px / focal_px``, so the PSIS offset from the principal point
    is scaled by that factor. Uncorrected, the error is about ``(dz/z) * (pelvis height above
    the principal point) / (ASIS-PSIS distance)`` radians: ~1.3 degrees for a pelvis 40 px above
    the centre of a 960x540 image at 3 m, zero with the camera at pelvis height.

    """
    k = 1.0 + parallax.depth_gap * pair.stature_px / parallax.focal_px
    c = np.asarray(parallax.principal_px, float)
    return StickerPair(pair.asis_px, c + (pair.psis_px - c) * k, pair.quality, pair.reasons, pair.stature_px)


#: detection error of the window's tilt (1 SD) times the stickers' separation in pixels, degrees x px: the
#: error of a sticker centre is a fraction of a pixel, so the angle's falls as 1 / separation. Measured on
#: 27 standing development renders (standing_v0, standing, camera_extra; |yaw| <= 15 deg; camera model with
#: the true view, so only detection is left): RMS of (measured - projected true centres) x separation =
#: 43 (one clip with a wrong pair left out): 1.4 deg at 30 px, 0.7 deg at 60 px
DETECTION_SD_PX_DEG = 43.0


def detection_sd_deg(separation_px: float) -> float:
    """Return the 1-SD detection error of a window's sticker tilt for stickers ``separation_px`` apart."""
    return DETECTION_SD_PX_DEG / max(float(separation_px), 1.0)


#: how much nearer the camera (on the near side) the ASIS sticker sits than the PSIS sticker, as a fraction
#: of stature: half the inter-ASIS width (about 0.07 stature) minus the PSIS's 4.5 cm (about 0.026
#: stature); the same depth gap :class:`Parallax` uses, seen along the lateral direction
LATERAL_GAP = 0.044


def pair_tilt_deg(
    asis_px: np.ndarray, psis_px: np.ndarray, *, facing: int, roll_deg: float | np.ndarray = 0.0
) -> np.ndarray:
    """Tilt of the PSIS->ASIS line against the true horizontal, degrees, positive anterior.

    Parameters
    ----------
    asis_px, psis_px : ndarray, shape (..., 2)
        Full-resolution pixels, y down; NaN gives NaN.
    facing : {+1, -1}
        +1 if the subject faces image-right.
    roll_deg : float or ndarray broadcastable to ``asis_px.shape[:-1]``
        Camera roll to remove (y-up, counter-clockwise positive).

    Returns
    -------
    ndarray, shape (...)
        Degrees in (-180, 180]; 0 = level, +10 = ASIS 10 degrees below the PSIS.

    Examples
    --------
    >>> float(pair_tilt_deg(np.array([100.0, 110.0]), np.array([0.0, 100.0]), facing=1)).__round__(2)
    5.71

    """
    raise_if_problems("pair_tilt_deg", facing_problems(facing))
    roll = np.broadcast_to(np.asarray(roll_deg, float), np.shape(asis_px)[:-1])
    v = np.stack(
        [
            subject_vector(p, a, facing=facing, roll_deg=r)
            for a, p, r in zip(
                np.reshape(asis_px, (-1, 2)), np.reshape(psis_px, (-1, 2)), roll.ravel(), strict=True
            )
        ]
    )
    return np.reshape(signed_angle_2d(v, [1.0, 0.0]), np.shape(asis_px)[:-1])


class StickerTilt(NamedTuple):
    """Outcome of :func:`sticker_tilt_deg`; ``tilt_deg`` and ``iqr_deg`` are None when indeterminate."""

    tilt_deg: float | None
    iqr_deg: float | None
    n_frames: int
    reasons: tuple[str, ...]

    @property
    def determinate(self) -> bool:
        """True when a tilt was measured."""
        return self.tilt_deg is not None


def sticker_tilt_deg(
    pairs: Sequence[StickerPair | StickerSearch | None],
    facing: int,
    roll_deg: float | Sequence[float] = 0.0,
    *,
    min_frames: int = 15,
    max_iqr_deg: float = 3.0,
    parallax: Parallax | None = None,
    view: SideView | None = None,
) -> StickerTilt:
    """Median sticker tilt over a standing window, roll-corrected, positive anterior.

    Parameters
    ----------
    pairs : sequence of StickerPair, StickerSearch or None
        One entry per frame of the window (None or a search without a pair: not measured).
    facing : {+1, -1}
        +1 if the subject faces image-right. The sticker ahead in this direction is taken as
        the ASIS whatever the per-frame label.
    roll_deg : float or sequence of float
        Camera roll, degrees (y-up, counter-clockwise positive), one value or one per frame.
    min_frames : int, default 15
        Fewest frames with both stickers for a determinate result (half a second at 30 fps).
    max_iqr_deg : float, default 3
        Largest interquartile range of the per-frame tilts; above it the stickers are not
        tracked reliably and the result is indeterminate.
    parallax : Parallax, optional
        Remove the depth parallax between the stickers first (:func:`remove_parallax`).
    view : SideView, optional
        The camera's model (:mod:`tiltscreen.kinematics.side_view`): when given, each pair's tilt is
        read in the sagittal plane with the view's yaw, pitch and roll and the ASIS sticker
        :data:`LATERAL_GAP` x stature nearer the camera (``roll_deg`` and ``parallax`` are then
        not used).

    Returns
    -------
    StickerTilt
        ``(tilt_deg, iqr_deg, n_frames, reasons)``: median and IQR in degrees (None when
        indeterminate), frames used, and plain sentences (why indeterminate, most common
        per-frame failures, warnings).

    """
    problems = facing_problems(facing) + number_problems("max_iqr_deg", max_iqr_deg, low=0.0, strict_low=True)
    if isinstance(min_frames, bool) or not isinstance(min_frames, int) or min_frames < 1:
        problems.append(f"min_frames must be a positive integer, got {min_frames!r}")
    roll = (
        np.broadcast_to(np.asarray(roll_deg, float), (len(pairs),))
        if np.ndim(roll_deg) == 0
        else np.asarray(roll_deg, float)
    )
    if roll.shape != (len(pairs),) or not np.all(np.isfinite(roll)) or np.any(np.abs(roll) > 45):
        problems.append(
            f"roll_deg must be finite, within 45 degrees, one value or one per pair; got shape {roll.shape}"
        )
    raise_if_problems("sticker_tilt_deg", problems)
    found = [(p.pair if isinstance(p, StickerSearch) else p, r) for p, r in zip(pairs, roll, strict=True)]
    misses = Counter(p.reason for p in pairs if isinstance(p, StickerSearch) and p.pair is None and p.reason)
    kept = [(_relabel(q, facing), r) for q, r in found if q is not None]
    if parallax is not None and view is None:
        kept = [(remove_parallax(q, parallax), r) for q, r in kept]
    tilts = np.array([_tilt(q, facing, r, view) for q, r in kept])
    n = len(tilts)
    reasons = [f"{why} ({k} of {len(pairs)} frames)" for why, k in misses.most_common(2)]
    if n < min_frames:
        return StickerTilt(
            None,
            None,
            n,
            (
                f"Indeterminate: both stickers seen in {n} of {len(pairs)} frames, fewer than {min_frames}.",
                *reasons,
            ),
        )
    q1, med, q3 = np.percentile(tilts, [25, 50, 75])
    if q3 - q1 > max_iqr_deg:
        return StickerTilt(
            None,
            float(q3 - q1),
            n,
            (
                f"Indeterminate: the sticker tilt varies too much between "
                f"frames (IQR {q3 - q1:.1f}°, limit {max_iqr_deg:g}°).",
                *reasons,
            ),
        )
    warnings = Counter(w for q, _ in kept for w in q.reasons)
    reasons += [f"{why} ({k} of {n} frames)" for why, k in warnings.most_common(2)]
    return StickerTilt(float(med), float(q3 - q1), n, tuple(reasons))


def _tilt(pair: StickerPair, facing: int, roll_deg: float, view: SideView | None) -> float:
    """One pair's tilt, degrees, positive anterior (roll removed; with a view, read in the sagittal plane)."""
    if view is not None:
        lateral = LATERAL_GAP * pair.stature_px if math.isfinite(pair.stature_px) else 0.0
        return sagittal_angle_deg(pair.asis_px, pair.psis_px, lateral_px=lateral, view=view)
    return float(pair_tilt_deg(pair.asis_px, pair.psis_px, facing=facing, roll_deg=roll_deg))


def _relabel(pair: StickerPair, facing: int) -> StickerPair:
    """Return the pair with the sticker ahead in ``facing`` as the ASIS."""
    if (pair.asis_px[0] - pair.psis_px[0]) * facing >= 0:
        return pair
    return StickerPair(pair.psis_px, pair.asis_px, pair.quality, pair.reasons, pair.stature_px)


def tilt_series_deg(searches: Sequence[StickerSearch], *, facing: int, roll_deg: float = 0.0) -> np.ndarray:
    """Per-frame sticker tilt (degrees, positive anterior; NaN where no pair was found).

    The sticker ahead in the facing direction is taken as the ASIS in every frame, so a frame's
    own label does not matter (used during movement, e.g. a sit-and-reach, where no single
    window median applies).
    """
    raise_if_problems("tilt_series_deg", facing_problems(facing))
    nan2 = np.full(2, np.nan)
    pairs = [_relabel(s.pair, facing) if s.pair is not None else None for s in searches]
    asis = np.array([p.asis_px if p else nan2 for p in pairs]).reshape(-1, 2)
    psis = np.array([p.psis_px if p else nan2 for p in pairs]).reshape(-1, 2)
    if not len(pairs):
        return np.empty(0)
    return pair_tilt_deg(asis, psis, facing=facing, roll_deg=roll_deg)
