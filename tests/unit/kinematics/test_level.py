"""Tests for the level from true verticals (pinhole projections with known roll and pitch).

The fixture camera: ``R = Rz(roll) @ Rx(pitch)`` (OpenCV axes: x right, y down, z forward; a
positive pitch looks down, a positive roll turns the camera clockwise as seen from behind it, so
the scene appears turned counter-clockwise: the :mod:`tiltscreen.kinematics.camera` convention),
focal length ``F`` pixels, principal point at the centre of a 1280 x 720 image.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tiltscreen.kinematics.level import (
    METHOD_ASSUMED,
    METHOD_MARKER,
    METHOD_PLUMB,
    METHOD_ROOM,
    WIDTH_PER_FOCAL,
    LevelSpreads,
    fit_verticals,
    marker_vertical_edges,
    measure_level,
    widen_half_width,
)
from tiltscreen.pose.lines import KIND_DARK_LINE, KIND_EDGE, FrameVerticals, lean_deg

W, H = 1280, 720
F = 0.5 * W / math.tan(math.radians(32.5))  # 65-degree horizontal field of view: W / F = WIDTH_PER_FOCAL


def _rotation(roll: float, pitch: float, yaw: float = 0.0) -> np.ndarray:
    """World (x right, y down, z forward at rest) to camera: yaw about y, then pitch about x, then roll."""
    r, p, y = np.deg2rad([roll, pitch, yaw])
    rz = np.array([[math.cos(r), math.sin(r), 0], [-math.sin(r), math.cos(r), 0], [0, 0, 1]])
    rx = np.array([[1, 0, 0], [0, math.cos(p), math.sin(p)], [0, -math.sin(p), math.cos(p)]])
    ry = np.array([[math.cos(y), 0, -math.sin(y)], [0, 1, 0], [math.sin(y), 0, math.cos(y)]])
    return rz @ rx @ ry


def _project(points: np.ndarray, rot: np.ndarray) -> np.ndarray:
    cam = points @ rot.T
    return np.stack([W / 2 + F * cam[:, 0] / cam[:, 2], H / 2 + F * cam[:, 1] / cam[:, 2]], axis=1)


def _vertical(x_m: float, z_m: float, rot: np.ndarray, *, y0: float = -0.8, y1: float = 0.8) -> np.ndarray:
    """Image segment (bottom first) of a world vertical from height y1 (down) to y0 (up) at (x, z)."""
    bottom, top = _project(np.array([[x_m, y1, z_m], [x_m, y0, z_m]]), rot)
    return np.concatenate([bottom, top])


def test_rotation_convention_matches_camera_roll() -> None:
    """A horizontal world line parallel to the image plane appears at exactly +roll (y-up, CCW)."""
    seg = _project(np.array([[-1.0, 0.0, 4.0], [1.0, 0.0, 4.0]]), _rotation(3.0, 0.0))
    d = seg[1] - seg[0]
    assert math.degrees(math.atan2(-d[1], d[0])) == pytest.approx(3.0, abs=1e-9)


@pytest.mark.parametrize("roll", [-3.0, 0.0, 1.5])
def test_verticals_without_pitch_give_the_roll_exactly(roll: float) -> None:
    """Pitch 0: verticals are parallel in the image (vanishing point at infinity), each leans exactly roll."""
    rot = _rotation(roll, 0.0)
    seg = np.stack([_vertical(x, 4.0, rot) for x in (-1.5, -1.2, 1.3)])
    assert lean_deg(seg) == pytest.approx([roll] * 3, abs=1e-9)
    fit = fit_verticals(seg, (W, H))
    assert fit is not None and fit.roll_deg == pytest.approx(roll, abs=1e-9)
    assert fit.n_lines == 3


def test_pitch_term_is_fitted_when_the_lines_span_the_image() -> None:
    """Roll 2, pitch 3 (looking down): a vertical at offset u leans ~ 2 + deg(u * tan(3) * W / F).

    At u = +-0.35 that is 2 -+ 1.1 degrees, so one line alone is off by 1.1; the fit of three lines at
    u = -0.35, 0.0, +0.35 recovers the roll at the centre column to second order (< 0.05 degrees).
    """
    rot = _rotation(2.0, 3.0)
    z = 4.0
    xs = [u * W / F * z for u in (-0.35, 0.02, 0.35)]
    seg = np.stack([_vertical(x, z, rot) for x in xs])
    lean = lean_deg(seg)
    expected_offset = math.degrees(0.35 * math.tan(math.radians(3.0)) * W / F)
    assert abs(lean[0] - lean[2]) == pytest.approx(2 * expected_offset, rel=0.05)
    fit = fit_verticals(seg, (W, H))
    assert fit is not None and fit.slope_fitted
    assert fit.roll_deg == pytest.approx(2.0, abs=0.05)
    one_side = fit_verticals(seg[[2, 2]] + [[0, 0, 0, 0], [40, 0, 40, 0]], (W, H))
    assert one_side is not None and not one_side.slope_fitted
    assert abs(one_side.roll_deg - 2.0) > 0.9  # the pitch term, left in: why the allowance exists


def test_a_disagreeing_line_is_dropped_and_one_line_is_not_enough() -> None:
    rot = _rotation(1.0, 0.0)
    good = [_vertical(x, 4.0, rot) for x in (-1.5, -1.0, 1.4)]
    slanted = np.array([900.0, 600.0, 960.0, 200.0])  # 8.5 degrees: a railing, a shadow
    fit = fit_verticals(np.stack([*good, slanted]), (W, H))
    assert fit is not None and fit.n_lines == 3 and fit.roll_deg == pytest.approx(1.0, abs=1e-9)
    assert fit_verticals(np.stack(good[:1]), (W, H)) is None
    repeated = np.stack([good[0], good[0] + [0.5, 0, 0.5, 0]])  # one line seen twice: one line
    assert fit_verticals(repeated, (W, H)) is None


def _marker_on_wall(rot: np.ndarray, *, yaw_wall: float = 0.0, side: float = 0.2) -> np.ndarray:
    """ArUco corners (TL, TR, BR, BL) of a square on a wall turned ``yaw_wall`` about the vertical."""
    a = math.radians(yaw_wall)
    along = np.array([math.cos(a), 0.0, math.sin(a)]) * side / 2
    up = np.array([0.0, -side / 2, 0.0])
    c = np.array([-1.2, -0.3, 4.0])
    return _project(np.stack([c - along + up, c + along + up, c + along - up, c - along - up]), rot)


def test_marker_vertical_edges_ignore_the_yaw_that_biases_the_horizontal_ones() -> None:
    """Pitch 0, roll 1.5, marker on a wall turned 30 degrees: the vertical edges lean exactly 1.5.

    Its horizontal edges recede in depth and converge (their mean angle is not the roll), which is why
    they are never used.
    """
    rot = _rotation(1.5, 0.0)
    corners = _marker_on_wall(rot, yaw_wall=30.0)
    edges = marker_vertical_edges(corners)
    assert edges is not None
    assert lean_deg(edges) == pytest.approx([1.5, 1.5], abs=1e-9)
    top, bottom = corners[1] - corners[0], corners[2] - corners[3]
    horizontal = np.degrees(np.arctan2(-np.array([top[1], bottom[1]]), [top[0], bottom[0]])).mean()
    assert abs(horizontal - 1.5) > 0.3


def test_marker_lying_on_the_floor_fails_the_shape_test() -> None:
    """Seen from 1 m above and 4 m away, a floor square is about 4 times wider than tall: not upright."""
    rot = _rotation(0.0, 0.0)
    s = 0.1
    c = np.array([-1.0, 1.0, 4.0])
    corners = _project(np.stack([c + [-s, 0, s], c + [s, 0, s], c + [s, 0, -s], c + [-s, 0, -s]]), rot)
    assert marker_vertical_edges(corners) is None
    assert marker_vertical_edges(np.full((4, 2), np.nan)) is None


def _frame(segments: list[np.ndarray], kinds: list[str]) -> FrameVerticals:
    return FrameVerticals(0, (W, H), np.stack(segments).reshape(-1, 4), tuple(kinds))


def test_measure_level_prefers_the_reference_with_the_smallest_uncertainty() -> None:
    """A plumb line and room verticals both pass; with equal spreads the room lines (pitch fitted) win."""
    rot = _rotation(-1.0, 0.0)
    plumb = _vertical(1.0, 4.0, rot, y0=-1.2, y1=1.0)
    plumb_pair = [plumb, plumb + [3, 0, 3, 0]]  # both sides of the string
    room = [_vertical(x, 5.0, rot) for x in (-2.0, -1.7, 2.1)]
    spreads = LevelSpreads(plumb_sd_deg=0.3, room_sd_deg=0.3, pitch_sd_deg=1.7)
    level = measure_level([_frame([*plumb_pair, *room], [KIND_DARK_LINE] * 2 + [KIND_EDGE] * 3)], [], (W, H),
                          spreads=spreads)  # fmt: skip
    assert level.method == METHOD_ROOM and level.roll_deg == pytest.approx(-1.0, abs=1e-6)
    only_plumb = measure_level([_frame(plumb_pair, [KIND_DARK_LINE] * 2)], [], (W, H), spreads=spreads)
    assert only_plumb.method == METHOD_PLUMB and only_plumb.roll_deg == pytest.approx(-1.0, abs=1e-6)
    t = (H / 2 - plumb[1]) / (plumb[3] - plumb[1])
    u = (plumb[0] + t * (plumb[2] - plumb[0]) + 1.5 - W / 2) / W  # the pair's middle row, between both sides
    pitch_term = abs(u) * math.degrees(math.tan(math.radians(1.7)) * WIDTH_PER_FOCAL)
    assert only_plumb.sd_deg == pytest.approx(math.sqrt(0.3**2 + 0.05**2 + pitch_term**2), rel=1e-6)


def test_measure_level_from_a_marker_and_the_assumed_level() -> None:
    rot = _rotation(2.0, 0.0)
    level = measure_level([], [_marker_on_wall(rot, yaw_wall=-20.0)], (W, H))
    assert level.method == METHOD_MARKER and level.roll_deg == pytest.approx(2.0, abs=1e-6)
    assumed = measure_level([], [], (W, H), spreads=LevelSpreads(assumed_sd_deg=1.2))
    assert assumed.method == METHOD_ASSUMED and assumed.assumed
    assert (assumed.roll_deg, assumed.sd_deg, assumed.n_lines) == (0.0, 1.2, 0)
    assert "assumed level" in assumed.detail and "2.4°" in assumed.detail  # 1.96 x 1.2


def test_widen_half_width_adds_in_quadrature_without_double_counting() -> None:
    """Half-width 3, level SD 1.5 of which 0.5 is already inside: sqrt(9 + 1.96^2 (2.25 - 0.25)) = 4.10."""
    level = measure_level([], [], (W, H), spreads=LevelSpreads(assumed_sd_deg=1.5))
    assert widen_half_width(3.0, level.sd_deg, included_sd_deg=0.5) == pytest.approx(
        math.sqrt(9 + 1.96**2 * 2)
    )
    assert widen_half_width(3.0, level.sd_deg, included_sd_deg=2.0) == pytest.approx(3.0)


def test_check_level_for_a_live_guide() -> None:
    """One frame: a door frame rolled 3 deg is over a 2-deg limit (turn counter-clockwise as seen from behind,
    the :func:`check_view` rule); 1 deg passes with no advice; nothing in view gives the assumed level with
    advice to level the camera by other means."""
    from tiltscreen.kinematics.level import check_level

    def frame(roll: float) -> FrameVerticals:
        rot = _rotation(roll, 0.0)
        return _frame([_vertical(x, 5.0, rot) for x in (-2.0, -1.7, 2.1)], [KIND_EDGE] * 3)

    over = check_level(frame(3.0), [], (W, H), max_roll_deg=2.0)
    assert not over.within_limits and over.level.roll_deg == pytest.approx(3.0, abs=1e-6)
    assert (
        over.advice
        == "Level the camera: it is rolled 3.0° (limit 2°); turn it counter-clockwise as seen from behind it."
    )
    ok = check_level(frame(1.0), [], (W, H), max_roll_deg=2.0)
    assert ok.within_limits and ok.advice is None
    none = check_level(None, [], (W, H), max_roll_deg=2.0)
    assert none.within_limits and none.level.assumed and "spirit level" in none.advice
