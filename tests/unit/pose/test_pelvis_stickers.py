"""Finding and naming the ASIS, PSIS and iliac-crest stickers on drawn images with known centres.

The scene is :mod:`tests.unit.pose.test_stickers`'s standing subject (near hip at ``HIP``, stature ``S`` =
420 px, trunk straight up), with round stickers of 6 px drawn at, relative to the hip (x in the facing
direction, y up, in statures): ASIS (+0.05, 0.05), PSIS (-0.045, 0.05), crest (-0.045, 0.077) -- the crest
4.5 cm above the PSIS for a 170 cm subject (4.5 / 170 = 0.026). In the trunk frame the ASIS then lies 0.095
stature ahead of the posterior stickers (naming needs 0.035), and the crest 0.027 stature further up the
trunk than the PSIS. The image is degraded as in the pair tests (uneven light, chroma smearing, blur,
noise).
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.unit.pose.test_stickers import HIP, SHIRT, SKIN, H, S, W, degrade, disc, landmarks, spec_for

from tiltscreen.pose.pelvis_stickers import POSTERIOR, PelvisStickerRecorder, find_pelvis_stickers
from tiltscreen.pose.sticker_types import PelvisStickerSpecs, StickerSpec
from tiltscreen.sources import Frame

GREEN, BLUE = (0, 200, 0), (0, 90, 255)
OFFSETS = {"asis": (0.05, 0.05), "psis": (-0.045, 0.05), "iliac_crest": (-0.045, 0.077)}


def centre(name: str, facing: int) -> np.ndarray:
    dx, up = OFFSETS[name]
    return HIP + np.array([facing * dx * S, -up * S])


def image(facing: int, shown: tuple[str, ...], *, crest_rgb: tuple[int, int, int] = GREEN) -> np.ndarray:
    """The scene with the stickers in ``shown`` (the crest in ``crest_rgb``)."""
    img = np.zeros((H, W, 3)) + (200, 225, 240)
    x0, x1 = int(HIP[0] - 0.09 * S), int(HIP[0] + 0.09 * S)
    img[int(HIP[1] - 0.3 * S) : int(HIP[1] - 0.1 * S), x0:x1] = SHIRT
    img[int(HIP[1] - 0.1 * S) : int(HIP[1] + 0.2 * S), x0:x1] = SKIN
    for name in shown:
        disc(img, centre(name, facing), 6.0, crest_rgb if name == "iliac_crest" else GREEN)
    return degrade(img, np.random.default_rng(7))


def specs(crest_rgb: tuple[int, int, int] = GREEN) -> PelvisStickerSpecs:
    size = spec_for(6.0).diameter_cm
    return PelvisStickerSpecs(
        StickerSpec(colour_rgb=GREEN, diameter_cm=size), StickerSpec(colour_rgb=crest_rgb, diameter_cm=size)
    )


@pytest.mark.parametrize("facing", [1, -1])
def test_three_stickers_named_with_subpixel_centres(facing: int) -> None:
    """All three shown: named ASIS (ahead), PSIS (lower behind), crest (higher behind), each within 0.5 px."""
    names = ("asis", "psis", "iliac_crest")
    found = find_pelvis_stickers(
        image(facing, names), landmarks(facing), specs=specs(), side="left", facing=facing
    )
    assert set(found.stickers) == set(names) and found.reason is None
    for name in names:
        assert found.stickers[name].centre_px == pytest.approx(centre(name, facing), abs=0.5)
        assert 0.7 <= found.stickers[name].area_ratio <= 2.6


def test_bent_forward_view_names_the_two_posterior_stickers() -> None:
    """ASIS hidden: the two stickers behind the trunk line are the PSIS (lower) and the crest (higher)."""
    found = find_pelvis_stickers(image(1, ("psis", "iliac_crest")), landmarks(1), specs=specs(), side="left",
                                 facing=1)  # fmt: skip
    assert set(found.stickers) == {"psis", "iliac_crest"}
    assert found.stickers["iliac_crest"].centre_px[1] < found.stickers["psis"].centre_px[1]


def test_a_lone_posterior_sticker_is_left_for_the_sequence_unless_it_has_the_crest_colour() -> None:
    """One colour: a single sticker behind the line cannot be named from one frame ("posterior"). With a
    blue crest sticker it is the crest by its colour."""
    one = find_pelvis_stickers(image(1, ("iliac_crest",)), landmarks(1), specs=specs(), side="left", facing=1)
    assert set(one.stickers) == {POSTERIOR}
    blue = find_pelvis_stickers(image(1, ("iliac_crest",), crest_rgb=BLUE), landmarks(1), specs=specs(BLUE),
                                side="left", facing=1)  # fmt: skip
    assert set(blue.stickers) == {"iliac_crest"}


def test_no_sticker_gives_a_reason() -> None:
    found = find_pelvis_stickers(image(1, ()), landmarks(1), specs=specs(), side="left", facing=1)
    assert found.stickers == {} and "No pelvis sticker" in found.reason


def test_recorder_arrays_hold_the_named_centres_and_the_body_frame() -> None:
    """Two frames: all three stickers, then no subject. The arrays give the centres in frame 0, NaN in
    frame 1, and the body frame's stature: mean of trunk 0.29 S / 0.29 and leg 0.49 S / 0.49 = 420 px."""
    from tiltscreen.pose.estimator import Candidate

    rec = PelvisStickerRecorder(specs=specs())
    subject = Candidate(landmarks(1), np.ones(33), np.ones(33), np.zeros((33, 3)))
    rec(Frame(0, 0.0, image(1, ("asis", "psis", "iliac_crest")), 1.0), subject)
    rec(Frame(1, 0.033, image(1, ()), 1.0), None)
    arr = rec.arrays()
    assert arr["psis_px"][0] == pytest.approx(centre("psis", 1), abs=0.5)
    assert np.isnan(arr["psis_px"][1]).all() and arr["stature_px"][0] == pytest.approx(S)
