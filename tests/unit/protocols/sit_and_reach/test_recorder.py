"""The sit-and-reach frame hook: border contacts and outline toe tips per frame."""

from __future__ import annotations

import numpy as np
import pytest

from tiltscreen.pose.estimator import Candidate
from tiltscreen.protocols.sit_and_reach.recorder import SitReachRecorder
from tiltscreen.skeleton import BLAZEPOSE


def _candidate(mask: np.ndarray, foot_xy: tuple[float, float]) -> Candidate:
    xyz = np.full((33, 3), 0.5)
    for side in ("left", "right"):
        xyz[BLAZEPOSE.index(f"{side}_foot_index"), :2] = foot_xy
    return Candidate(
        xyz=xyz, visibility=np.ones(33), presence=np.ones(33), world=np.zeros((33, 3)), mask=mask
    )


def test_toe_tips_and_contacts():
    """A 100 x 200 mask with a foot block over columns 114-124, rows 45-54 and the foot-index point at
    (0.6, 0.5), i.e. pixel (120, 50), the search window +-8 px (0.04 x 200). Facing image-right the tip is the
    block's right column, (124 + 0.5) / 200 = 0.6225; facing left its left column, 114.5 / 200 = 0.5725;
    both at the block's middle row, (49.5 + 0.5) / 100 = 0.50. Nothing touches a border. A frame without a
    subject records NaN."""
    mask = np.zeros((100, 200), np.float32)
    mask[45:55, 114:125] = 1.0
    rec = SitReachRecorder()
    rec(None, _candidate(mask, (0.6, 0.5)))
    rec(None, None)
    out = rec.arrays()
    assert out["left_toe_tip_facing_right"][0] == pytest.approx([0.6225, 0.50])
    assert out["left_toe_tip_facing_left"][0] == pytest.approx([0.5725, 0.50])
    assert np.isnan(out["border_contacts"][0]).all() and np.isnan(out["left_toe_tip_facing_left"][1]).all()
    assert out["border_contacts"].shape == (2, 4, 2)
