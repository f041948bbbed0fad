"""Tests for the body-outline features and their quality checks (kinematics.outline, outline_quality).

The fixture is a drawn side-view silhouette whose back and front contours are piecewise-linear in the body
frame, so every feature value can be derived by hand. Landmarks: mid-hip at pixel (300, 400), mid-shoulder
200 px straight above (trunk length T = 200 px), subject facing image-right, so body ``x = (u - 300) / 200``
and ``h = (400 - v) / 200``. Contours (``x`` at height ``h``, linear between the listed vertices):

- back: (-0.15, -0.5) -> (-0.25, 0.0) [buttock apex] -> (-0.10, 0.35) [lumbar concavity] -> (-0.20, 0.75)
  [upper-back apex] -> (-0.15, 1.1);
- front: ``x = 0.20 + 0.1 h`` (a straight abdomen leaning 5.71 deg forward going up).

The mask is a 1-px linear ramp across each edge (probability 0.5 exactly on the contour).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.outline import (
    FEATURE_NAMES,
    BodyFrame,
    OutlineFeatures,
    body_frame,
    frame_features,
    median_features,
    sample_profiles,
)
from tiltscreen.kinematics.outline_quality import arm_clearance, first_crossing, quality_reasons

T_PX = 200.0
BACK = np.array([[-0.15, -0.5], [-0.25, 0.0], [-0.10, 0.35], [-0.20, 0.75], [-0.15, 1.1]])


def _back(h: np.ndarray, vertices: np.ndarray = BACK) -> np.ndarray:
    return np.interp(h, vertices[:, 1], vertices[:, 0])


def _front(h: np.ndarray) -> np.ndarray:
    return 0.20 + 0.1 * h


def _points(
    frame: BodyFrame, *, arms_h: float = 0.55, arms_x: float = 0.3, knee_x: float = 0.1
) -> np.ndarray:
    """33 landmarks (pixels) in ``frame``: shoulders, hips, knees, elbows/wrists; others NaN-free filler."""
    pts = np.tile(frame.to_image(np.array([0.0, 0.5])), (33, 1))
    for idx, xh in {
        11: (0, 1),
        12: (0, 1),
        23: (0, 0),
        24: (0, 0),
        25: (knee_x, -1),
        26: (knee_x, -1),
        13: (arms_x - 0.1, arms_h),
        14: (arms_x - 0.1, arms_h),
        15: (arms_x, arms_h),
        16: (arms_x, arms_h),
    }.items():
        pts[idx] = frame.to_image(np.array(xh, float))
    return pts


def _mask(frame: BodyFrame, shape=(640, 600), ripple: float = 0.0, back: np.ndarray = BACK) -> np.ndarray:
    """Silhouette of the module-docstring contours drawn in ``frame`` (1-px ramps at the edges)."""
    v, u = np.mgrid[0 : shape[0], 0 : shape[1]]
    xh = frame.to_body(np.stack([u, v], axis=-1).astype(float))
    x, h = xh[..., 0], xh[..., 1]
    back = _back(h, back) + ripple * np.sin(h * 2 * np.pi / 0.04)
    ramp = 1.0 / T_PX  # one pixel, in trunk lengths
    p = np.clip(0.5 + (x - back) / ramp, 0, 1) * np.clip(0.5 + (_front(h) - x) / ramp, 0, 1)
    return np.where((h > -0.6) & (h < 1.2), p, 0.0)


def _frame(facing: int = 1, roll_deg: float = 0.0) -> BodyFrame:
    r = math.radians(roll_deg)
    up = np.array([-math.sin(r), -math.cos(r)])
    return BodyFrame(np.array([300.0, 400.0]), up, facing * np.array([-up[1], up[0]]), T_PX)


@pytest.fixture
def drawn() -> tuple[np.ndarray, np.ndarray]:
    """(mask, landmarks) of the module-docstring silhouette, facing image-right, no roll."""
    frame = _frame()
    return _mask(frame), _points(frame)


def test_body_frame_from_landmarks(drawn) -> None:
    """Mid-hip origin, up towards the shoulders, forward = image-right, unit = 200 px."""
    _, pts = drawn
    fr = body_frame(pts, 1)
    np.testing.assert_allclose(fr.origin_px, [300, 400])
    np.testing.assert_allclose(fr.up, [0, -1], atol=1e-12)
    np.testing.assert_allclose(fr.forward, [1, 0], atol=1e-12)
    assert fr.trunk_px == pytest.approx(200)
    np.testing.assert_allclose(fr.to_body(fr.to_image(np.array([0.3, -0.2]))), [0.3, -0.2])


@pytest.mark.parametrize(
    ("pts", "facing", "match"),
    [
        pytest.param(np.zeros((33, 3)), 1, "shape", id="wrong-shape"),
        pytest.param(np.zeros((33, 2)), 1, "trunk too short", id="zero-trunk"),
        pytest.param(np.full((33, 2), np.nan), 1, "missing", id="nan"),
        pytest.param(None, 0, "facing", id="bad-facing"),
    ],
)
def test_body_frame_rejects(pts, facing, match, drawn) -> None:
    pts = drawn[1] if pts is None else pts
    with pytest.raises(ValidationError, match=match):
        body_frame(pts, facing)


def test_profiles_follow_the_drawn_contours(drawn) -> None:
    """Edges at probability 0.5 land on the drawn contours (to a small fraction of a pixel)."""
    mask, pts = drawn
    h = np.linspace(-0.4, 1.0, 29)
    back, front, _ = sample_profiles(mask, body_frame(pts, 1), heights=h)
    np.testing.assert_allclose(back, _back(h), atol=0.5 / T_PX)
    np.testing.assert_allclose(front, _front(h), atol=0.5 / T_PX)


def test_features_known_values(drawn) -> None:
    """Feature values derived from the drawn contours.

    - Buttock apex (most posterior back point, h in [-0.35, 0.25]): (-0.25, 0.0); upper-back apex
      (h in [0.55, 0.95]): (-0.20, 0.75); the back point farthest in front of the chord between them is the
      vertex (-0.10, 0.35): ``lumbar_height`` 0.35, ``buttock_height`` 0, ``buttock_protrusion`` 0.15.
    - ``lumbar_depth`` = cross((0.15, 0.35), (0.05, 0.75)) / |(0.05, 0.75)| = 0.095 / 0.751665 = 0.12639.
    - ``concavity_buttock_deg`` = atan2(0.15, 0.35) = 23.199 deg; the back between them is that same
      straight line, so ``sacral_deg`` = ``low_back_deg`` = 23.199 deg.
    - ``thigh_back_deg``: back from (-0.15, -0.5) to (-0.25, 0): atan(-0.1 / 0.5) = -11.310 deg.
    - ``abdomen_deg`` = atan(0.1) = 5.711 deg; ``abdomen_protrusion`` = front(0.1) - back(-0.4)
      = 0.21 - (-0.17) = 0.38; ``pelvis_depth`` = front(0.1) - back(0.1) = 0.21 + 0.207143 = 0.417143.
    - ``pelvis_axis_deg``: atan of the least-squares slope of the midline (back + front) / 2 on the
      sampled heights -0.10 ... 0.25 (computed below from the analytic contours).
    - ``trunk_thigh_deg``: knees at body (0.1, -1.0): atan2(0.1, 1.0) = 5.711 deg.
    """
    mask, pts = drawn
    f = frame_features(mask, pts, facing=1)
    hs = np.round(np.arange(-0.10, 0.2501, 0.01), 4)
    mid_slope = np.polyfit(hs, (_back(hs) + _front(hs)) / 2, 1)[0]
    expected = {
        "lumbar_depth": 0.095 / math.hypot(0.05, 0.75),
        "lumbar_height": 0.35,
        "buttock_height": 0.0,
        "buttock_protrusion": 0.15,
        "concavity_buttock_deg": math.degrees(math.atan2(0.15, 0.35)),
        "sacral_deg": math.degrees(math.atan2(0.15, 0.35)),
        "low_back_deg": math.degrees(math.atan2(0.15, 0.35)),
        "thigh_back_deg": math.degrees(math.atan(-0.2)),
        "abdomen_deg": math.degrees(math.atan(0.1)),
        "abdomen_protrusion": 0.38,
        "pelvis_axis_deg": math.degrees(math.atan(mid_slope)),
        "pelvis_depth": 0.21 + 0.25 - 0.15 / 0.35 * 0.1,
        "trunk_thigh_deg": math.degrees(math.atan2(0.1, 1.0)),
    }
    assert set(f.values) == set(FEATURE_NAMES)
    for name, want in expected.items():
        tol = 0.3 if name.endswith("_deg") else 0.003
        assert f.values[name] == pytest.approx(want, abs=tol), name
    assert f.reliable, f.reasons
    assert f.vector.shape == (len(FEATURE_NAMES),)


@pytest.mark.parametrize("roll_deg", [-8.0, 5.0])
@pytest.mark.parametrize("facing", [1, -1])
def test_features_invariant_to_roll_and_mirroring(facing: int, roll_deg: float, drawn) -> None:
    """The same body drawn facing image-left and/or under camera roll gives the same features."""
    frame = _frame(facing, roll_deg)
    ref = frame_features(*drawn, facing=1).values
    got = frame_features(_mask(frame), _points(frame), facing=facing).values
    for name in FEATURE_NAMES:
        assert got[name] == pytest.approx(ref[name], abs=0.4 if name.endswith("_deg") else 0.004), name


def test_hanging_arm_is_refused(drawn) -> None:
    """Wrists at h = -0.1 on the trunk axis (arms hanging over the pelvis) overlap the outline."""
    mask, _ = drawn
    pts = _points(_frame(), arms_h=-0.1, arms_x=0.0)
    f = frame_features(mask, pts, facing=1)
    assert f.quality["arm_clearance"] < 0
    assert not f.reliable
    assert any("arm overlaps" in r for r in f.reasons)


def test_arm_clearance_rules() -> None:
    """Above h = 0.35 only the back edge matters; below it the whole band (margin 0.08)."""
    h = np.linspace(-0.45, 1.0, 146)
    back, front = np.full_like(h, -0.2), np.full_like(h, 0.2)
    assert arm_clearance(np.array([[0.0, 0.5]]), h, back, front) == pytest.approx(0.2 - 0.08)
    assert arm_clearance(np.array([[0.35, 0.1]]), h, back, front) == pytest.approx(0.15 - 0.08)
    assert arm_clearance(np.array([[0.0, 0.1]]), h, back, front) == pytest.approx(-0.2 - 0.08)
    assert arm_clearance(np.array([[0.0, 2.0]]), h, back, front) == math.inf


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        pytest.param(lambda m: 0.65 * m, "mask not confident", id="low-confidence"),
        pytest.param(
            lambda m: np.where(np.arange(m.shape[0])[:, None] % 40 < 12, 0.0, m), "broken", id="breaks"
        ),
    ],
)
def test_degraded_mask_is_refused(change, reason, drawn) -> None:
    mask, pts = drawn
    f = frame_features(change(mask), pts, facing=1)
    assert not f.reliable
    assert any(reason in r for r in f.reasons), f.reasons


def test_irregular_back_is_refused() -> None:
    """A 1.5 % T ripple on the back contour (loose clothing) exceeds the roughness limit (1.2 % T)."""
    frame = _frame()
    f = frame_features(_mask(frame, ripple=0.015), _points(frame), facing=1)
    assert any("irregular" in r for r in f.reasons), f.quality


def test_large_yaw_is_refused(drawn) -> None:
    """Shoulders 0.5 T apart in x: sin(yaw) ~ mean(0.5 / 0.899, hips 0) -> about 16 deg > 15."""
    mask, pts = drawn
    pts = pts.copy()
    pts[11, 0] += 50
    pts[12, 0] -= 50
    f = frame_features(mask, pts, facing=1)
    assert f.quality["yaw_deg"] == pytest.approx(math.degrees(math.asin(0.5 / (0.259 / 0.288) / 2)), abs=0.5)
    assert any("side view" in r for r in f.reasons)


def test_quality_reasons_nan_fails() -> None:
    q = dict.fromkeys(
        ("yaw_deg", "arm_clearance", "contour_coverage", "mask_confidence", "edge_width"), math.nan
    )
    assert len(quality_reasons({**q, "roughness": math.nan})) == 6


def test_first_crossing_interpolates() -> None:
    p = np.array([[1.0, 0.8, 0.4, 0.0], [1.0, 1.0, 1.0, 1.0], [0.2, 0.1, 0.0, 0.0]])
    np.testing.assert_allclose(first_crossing(p, 0.5), [1.75, np.nan, np.nan])


def test_median_features_uses_reliable_frames() -> None:
    ok = [OutlineFeatures(dict.fromkeys(FEATURE_NAMES, float(v)), (), {"yaw_deg": 1.0}) for v in (1, 2, 3)]
    bad = OutlineFeatures(dict.fromkeys(FEATURE_NAMES, 99.0), ("outline broken (10%)",), {"yaw_deg": 1.0})
    med = median_features([*ok, bad])
    assert med.values["lumbar_depth"] == 2.0
    assert med.quality["reliable_fraction"] == 0.75
    assert med.reliable
    worse = median_features([ok[0], bad, bad])
    assert not worse.reliable
    assert "outline broken" in worse.reasons
    with pytest.raises(ValidationError, match="no frames"):
        median_features([])


@pytest.mark.parametrize(("inside", "outside", "refused"), [(200.0, 50.0, False), (105.0, 95.0, True)])
def test_image_contrast_check(inside: float, outside: float, refused: bool, drawn) -> None:
    """A grey image painted from the mask: contrast across the outline = |inside - outside| grey levels
    (sampled 0.03 T = 6 px from the edge, where the 1-px ramp is flat); below 12 the outline is refused."""
    mask, pts = drawn
    image = np.where(mask >= 0.5, inside, outside)
    f = frame_features(mask, pts, facing=1, image=np.dstack([image] * 3))
    assert f.quality["edge_contrast"] == pytest.approx(abs(inside - outside))
    assert any("low contrast" in r for r in f.reasons) is refused
    assert "edge_contrast" not in frame_features(mask, pts, facing=1).quality  # no image: check skipped


def test_no_buttock_apex_is_refused() -> None:
    """Back of the thigh drawn behind the buttock (x = -0.40 at h = -0.5): the most posterior back point in
    the apex window h in [-0.35, 0.25] is its lower edge, so there is no apex and the frame is unreliable."""
    thigh_behind = np.array([[-0.40, -0.5], [-0.25, 0.0], [-0.10, 0.35], [-0.20, 0.75], [-0.15, 1.1]])
    frame = _frame()
    f = frame_features(_mask(frame, back=thigh_behind), _points(frame), facing=1)
    assert math.isnan(f.values["buttock_height"]) and math.isnan(f.values["lumbar_depth"])
    assert any("no buttock apex" in r for r in f.reasons)
    assert not f.reliable
