"""The reach of every frame, in centimetres, from the fingertip, the feet and the box (pure functions).

Two ways, chosen by what the user measured (see the README's set-up):

- **Box plane** (a printed marker on the box): the marker's corners fix the box's
  camera-facing side as a measuring plane (:mod:`tiltscreen.kinematics.box_plane`). The
  fingertip is placed in box coordinates at its likely depth behind that side. When the
  marker's place on the box is known (``--marker-from-end-cm``, ``--marker-from-top-cm``), the
  reach is the fingertip's distance beyond the box's end face, where the soles rest (the
  protocols' zero): no toe landmark is needed. Otherwise the toe tip (MediaPipe's foot-index
  point) is placed the same way and the reach is fingertip minus toe.
- **Pixel scale** (stature only): the fingertip beyond the toe tip along the floor, in pixels,
  divided by a single scale.

The fingertip comes from any number of sources in order of preference
(:func:`fingertips_from`), e.g. a hand model first and the outline search as the fallback; the
source used is kept per frame and reported per trial.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.box_plane import (
    MarkerPlacement,
    PlaneFit,
    ViewPrior,
    fit_plane,
    median_corners,
    ordered_corners,
    transfer,
)
from tiltscreen.pose.features import for_facing
from tiltscreen.protocols.sit_and_reach.measure import reach_px

if TYPE_CHECKING:
    from tiltscreen.protocols.common import Scale
    from tiltscreen.protocols.recording import AnalyzeJob, Recording

#: lateral position of the near hand's middle fingertip from the box's centre line (cm, mean and
#: 1 SD): the protocols ask for the hands side by side or one on the other along the middle of the box
#: (about 2-5 cm), while rendered subjects and some people reach with the hands up to shoulder width
#: apart (9-13 cm on the development renders): 8 +- 4 cm spans both
HAND_FROM_MIDLINE_CM = (8.0, 4.0)
#: the near foot's toe tip from the box's centre line (cm): feet about hip width apart, inner edges
#: of the soles 15 cm apart (ACSM/CSEP), toe tips 10-18 cm out (3-19 cm behind the box's 44-cm-wide
#: side on the renders)
TOE_FROM_MIDLINE_CM = (13.0, 4.0)
#: box width when not given (cm, 1 SD): commercial and home-made boxes are about 30-45 cm wide
BOX_WIDTH_PRIOR_CM = (36.0, 6.0)
#: error (1 SD, px) of the median marker corner, systematic part included: the detected corners lie
#: 0.2-0.25 px inside the true ones on the renders (blur and compression); per-detection scatter is
#: under 0.05 px
CORNER_SD_PX = 0.3


@dataclass(frozen=True)
class Fingertips:
    """The near-side fingertip per frame and which source gave it.

    Attributes
    ----------
    px : ndarray, shape (n, 2)
        Continuous pixels (x right, y down); NaN where no source had a point.
    source : ndarray of int, shape (n,)
        Index into ``labels`` of the source used, -1 where none.
    labels : tuple of str
        Source names in order of preference.

    """

    px: np.ndarray
    source: np.ndarray
    labels: tuple[str, ...]


def fingertips_from(sources: Sequence[tuple[str, np.ndarray]]) -> Fingertips:
    """Combine fingertip sources: per frame, the first source (in the given order) with a finite point.

    Parameters
    ----------
    sources : sequence of (str, ndarray of shape (n, 2))
        ``(label, pixels)`` pairs, most trusted first, e.g.
        ``[("hand model", hand_px), ("outline", outline_px)]``; NaN rows mean "no point".

    Raises
    ------
    ValidationError
        If there is no source or the arrays differ in shape or are not (n, 2).

    """
    if not sources:
        raise ValidationError("fingertips_from: at least one fingertip source is needed.")
    arrays = [np.asarray(px, float) for _, px in sources]
    shape = arrays[0].shape
    if len(shape) != 2 or shape[1] != 2 or any(a.shape != shape for a in arrays):
        raise ValidationError(
            f"fingertips_from: every source must be an (n, 2) array of one shape, got {shape}."
        )
    px = np.full(shape, np.nan)
    source = np.full(shape[0], -1)
    for k in range(len(arrays) - 1, -1, -1):
        ok = np.isfinite(arrays[k]).all(axis=1)
        px[ok], source[ok] = arrays[k][ok], k
    return Fingertips(px, source, tuple(str(label) for label, _ in sources))


@dataclass(frozen=True)
class ReachGeometry:
    """Per-frame reach and its geometric SD (NaN: not modelled), the unit, the method in words, the zero.

    ``kind`` is ``"box_end"`` (beyond the box's end face, on the box plane), ``"plane_toe"`` (beyond the
    toe tip, on the box plane) or ``"pixels"`` (beyond the toe tip, one pixel scale).
    """

    reach: np.ndarray
    sd: np.ndarray
    unit: str
    method: str
    zero: str
    kind: str
    plane: PlaneFit | None = None
    toe_px: np.ndarray | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON form: method, zero, kind, the toe point and the box plane's pose (for checks, benchmarks)."""
        out: dict[str, Any] = {"kind": self.kind, "method": self.method, "zero": self.zero}
        out["toe_px"] = None if self.toe_px is None else [round(float(v), 2) for v in self.toe_px]
        out["box_plane"] = None if self.plane is None else plane_dict(self.plane)
        return out


