"""Sticker detection and sticker tilt on drawn images with known sticker centres.

The scene (:func:`scene`): a standing subject whose landmarks put the near hip at ``HIP`` and
give a stature of ``S`` px (trunk 0.29 S above the hip, ankle 0.49 S below it, the proportions
``body_frame`` assumes). The stickers are anti-aliased discs (8x8 supersampled coverage) centred
``0.0425 S`` either side of a point ``0.05 S`` above the hip, along a line at the tilt angle, ASIS
ahead in the facing direction. The image then gets a left-to-right light gradient (x0.55 to
x1.15), 4:2:0-like chroma smearing, a Gaussian blur (sigma 0.7 px) and Gaussian noise (sigma 3
grey levels) from a seeded generator. Pixel coordinates: pixel [i, j] spans x in [j, j + 1).
"""

from __future__ import annotations

import math
from contextlib import nullcontext as does_not_raise

import cv2
import numpy as np
import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.sticker_tilt import Parallax, pair_tilt_deg, remove_parallax, sticker_tilt_deg
from tiltscreen.kinematics.vectors import image_to_up, rotate_2d
from tiltscreen.pose.estimator import Candidate
from tiltscreen.pose.stickers import (
    MISSING_PSIS,
    StickerPair,
    StickerRecorder,
    StickerSearch,
    StickerSpec,
    find_sticker_pair,
    parse_colour,
)
from tiltscreen.skeleton import BLAZEPOSE
from tiltscreen.sources import Frame

W, H, S = 960, 540, 420.0
HIP = np.array([480.0, 300.0])
SKIN, SHIRT = (224, 172, 140), (235, 235, 235)


def landmarks(facing: int, side: str = "left", roll_deg: float = 0.0) -> np.ndarray:
    """(33, 3) normalised landmarks of the scene's subject (see module notes), rotated by the roll."""
    px = np.tile(HIP, (33, 1))
    put = {"shoulder": (0.0, -0.29 * S), "hip": (0.0, 0.0), "ankle": (0.0, 0.49 * S), "ear": (0.0, -0.43 * S)}
    for part, off in put.items():
        for s in ("left", "right"):
            px[BLAZEPOSE.index(f"{s}_{part}")] = HIP + off
    px[BLAZEPOSE.index("nose")] = HIP + (facing * 0.04 * S, -0.42 * S)
    px = rolled(px, roll_deg)
    z = np.zeros(33)
    for part in ("hip", "shoulder"):  # the named side is nearer the camera (smaller z)
        z[BLAZEPOSE.index(f"{side}_{part}")] = -0.1
    return np.column_stack([px / [W, H], z])


def rolled(px: np.ndarray, roll_deg: float) -> np.ndarray:
    """Points turned by the camera roll (y-up counter-clockwise) about the image centre."""
    c = np.array([W / 2, H / 2])
    return c + image_to_up(rotate_2d(image_to_up(np.asarray(px, float) - c), roll_deg))


