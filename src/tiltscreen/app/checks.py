"""Live set-up checks of a step, each with one plain instruction when it fails.

Pure functions of a short window of landmarks (the last second) and the facts found on the latest frame
(stickers, box marker, camera level). The view checks call the analyses' own functions
(:func:`~tiltscreen.kinematics.view.facing_direction`, :func:`~tiltscreen.kinematics.view.near_side`,
:func:`~tiltscreen.kinematics.yaw.estimate_view_yaw`, :func:`~tiltscreen.kinematics.level.check_level`),
so what the live view accepts is what the analysis will accept. The image-fraction and stillness limits
are tool-design choices for framing (``docs/app.md``), not clinical thresholds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tiltscreen.app.thresholds import Thresholds
from tiltscreen.kinematics.level import LevelCheck
from tiltscreen.kinematics.view import ViewError, facing_direction, near_side
from tiltscreen.kinematics.yaw import estimate_view_yaw
from tiltscreen.landmarks import Landmarks
from tiltscreen.skeleton import BLAZEPOSE

#: the subject (head to heel) should fill this fraction of the picture's height (framing choice)
MIN_HEIGHT_FRACTION, MAX_HEIGHT_FRACTION = 0.45, 0.95
#: sitting: the subject's extent (head to toes, along the longer axis) fills at least this of the width
MIN_SIT_FRACTION = 0.35
#: standing still: the hips and shoulders move less than this many body heights per second (quiet
#: standing moved 0.01-0.02 in README "How an analysis ends"; the analysis accepts up to 0.15)
MAX_STILL_SPEED = 0.05
#: landmarks must lie this far inside the picture's edges (fraction of the size)
EDGE_MARGIN = 0.01
MIN_VISIBILITY = 0.5

#: body parts that must be in the picture; either side of a pair will do (the far side may be hidden)
_BODY = (
    ("nose",),
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    ("left_ankle", "right_ankle"),
)


@dataclass(frozen=True)
class Check:
    """One set-up check: its key, whether it holds, the instruction when it does not, and if it blocks."""

    key: str
    label: str
    ok: bool
    instruction: str | None = None
    blocking: bool = True

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form for the page."""
        return {
            "key": self.key,
            "label": self.label,
            "ok": self.ok,
            "instruction": self.instruction,
            "blocking": self.blocking,
        }


@dataclass(frozen=True)
class FrameFacts:
    """What the latest frame showed besides the landmarks (None: not looked for on this frame)."""

    stickers_found: bool | None = None
    marker_found: bool | None = None
    level: LevelCheck | None = None


def _point(lm: Landmarks, name: str) -> np.ndarray:
    """Median normalised ``(x, y)`` of a landmark over the window, NaN where not visible enough."""
    k = BLAZEPOSE.index(name)
    xy = lm.xyz[:, k, :2].copy()
    xy[~(lm.visibility[:, k] >= MIN_VISIBILITY)] = np.nan
    if not np.isfinite(xy).any():
        return np.full(2, np.nan)
    return np.nanmedian(xy, axis=0)


def _body_points(lm: Landmarks) -> np.ndarray:
    """One point per :data:`_BODY` part: the mean of its visible sides (NaN when none is visible)."""
    out = []
    for names in _BODY:
        pts = np.array([_point(lm, n) for n in names])
        pts = pts[np.isfinite(pts).all(axis=1)]
        out.append(pts.mean(axis=0) if len(pts) else np.full(2, np.nan))
    return np.array(out)


def in_frame(lm: Landmarks) -> Check:
    """Check that the whole body, head to feet, is inside the picture."""
    pts = _body_points(lm)
    ok = bool(np.isfinite(pts).all() and (pts >= EDGE_MARGIN).all() and (pts <= 1 - EDGE_MARGIN).all())
    return Check(
        "in_frame",
        "Whole body in frame",
        ok,
        None
        if ok
        else "Step back or move the camera so that the whole body, head to feet, is in the picture.",
    )


def distance(lm: Landmarks, *, sitting: bool) -> Check:
    """Check that the subject fills a usable part of the picture (not too far, not too close)."""
    pts = _body_points(lm)
    if not np.isfinite(pts).all():
        return Check("distance", "Distance", False, "Bring the whole body into view to judge the distance.")
    w, h = lm.image_size
    span = np.ptp(pts[:, 0]) * w / max(w, h) if sitting else np.ptp(pts[:, 1])
    low = MIN_SIT_FRACTION if sitting else MIN_HEIGHT_FRACTION
    if span < low:
        return Check("distance", "Distance", False, "Move the camera closer: the patient looks too small.")
    if not sitting and span > MAX_HEIGHT_FRACTION:
        return Check("distance", "Distance", False, "Move the camera further away: leave a margin.")
    return Check("distance", "Distance", True)


def side_on(lm: Landmarks, th: Thresholds, *, want_side: str, protocol: str) -> Check:
    """Side view within the yaw limit, and (standing) the requested side nearer the camera."""
    label = "Side-on to the camera"
    try:
        facing = facing_direction(lm)
        side = near_side(lm, facing=facing)
    except ViewError:
        return Check("side_on", label, False, "Turn the patient side-on to the camera.")
    if want_side in ("left", "right") and side != want_side:
        return Check(
            "side_on", label, False, f"Turn the patient so that the {want_side} side faces the camera."
        )
    model = th.yaw_standing if protocol == "standing" else th.yaw_sit_and_reach
    yaw = estimate_view_yaw(lm, side, facing=facing, model=model)
    limit = th.max_yaw_deg.value
    if math.isfinite(yaw.yaw_deg) and abs(yaw.yaw_deg) > limit:
        return Check(
            "side_on",
            label,
            False,
            f"Place the camera square to the patient's side (now about {abs(yaw.yaw_deg):.0f}° off; "
            f"limit {limit:g}°).",
        )
    return Check("side_on", label, True)