def plane_dict(fit: PlaneFit) -> dict[str, Any]:
    """JSON form of a :class:`PlaneFit`: the median corners it came from, focal length, yaw and placement."""
    p = fit.placement
    return {
        "corners_px": [[round(float(v), 3) for v in c] for c in fit.corners_px],
        "focal_px": round(fit.focal_px, 1),
        "focal_sd_px": round(fit.focal_sd_px, 1),
        "focal_from_marker": fit.focal_from_marker,
        "yaw_deg": round(fit.yaw_deg, 2),
        "yaw_sd_deg": round(fit.yaw_sd_deg, 2),
        "facing": fit.facing,
        "image_size": list(fit.image_size),
        "placement": {
            "size_cm": p.size_cm,
            "from_end_cm": p.from_end_cm,
            "from_top_cm": p.from_top_cm,
            "box_width_cm": p.box_width_cm,
        },
    }


def hold_point(px: np.ndarray | None, frames: slice) -> list[float] | None:
    """Median pixel (x, y) of a per-frame point over a trial's hold frames, rounded; None if unknown."""
    if px is None:
        return None
    pts = px[frames]
    pts = pts[np.isfinite(pts).all(axis=1)]
    return [round(float(v), 2) for v in np.median(pts, axis=0)] if len(pts) else None


def fit_box_plane(
    corners: list[np.ndarray], placement: MarkerPlacement, *, facing: int, image_size: tuple[int, int]
) -> PlaneFit | None:
    """Pose of the box's side plane from every detection of its (static) marker; None without any."""
    if not corners:
        return None
    ordered = [ordered_corners(c, facing=facing) for c in corners]
    median, _ = median_corners(ordered)
    return fit_plane(
        median,
        placement=placement,
        facing=facing,
        image_size=image_size,
        corner_sd_px=CORNER_SD_PX,
        prior=ViewPrior(),
    )


def _depth(placement: MarkerPlacement, from_midline: tuple[float, float]) -> tuple[float, float]:
    """Depth behind the box's camera-facing side (cm, mean and SD) of a point ``from_midline`` out."""
    if placement.box_width_cm is not None:
        return placement.box_width_cm / 2 - from_midline[0], from_midline[1]
    half, half_sd = BOX_WIDTH_PRIOR_CM[0] / 2, BOX_WIDTH_PRIOR_CM[1] / 2
    return half - from_midline[0], math.hypot(half_sd, from_midline[1])


