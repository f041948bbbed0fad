"""Stick people for the tracker tests: synthetic candidates with known boxes and torso centres."""

from __future__ import annotations

import numpy as np

from tiltscreen.pose.estimator import Candidate


def person(cx: float, cy: float, height: float, *, visibility: float = 1.0) -> Candidate:
    """A stick person: 33 landmarks spread over a box ``height`` tall and ``height / 3`` wide.

    Landmark k sits at ``(cx + w * (k % 3 - 1) / 2, cy + height * (k / 32 - 0.5))`` with
    ``w = height / 3``, so the box is ``w`` wide, ``height`` tall and centred on (cx, cy); its
    diagonal is ``height * sqrt(1 + 1/9) = 1.054 * height``. The torso centre (mean of
    landmarks 11, 12, 23, 24: offsets +w/2, -w/2, +w/2, -w/2 and rows 11, 12, 23, 24 of 32)
    is ``(cx, cy + height * (17.5 / 32 - 0.5)) = (cx, cy + 0.046875 * height)``.
    """
    k = np.arange(33)
    w = height / 3
    xyz = np.stack([cx + w * (k % 3 - 1) / 2, cy + height * (k / 32 - 0.5), np.zeros(33)], axis=1)
    return Candidate(
        xyz=xyz, visibility=np.full(33, visibility), presence=np.ones(33), world=np.zeros((33, 3))
    )