def level(facts: FrameFacts) -> Check:
    """Camera level, from the same level method as the analyses (assumed level passes, with a note)."""
    if facts.level is None:
        return Check("level", "Camera level", True, None)
    lc = facts.level
    return Check("level", "Camera level", lc.within_limits, None if lc.within_limits else lc.advice)


def arms_folded(lm: Landmarks) -> Check:
    """Standing: wrists in front of the chest, between shoulder and hip height (the pelvis left free)."""
    sh = np.nanmean([_point(lm, "left_shoulder"), _point(lm, "right_shoulder")], axis=0)
    hip = np.nanmean([_point(lm, "left_hip"), _point(lm, "right_hip")], axis=0)
    wrists = [_point(lm, "left_wrist"), _point(lm, "right_wrist")]
    trunk = float(np.hypot(*(hip - sh))) if np.isfinite(sh).all() and np.isfinite(hip).all() else math.nan
    ok = math.isfinite(trunk) and trunk > 0
    for w in wrists:
        if not np.isfinite(w).all():
            continue  # a hidden far wrist says nothing
        above_hips = w[1] < hip[1] - 0.2 * trunk
        near_trunk = abs(w[0] - (sh[0] + hip[0]) / 2) < 0.6 * trunk
        ok = ok and bool(above_hips and near_trunk)
    instruction = None if ok else "Ask the patient to fold the arms across the chest, clear of the pelvis."
    return Check("arms_folded", "Arms folded", ok, instruction)


def still(lm: Landmarks) -> Check:
    """Standing: hips and shoulders moving less than :data:`MAX_STILL_SPEED` body heights per second."""
    names = ("left_hip", "right_hip", "left_shoulder", "right_shoulder")
    idx = [BLAZEPOSE.index(n) for n in names]
    xy = lm.xyz[:, idx, :2].mean(axis=1)
    t = lm.timestamps_s
    good = np.isfinite(xy).all(axis=1)
    height = np.ptp([_point(lm, "nose")[1], _point(lm, "left_ankle")[1]]) or math.nan
    if good.sum() < 3 or t[good][-1] - t[good][0] < 0.3 or not math.isfinite(height):
        return Check("still", "Standing still", False, "Ask the patient to stand still.")
    path = np.sum(np.hypot(*np.diff(xy[good], axis=0).T))
    speed = path / (t[good][-1] - t[good][0]) / height
    ok = bool(speed < MAX_STILL_SPEED)
    return Check("still", "Standing still", ok, None if ok else "Ask the patient to stand still.")


def long_sitting(lm: Landmarks, side: str) -> Check:
    """Sit-and-reach: thigh and shank near the horizontal (the analysis's own limit is 35°)."""
    hip, knee, ankle = (_point(lm, f"{side}_{n}") for n in ("hip", "knee", "ankle"))
    w, h = lm.image_size

    def angle(a: np.ndarray, b: np.ndarray) -> float:
        d = (b - a) * (w, h)
        return math.degrees(math.atan2(abs(d[1]), abs(d[0])))

    ok = (
        all(np.isfinite(p).all() for p in (hip, knee, ankle))
        and max(angle(hip, knee), angle(knee, ankle)) < 35
    )
    instruction = (
        None if ok else "Ask the patient to sit with the legs straight out on the floor, soles to the box."
    )
    return Check("long_sitting", "Long sitting", bool(ok), instruction)


def advisory(key: str, label: str, found: bool | None, instruction: str) -> Check:
    """Return a check that informs without blocking capture (stickers, box marker)."""
    ok = bool(found)
    return Check(key, label, ok, None if ok else instruction, blocking=False)


def step_checks(
    lm: Landmarks, facts: FrameFacts, th: Thresholds, *, protocol: str, want_side: str
) -> tuple[Check, ...]:
    """Every check of a step on the latest window, in the order the page lists them."""
    framed = in_frame(lm)
    sitting = protocol != "standing"
    checks = [framed, side_on(lm, th, want_side=want_side, protocol=protocol), level(facts)]
    checks.append(distance(lm, sitting=sitting))
    if not sitting:
        checks += [arms_folded(lm), still(lm)]
        checks.append(
            advisory(
                "stickers",
                "Stickers found",
                facts.stickers_found,
                "Stickers not seen: check the ASIS and PSIS stickers face the camera (else the markerless "
                "estimate is used).",
            )
        )
    else:
        side = _near_or(lm, want_side)
        checks.append(long_sitting(lm, side))
        checks.append(
            advisory(
                "box_marker",
                "Box marker found",
                facts.marker_found,
                "Box marker not seen: tape the printed marker flat on the camera side of the box "
                "(else no cm).",
            )
        )
    return tuple(checks)


def _near_or(lm: Landmarks, want_side: str) -> str:
    if want_side in ("left", "right"):
        return want_side
    try:
        return near_side(lm, facing=facing_direction(lm))
    except ViewError:
        return "left"


def blocking_pass(checks: tuple[Check, ...]) -> bool:
    """Return True when every blocking check holds."""
    return all(c.ok for c in checks if c.blocking)