def reach_on_plane(fit: PlaneFit, tips_px: np.ndarray, toe_px: np.ndarray | None) -> ReachGeometry:
    """Reach in cm on the box plane: beyond the end face if the marker's place is known, else beyond the toe.

    ``tips_px`` (n, 2) and ``toe_px`` (2,) (a fixed toe point, used only without the marker's place)
    are continuous pixels. The SD combines the pose's spread and the depth priors
    (:data:`HAND_FROM_MIDLINE_CM`, :data:`TOE_FROM_MIDLINE_CM`).
    """
    d_hand, sd_hand = _depth(fit.placement, HAND_FROM_MIDLINE_CM)
    tip = transfer(fit, tips_px, depth_cm=d_hand, depth_sd_cm=sd_hand)
    if fit.placement.anchored:
        return ReachGeometry(
            tip.u_cm,
            tip.u_sd_cm,
            "cm",
            "fingertip placed on the box's long axis from the marker's plane",
            "the box's end face, where the soles rest",
            "box_end",
            plane=fit,
        )
    if toe_px is None or not np.isfinite(toe_px).all():
        nan = np.full(len(tips_px), np.nan)
        return ReachGeometry(nan, nan, "cm", "no toe point", "the toe tips", "plane_toe", plane=fit)
    d_toe, _ = _depth(fit.placement, TOE_FROM_MIDLINE_CM)
    toe = transfer(fit, np.asarray(toe_px, float).reshape(1, 2), depth_cm=d_toe, depth_sd_cm=0.0)
    # the hand's depth relative to the toe's: the box width (shared) cancels to first order, so the
    # SD is that of the difference of the two lateral positions
    rel_sd = math.hypot(HAND_FROM_MIDLINE_CM[1], TOE_FROM_MIDLINE_CM[1])
    rel = transfer(
        fit, tips_px, depth_cm=d_toe + (TOE_FROM_MIDLINE_CM[0] - HAND_FROM_MIDLINE_CM[0]), depth_sd_cm=rel_sd
    )
    return ReachGeometry(
        rel.u_cm - toe.u_cm[0],
        rel.u_sd_cm,
        "cm",
        "fingertip and toe tip placed on the box's long axis from the marker's plane",
        "the toe tips",
        "plane_toe",
        plane=fit,
        toe_px=np.asarray(toe_px, float),
    )


def reach_in_pixels(
    tips_px: np.ndarray, toe_px: np.ndarray, *, facing: int, roll_deg: float, px_per_cm: float | None
) -> ReachGeometry:
    """Fingertip beyond the toe tip along the floor (roll removed), divided by ``px_per_cm`` if given."""
    toe = np.asarray(toe_px, float)
    reach = reach_px(np.asarray(tips_px, float), toe, facing=facing, roll_deg=roll_deg)
    nan = np.full(len(reach), np.nan)
    method = "fingertip beyond the toe tip along the floor, one pixel scale"
    if px_per_cm:
        return ReachGeometry(reach / px_per_cm, nan, "cm", method, "the toe tips", "pixels", toe_px=toe)
    return ReachGeometry(reach, nan, "px", method, "the toe tips", "pixels", toe_px=toe)


def reach_geometry(
    rec: Recording,
    job: AnalyzeJob,
    *,
    side: str,
    facing: int,
    roll_deg: float,
    scale: Scale,
    tip_sources: Sequence[tuple[str, np.ndarray]] = (),
) -> tuple[ReachGeometry, Fingertips]:
    """Measure the per-frame reach of a recording; return it with the fingertips it came from.

    Parameters
    ----------
    rec, job
        The extracted recording and the analysis options (marker size and placement, box width).
    side, facing
        Near side and the way the subject faces (+1 image-right).
    roll_deg
        Camera roll, for the pixel method.
    scale
        The recording's scale: the box plane is used when it comes from the marker.
    tip_sources : sequence of (str, ndarray of shape (n_frames, 2))
        Fingertip sources preferred to the outline, e.g. ``[("hand model", px)]`` (continuous
        pixels, NaN where that source has no confident point); the outline fingertip
        (:func:`tiltscreen.pose.outline.tips_both_ways`) is always the last fallback, and the source
        used is recorded per frame.

    """
    size = np.array(rec.lm.image_size, float)
    outline = for_facing(rec.features, f"{side}_fingertip", facing)
    outline_px = outline * size if outline is not None else np.full((rec.lm.n_frames, 2), np.nan)
    tips = fingertips_from([*tip_sources, ("outline", outline_px)])
    toe = np.nanmedian(rec.lm.point(f"{side}_foot_index"), axis=0)  # the feet rest against the box
    if scale.source == "marker" and job.marker_size_cm:
        placement = MarkerPlacement(
            job.marker_size_cm, job.marker_from_end_cm, job.marker_from_top_cm, job.box_width_cm
        )
        fit = fit_box_plane(
            [m.corners_px for m in rec.markers], placement, facing=facing, image_size=rec.lm.image_size
        )
        if fit is not None:
            return reach_on_plane(fit, tips.px, toe), tips
    return reach_in_pixels(tips.px, toe, facing=facing, roll_deg=roll_deg, px_per_cm=scale.px_per_cm), tips