def sticker_centres(tilt_deg: float, facing: int, roll_deg: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """True ASIS and PSIS centres (px) for a tilt (positive: ASIS lower) and a facing."""
    mid, r, t = HIP + (0.0, -0.05 * S), 0.0425 * S, math.radians(tilt_deg)
    half = np.array([facing * r * math.cos(t), r * math.sin(t)])
    return rolled(mid + half, roll_deg), rolled(mid - half, roll_deg)


def disc(img: np.ndarray, centre: np.ndarray, d_px: float, rgb: tuple[int, int, int]) -> None:
    """Blend an anti-aliased disc into ``img`` (float RGB) in place."""
    x0, y0 = (centre - d_px).astype(int)
    n = int(2 * d_px) + 2
    sub = (np.arange(8) + 0.5) / 8
    xs = (np.arange(x0, x0 + n)[:, None] + sub).ravel()
    ys = (np.arange(y0, y0 + n)[:, None] + sub).ravel()
    inside = ((xs[None, :] - centre[0]) ** 2 + (ys[:, None] - centre[1]) ** 2) <= (d_px / 2) ** 2
    alpha = inside.reshape(n, 8, n, 8).mean(axis=(1, 3))[..., None]
    img[y0 : y0 + n, x0 : x0 + n] = img[y0 : y0 + n, x0 : x0 + n] * (1 - alpha) + np.array(rgb) * alpha


def degrade(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uneven light, chroma smearing, blur and noise (module notes); returns uint8 RGB."""
    img = img * np.linspace(0.55, 1.15, W)[None, :, None]
    ycc = cv2.cvtColor(np.clip(img, 0, 255).astype(np.uint8), cv2.COLOR_RGB2YCrCb)
    for ch in (1, 2):
        ycc[..., ch] = cv2.resize(
            cv2.resize(ycc[..., ch], (W // 2, H // 2), interpolation=cv2.INTER_AREA), (W, H)
        )
    img = cv2.GaussianBlur(cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB).astype(float), (0, 0), 0.7)
    return np.clip(img + rng.normal(0, 3, img.shape), 0, 255).astype(np.uint8)


def scene(
    tilt_deg: float,
    facing: int,
    *,
    d_px: float = 6.0,
    psis: bool = True,
    roll_deg: float = 0.0,
    extra: tuple[tuple[float, float, float], ...] = (),
    seed: int = 0,
) -> np.ndarray:
    """The test image: sky, shirt-coloured trunk, skin-coloured pelvis, the stickers and ``extra``
    green discs given as (x, y, diameter) px."""
    img = np.zeros((H, W, 3)) + (200, 225, 240)
    img[int(HIP[1] - 0.3 * S) : int(HIP[1] - 0.03 * S), int(HIP[0] - 0.08 * S) : int(HIP[0] + 0.08 * S)] = (
        SHIRT
    )
    img[int(HIP[1] - 0.03 * S) : int(HIP[1] + 0.2 * S), int(HIP[0] - 0.08 * S) : int(HIP[0] + 0.08 * S)] = (
        SKIN
    )
    asis, psis_c = sticker_centres(tilt_deg, facing, roll_deg)
    for centre in (asis, psis_c) if psis else (asis,):
        disc(img, centre, d_px, (0, 200, 0))
    for x, y, d in extra:
        disc(img, np.array([x, y]), d, (0, 200, 0))
    return degrade(img, np.random.default_rng(seed))


def spec_for(d_px: float) -> StickerSpec:
    """A spec whose expected size in the scene is ``d_px`` (size expected from a 170 cm stature)."""
    return StickerSpec(diameter_cm=d_px * 170.0 / S)


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize(
    ("d_px", "tilt", "seed"), [(4.0, 5.0, 1), (5.0, 12.0, 2), (6.0, 20.0, 3), (8.0, 30.0, 4)]
)
def test_centres_subpixel_and_tilt_exact(facing: int, d_px: float, tilt: float, seed: int) -> None:
    """Centre error < 0.5 px and tilt within 0.5 degrees, for 4-8 px stickers facing either way."""
    img = scene(tilt, facing, d_px=d_px, seed=seed)
    found = find_sticker_pair(img, landmarks(facing), spec=spec_for(d_px), side="left", facing=facing)
    assert found.reason is None and found.pair is not None
    asis, psis = sticker_centres(tilt, facing)
    assert np.linalg.norm(found.pair.asis_px - asis) < 0.5
    assert np.linalg.norm(found.pair.psis_px - psis) < 0.5
    assert float(pair_tilt_deg(found.pair.asis_px, found.pair.psis_px, facing=facing)) == pytest.approx(
        tilt, abs=0.5
    )


def test_downscaled_frame_gives_full_resolution_centres() -> None:
    img = scene(15.0, 1, d_px=8.0)
    small = cv2.resize(img, (W // 2, H // 2), interpolation=cv2.INTER_AREA)
    found = find_sticker_pair(small, landmarks(1), spec=spec_for(8.0), side="left", facing=1, scale=0.5)
    assert found.pair is not None
    assert np.linalg.norm(found.pair.asis_px - sticker_centres(15.0, 1)[0]) < 0.8


@pytest.mark.parametrize("facing", [1, -1])
def test_hidden_psis_is_refused_with_reason(facing: int) -> None:
    found = find_sticker_pair(
        scene(14.0, facing, psis=False), landmarks(facing), spec=spec_for(6.0), side="left", facing=facing
    )
    assert found.pair is None
    assert found.reason == MISSING_PSIS
    assert len(found.blobs) == 1


def test_distractors_are_ignored() -> None:
    """Green discs far from the pelvis (head, floor) and a large green patch next to it do not count."""
    far = ((HIP[0] + 0.3 * S, HIP[1] - 0.4 * S, 6.0), (HIP[0] - 0.2 * S, HIP[1] + 0.45 * S, 6.0))
    img = scene(10.0, 1, extra=far)
    img[int(HIP[1] + 0.03 * S) : int(HIP[1] + 0.06 * S), int(HIP[0] - 0.03 * S) : int(HIP[0] + 0.05 * S)] = (
        20,
        160,
        30,
    )
    found = find_sticker_pair(img, landmarks(1), spec=spec_for(6.0), side="left", facing=1)
    assert found.pair is not None
    assert np.linalg.norm(found.pair.psis_px - sticker_centres(10.0, 1)[1]) < 0.5


def test_mask_removes_stickers_off_the_body() -> None:
    img = scene(10.0, 1)
    mask = np.ones((H, W), np.float32)
    asis = sticker_centres(10.0, 1)[0].astype(int)
    mask[asis[1] - 8 : asis[1] + 8, asis[0] - 8 : asis[0] + 8] = 0.0
    found = find_sticker_pair(img, landmarks(1), spec=spec_for(6.0), side="left", facing=1, mask=mask)
    assert found.pair is None and "ASIS" in found.reason


@pytest.mark.parametrize("roll", [-3.0, 2.0])
def test_roll_is_removed(roll: float) -> None:
    """A rolled camera turns the sticker line by the roll; giving the roll restores the tilt."""
    img = scene(12.0, -1, roll_deg=roll)
    found = find_sticker_pair(img, landmarks(-1, roll_deg=roll), spec=spec_for(6.0), side="left", facing=-1)
    p = found.pair
    assert p is not None
    raw = float(pair_tilt_deg(p.asis_px, p.psis_px, facing=-1))
    assert raw == pytest.approx(12.0 - roll * -1, abs=0.5)  # facing left: a CCW roll raises the ASIS side
    assert float(pair_tilt_deg(p.asis_px, p.psis_px, facing=-1, roll_deg=roll)) == pytest.approx(
        12.0, abs=0.5
    )


def test_pair_tilt_known_answers_and_mirror_symmetry() -> None:
    """ASIS 1 px lower per 10 px ahead is atan(0.1) = 5.71 degrees anterior; mirroring the image and the
    facing gives the same; swapping the points gives the opposite direction (180 - 5.71)."""
    asis, psis = np.array([110.0, 101.0]), np.array([100.0, 100.0])
    assert float(pair_tilt_deg(asis, psis, facing=1)) == pytest.approx(5.7106, abs=1e-4)
    mirror = np.array([-1.0, 1.0])
    assert float(pair_tilt_deg(asis * mirror, psis * mirror, facing=-1)) == pytest.approx(5.7106, abs=1e-4)
    assert float(pair_tilt_deg(np.array([110.0, 99.0]), psis, facing=1)) == pytest.approx(-5.7106, abs=1e-4)


def pair(tilt: float, facing: int = 1, **kw: object) -> StickerPair:
    asis, psis = sticker_centres(tilt, facing)
    return StickerPair(asis, psis, 1.0, stature_px=S, **kw)  # type: ignore[arg-type]


def test_window_median_iqr_and_relabelling() -> None:
    """Median of 20 frames at 9..11 degrees is 10; swapped labels are put right by the facing."""
    pairs = [pair(t) for t in np.linspace(9, 11, 20)]
    pairs[3] = StickerPair(pairs[3].psis_px, pairs[3].asis_px, 1.0)
    res = sticker_tilt_deg(pairs, 1, 0.0)
    assert res.determinate and res.n_frames == 20
    assert res.tilt_deg == pytest.approx(10.0, abs=1e-6)
    assert res.iqr_deg == pytest.approx(1.0, abs=0.05)


def test_window_roll_per_frame() -> None:
    """Per-frame roll: each frame's pair is rolled by its own value and corrected back."""
    rolls = np.linspace(-2, 2, 20)
    pairs = [StickerPair(*(rolled(p, r) for p in sticker_centres(8.0, 1)), 1.0) for r in rolls]
    assert sticker_tilt_deg(pairs, 1, rolls).tilt_deg == pytest.approx(8.0, abs=1e-6)


def test_window_indeterminate_with_reasons() -> None:
    hidden = StickerSearch(None, MISSING_PSIS)
    res = sticker_tilt_deg([hidden] * 40 + [pair(10.0)] * 5, 1, 0.0, min_frames=15)
    assert not res.determinate and res.n_frames == 5
    assert "5 of 45 frames" in res.reasons[0]
    assert res.reasons[1] == f"{MISSING_PSIS} (40 of 45 frames)"
    jumpy = [pair(t) for t in (0.0, 10.0) * 10]
    res = sticker_tilt_deg(jumpy, 1, 0.0)
    assert not res.determinate and "varies too much" in res.reasons[0]


def test_parallax_known_answer() -> None:
    """The PSIS offset from the principal point grows by 1 + 0.042 * 420 / 840 = 1.021."""
    p = StickerPair(np.array([400.0, 200.0]), np.array([500.0, 170.0]), 1.0, stature_px=420.0)
    q = remove_parallax(p, Parallax(840.0, (480.0, 270.0)))
    np.testing.assert_allclose(q.psis_px, [480 + 20 * 1.021, 270 - 100 * 1.021])
    np.testing.assert_array_equal(q.asis_px, p.asis_px)
    assert Parallax.from_hfov((960, 540), 90.0).focal_px == pytest.approx(480.0)


@pytest.mark.parametrize(
    ("kwargs", "expect"),
    [
        pytest.param({}, does_not_raise(), id="default"),
        pytest.param({"colour_rgb": "blue"}, does_not_raise(), id="named"),
        pytest.param(
            {"colour_rgb": (0, 200, 0), "diameter_cm": 0.0},
            pytest.raises(ValidationError, match="diameter"),
            id="zero-size",
        ),
        pytest.param(
            {"colour_rgb": (128, 128, 128)}, pytest.raises(ValidationError, match="saturated"), id="grey"
        ),
        pytest.param({"colour_rgb": (0, 300, 0)}, pytest.raises(ValidationError, match="0-255"), id="range"),
        pytest.param(
            {"colour_rgb": "teal"},
            pytest.raises(ValidationError, match="Unknown sticker colour"),
            id="unknown-name",
        ),
        pytest.param(
            {"hue_tolerance_deg": 120}, pytest.raises(ValidationError, match="hue_tolerance"), id="hue"
        ),
    ],
)
def test_spec_validation(kwargs: dict, expect) -> None:
    with expect:
        StickerSpec(**kwargs)


@pytest.mark.parametrize(
    ("text", "rgb"), [("green", (0, 200, 0)), ("#00C800", (0, 200, 0)), (" 0,90,255 ", (0, 90, 255))]
)
def test_parse_colour(text: str, rgb: tuple[int, int, int]) -> None:
    assert parse_colour(text) == rgb
    assert StickerSpec(colour_rgb=text).colour_rgb == rgb


def test_tilt_input_checks() -> None:
    with pytest.raises(ValidationError, match="facing must be"):
        sticker_tilt_deg([pair(5.0)], 0, 0.0)
    with pytest.raises(ValidationError, match="roll_deg"):
        sticker_tilt_deg([pair(5.0)] * 3, 1, [0.0, 1.0])
    with pytest.raises(ValidationError, match="xyz must have shape"):
        find_sticker_pair(
            np.zeros((10, 10, 3), np.uint8), np.zeros((5, 3)), spec=StickerSpec(), side="left", facing=1
        )


def test_recorder_hook_guesses_side_and_facing() -> None:
    """As a frame hook on a half-size frame: the pair in full-resolution px; no subject is a miss."""
    img = cv2.resize(scene(18.0, -1, d_px=8.0), (W // 2, H // 2), interpolation=cv2.INTER_AREA)
    xyz = landmarks(-1, side="right")
    cand = Candidate(xyz=xyz, visibility=np.ones(33), presence=np.ones(33), world=np.zeros((33, 3)))
    rec = StickerRecorder(spec=spec_for(8.0))
    rec(Frame(index=0, timestamp_s=0.0, rgb=img, scale=0.5), cand)
    rec(Frame(index=1, timestamp_s=0.04, rgb=img, scale=0.5), None)
    arr = rec.arrays()
    assert rec.frame_index == [0, 1]
    assert np.linalg.norm(arr["asis_px"][0] - sticker_centres(18.0, -1)[0]) < 0.8
    assert np.isnan(arr["psis_px"][1]).all() and rec.searches[1].reason
