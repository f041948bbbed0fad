"""The camera's level from true verticals in view, or an honest "assumed level".

Conventions
-----------
* **Roll** (degrees) is the camera's rotation about its optical axis, as in
  :mod:`tiltscreen.kinematics.camera`: the angle of the horizon (and of every horizontal line
  parallel to the image plane) in the y-up image frame, counter-clockwise positive. It is the
  one number removed from every angle measured against the horizontal or the vertical.
* A **vertical** seen by a camera with roll ``r`` and pitch ``a`` (looking down positive)
  points to the vertical vanishing point. Its lean from the image vertical (counter-clockwise
  positive, :func:`tiltscreen.pose.lines.lean_deg`) is, for small angles,
  ``lean = r + k * u`` with ``u = (x - cx) / width`` the line's horizontal offset from the
  image centre and ``k = tan(a) * width / f`` (radians per image width, f the focal length in
  pixels). So the roll is the lean at the centre column; a vertical off the centre also carries
  the pitch term, which is fitted when the verticals span enough of the image, and otherwise
  allowed for in the uncertainty (``pitch_sd_deg``).
* Horizontal lines are never used: a horizontal line that recedes in depth (a floor-wall
  junction, the sole of a foot) leans by ``roll + (height offset / distance) * tan(yaw)``, so
  it mixes the roll with the view's yaw.

Methods, in order of trust: a plumb line (a thin dark line hanging straight), the vertical
edges of a square marker flat on a wall or on the sit-and-reach box, the room's own straight
verticals (door frames, wall corners: several agreeing). With none, the level is
**assumed** (the set-up asks for a level camera): roll 0 with a measured allowance.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tiltscreen.checks import number_problems, raise_if_problems
from tiltscreen.config.camera import DEFAULT_SPREADS, LevelSpreads
from tiltscreen.kinematics.side_view import ASSUMED_HFOV_DEG
from tiltscreen.kinematics.verticals import VerticalFit, distinct_lines, fit_verticals, marker_vertical_edges
from tiltscreen.pose.lines import KIND_DARK_LINE, FrameVerticals

METHOD_PLUMB = "plumb line"
METHOD_MARKER = "marker's vertical edges"
METHOD_ROOM = "room verticals (door frames, wall corners)"
METHOD_ASSUMED = "assumed level (no vertical reference in view)"
#: width / focal length of the assumed field of view (:data:`side_view.ASSUMED_HFOV_DEG`), for the pitch term
WIDTH_PER_FOCAL = 2.0 * math.tan(math.radians(ASSUMED_HFOV_DEG) / 2.0)


@dataclass(frozen=True)
class Level:
    """The camera's level and how it was found.

    Attributes
    ----------
    roll_deg : float
        Roll to remove (module convention); 0.0 when assumed.
    sd_deg : float
        1-SD uncertainty of ``roll_deg``, degrees (the method's measured spread, the fit's own
        error and the pitch allowance, combined).
    method : str
        One of :data:`METHOD_PLUMB`, :data:`METHOD_MARKER`, :data:`METHOD_ROOM`,
        :data:`METHOD_ASSUMED`.
    n_lines : int
        Distinct vertical lines that agreed (0 when assumed).
    detail : str
        One plain sentence on what was used.
    pitch_deg, pitch_sd_deg : float
        The camera's pitch (looking down positive) and its 1-SD error, degrees: measured from the
        verticals' convergence when they span the image (with the assumed 65-degree field of
        view), else 0 with the set-up allowance ``pitch_sd_deg`` of :class:`LevelSpreads`.

    """

    roll_deg: float
    sd_deg: float
    method: str
    n_lines: int
    detail: str
    pitch_deg: float = 0.0
    pitch_sd_deg: float = 1.73

    @property
    def assumed(self) -> bool:
        """True when no reference measured the level."""
        return self.method == METHOD_ASSUMED

    @property
    def half95_deg(self) -> float:
        """Half-width of the 95% interval of the roll, degrees."""
        return 1.96 * self.sd_deg


def _plumb_like(dark: np.ndarray, image_size: tuple[int, int], *, min_length: float = 0.25) -> bool:
    """Return True when the thin dark lines look like one plumb line: one or two long lines, not room texture.

    A plumb line's string is one long thin dark line (LSD may give one segment per side of it); a room
    full of thin dark lines (window frames, cable runs) is not a plumb line, and its lines count as
    room verticals instead.
    """
    if not len(dark):
        return False
    width, height = image_size
    lines = distinct_lines(dark, float(width), float(height))
    return bool(lines[:, 2].max() >= min_length * height and len(lines) <= 2)


def _candidates(
    verticals: Sequence[FrameVerticals], markers_px: Sequence[np.ndarray], image_size: tuple[int, int]
) -> dict[str, VerticalFit]:
    """Every method whose consistency test passes, with its fit."""
    frames = [f for f in verticals if len(f.segments_px)]
    seg = np.concatenate([f.segments_px for f in frames]) if frames else np.empty((0, 4))
    kinds = np.array([k for f in frames for k in f.kinds])
    out: dict[str, VerticalFit] = {}
    dark = seg[kinds == KIND_DARK_LINE] if len(seg) else seg
    if _plumb_like(dark, image_size):
        fit = fit_verticals(dark, image_size, min_lines=1, agree_deg=0.5)
        if fit is not None:
            out[METHOD_PLUMB] = fit
    edges = [e for c in markers_px if (e := marker_vertical_edges(c)) is not None]
    if edges and len(edges) >= max(1, len(markers_px) // 2):  # most detections must look upright
        side = float(np.median([np.hypot(*(e[0, 2:] - e[0, :2])) for e in edges]))
        fit = fit_verticals(np.concatenate(edges), image_size, agree_deg=max(1.0, 2 * math.degrees(1 / side)))
        if fit is not None:
            out[METHOD_MARKER] = fit
    if len(seg):
        fit = fit_verticals(seg, image_size, min_lines=2, agree_deg=1.0)
        if fit is None:  # one line alone counts when it is long: a wall corner or a door post
            fit = _single_long_line(seg, image_size)
        if fit is not None:
            out[METHOD_ROOM] = fit
    return out


def _single_long_line(
    seg: np.ndarray, image_size: tuple[int, int], *, min_extent: float = 0.5
) -> VerticalFit | None:
    """Return the fit of the longest line when it spans ``min_extent`` of the image height, else None."""
    width, height = image_size
    t = (height / 2.0 - seg[:, 1]) / np.where(seg[:, 3] != seg[:, 1], seg[:, 3] - seg[:, 1], -1e-9)
    x_mid = seg[:, 0] + t * (seg[:, 2] - seg[:, 0])
    lines = distinct_lines(seg, float(width), float(height))
    if not len(lines) or lines[:, 2].max() < min_extent * height:
        return None
    u = lines[int(np.argmax(lines[:, 2])), 1]
    own = np.abs((x_mid - width / 2.0) / width - u) <= 0.01
    return fit_verticals(seg[own], image_size, min_lines=1)


def measure_level(
    verticals: Sequence[FrameVerticals],
    markers_px: Sequence[np.ndarray],
    image_size: tuple[int, int],
    *,
    spreads: LevelSpreads = DEFAULT_SPREADS,
) -> Level:
    """Measure the camera's level from what is in view, or assume it level with an allowance.

    Parameters
    ----------
    verticals : sequence of FrameVerticals
        Near-vertical segments of one or more frames of a fixed camera
        (:class:`tiltscreen.pose.lines.LineRecorder`); one frame for a live check.
    markers_px : sequence of ndarray, shape (4, 2)
        Corners of printed square markers seen (ArUco order, pixels, y down).
    image_size : (int, int)
        Full-resolution ``(width, height)``, pixels.
    spreads : LevelSpreads
        Measured method errors and set-up allowances (``thresholds.json``, ``camera.level``).

    Returns
    -------
    Level
        The method with the smallest total uncertainty among those whose consistency test
        passes (plumb line, marker, room verticals); else :data:`METHOD_ASSUMED` with roll 0
        and ``spreads.assumed_sd_deg``.

    Notes
    -----
    Total uncertainty of a method: its measured spread, the fit's standard error and, when the
    pitch term could not be fitted, the lean a pitch of ``spreads.pitch_sd_deg`` gives a
    vertical at the lines' mean offset from the centre (``|u| * tan(pitch) * width / f`` with a
    65-degree field of view). Pure function: nothing is read from disk or from a camera.

    """
    problems = [] if len(image_size) == 2 and min(image_size) > 0 else [f"bad image_size {image_size!r}"]
    raise_if_problems("measure_level", problems)
    method_sd = {
        METHOD_PLUMB: spreads.plumb_sd_deg,
        METHOD_MARKER: spreads.marker_sd_deg,
        METHOD_ROOM: spreads.room_sd_deg,
    }
    best: Level | None = None
    for method, fit in _candidates(verticals, markers_px, image_size).items():
        pitch = (
            0.0
            if fit.slope_fitted
            else abs(fit.u_mean)
            * math.degrees(math.tan(math.radians(spreads.pitch_sd_deg)) * WIDTH_PER_FOCAL)
        )
        sd = math.sqrt(method_sd[method] ** 2 + fit.se_deg**2 + pitch**2)
        detail = (
            f"Level from the {method}: {fit.n_lines} line(s) agreeing, roll {fit.roll_deg:+.1f}° "
            f"(± {1.96 * sd:.1f}° at 95%)."
        )
        if best is None or sd < best.sd_deg:
            tilt, tilt_sd = _pitch(fit, spreads)
            best = Level(fit.roll_deg, sd, method, fit.n_lines, detail, tilt, tilt_sd)
    if best is not None:
        return best
    return Level(
        0.0,
        spreads.assumed_sd_deg,
        METHOD_ASSUMED,
        0,
        "No vertical reference (plumb line, marker on a wall, door frame) was in view, so the camera was "
        f"assumed level; angles against the horizontal allow ± {1.96 * spreads.assumed_sd_deg:.1f}° for it.",
        0.0,
        spreads.pitch_sd_deg,
    )


def _pitch(fit: VerticalFit, spreads: LevelSpreads) -> tuple[float, float]:
    """Pitch (looking down positive) and its 1-SD error from the verticals' convergence, degrees.

    ``slope = -tan(pitch) * width / f`` radians per image width (module notes: verticals converge
    towards a vanishing point below the image when the camera looks down, so lines right of the
    centre lean clockwise). With the slope not fitted: 0 and the set-up allowance.
    """
    if not fit.slope_fitted:
        return 0.0, spreads.pitch_sd_deg
    k = math.radians(fit.slope_deg)
    pitch = -math.degrees(math.atan(k / WIDTH_PER_FOCAL))
    # the slope's error ~ the roll's over the lines' spread; the unknown field of view adds 30%
    se = math.degrees(math.radians(fit.se_deg) / max(fit.u_span, 1e-3) / WIDTH_PER_FOCAL)
    return pitch, math.hypot(se, 0.3 * abs(pitch))


def widen_half_width(half95_deg: float, level_sd_deg: float, *, included_sd_deg: float = 0.0) -> float:
    """Return a 95% half-width widened by the level's uncertainty.

    Parameters
    ----------
    half95_deg : float
        The angle's half-width without (or with ``included_sd_deg`` of) level error.
    level_sd_deg : float
        1-SD uncertainty of the roll the angle was corrected with (:attr:`Level.sd_deg`).
    included_sd_deg : float, default 0
        Level error (1 SD) already inside ``half95_deg`` (e.g. the marker's, when the half-width
        was measured with roll from a marker); not counted twice.

    Returns
    -------
    float
        ``sqrt(half95**2 + 1.96**2 * max(level_sd**2 - included**2, 0))``, degrees.

    """
    extra = max(level_sd_deg**2 - included_sd_deg**2, 0.0)
    return math.sqrt(half95_deg**2 + 1.96**2 * extra)


@dataclass(frozen=True)
class LevelCheck:
    """Outcome of :func:`check_level`: the level, whether it is within the limit, and what to do.

    Attributes
    ----------
    level : Level
        What :func:`measure_level` found.
    within_limits : bool
        False when a measured roll exceeds the limit (an assumed level always passes: nothing
        measured it).
    advice : str or None
        One plain sentence for the person setting up the camera, or None when nothing needs doing.

    """

    level: Level
    within_limits: bool
    advice: str | None


def check_level(
    frame: FrameVerticals | None,
    markers_px: Sequence[np.ndarray],
    image_size: tuple[int, int],
    *,
    max_roll_deg: float,
    spreads: LevelSpreads = DEFAULT_SPREADS,
) -> LevelCheck:
    """Check the level on one frame, for a live set-up guide (pure: measurements in, advice out).

    Parameters
    ----------
    frame : FrameVerticals or None
        This frame's near-vertical segments (:func:`tiltscreen.pose.lines.find_vertical_segments`).
    markers_px : sequence of ndarray, shape (4, 2)
        Printed markers seen in this frame (ArUco corners, pixels).
    image_size : (int, int)
        ``(width, height)``, pixels.
    max_roll_deg : float
        Largest roll accepted (``thresholds.json``, ``camera.max_roll_deg``), degrees.
    spreads : LevelSpreads
        The methods' measured spreads.

    Returns
    -------
    LevelCheck
        With advice: which way to turn the camera (as seen from behind it) when the roll is over
        the limit; that nothing measured the level when no reference is in view.

    Examples
    --------
    >>> check_level(None, [], (640, 360), max_roll_deg=2.0).advice[:40]
    'No vertical reference is in view (a plum'

    """
    raise_if_problems("check_level", number_problems("max_roll_deg", max_roll_deg, low=0.0, strict_low=True))
    level = measure_level([frame] if frame is not None else [], markers_px, image_size, spreads=spreads)
    if level.assumed:
        return LevelCheck(
            level,
            True,
            "No vertical reference is in view (a plumb line, a printed marker flat on the wall or a door "
            "frame beside the subject): level the camera with a spirit level or the phone's level.",
        )
    if abs(level.roll_deg) <= max_roll_deg:
        return LevelCheck(level, True, None)
    turn = "counter-clockwise" if level.roll_deg > 0 else "clockwise"
    return LevelCheck(
        level,
        False,
        f"Level the camera: it is rolled {abs(level.roll_deg):.1f}° (limit {max_roll_deg:g}°); "
        f"turn it {turn} as seen from behind it.",
    )
