"""The channels of a BIDS motion recording: one tracking system, MediaPipe Pose through tiltscreen.

Channel order (the rows of ``*_channels.tsv`` = the columns of ``*_motion.tsv``):

1. ``latency`` (``LATENCY``, s): each frame's time from the first frame (frames may be unevenly spaced);
2. per BlazePose landmark, in MediaPipe order: ``<landmark>_x`` and ``<landmark>_y`` (``POS``,
   components ``x``/``y``, ``px``, reference frame ``image``) and ``<landmark>_visibility`` (``MISC``,
   probability 0-1);
3. the protocol's per-frame angles (:mod:`tiltscreen.export.angles`, degrees): joint angles as
   ``JNTANG`` (tracked point = the joint), the trunk's inclination from the vertical as ``MISC``
   (it is a segment's orientation, not an angle between two body parts), reference frame ``subject``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tiltscreen.export.angles import AngleSeries
from tiltscreen.landmarks import Landmarks

#: reference frames named in the ``reference_frame`` column, described in ``*_channels.json``
REFERENCE_FRAMES = {
    "image": {
        "Description": "Pixels of the upright (rotation-corrected) full-resolution video frame: origin at "
        "the top-left corner, x to the right, y downwards (camera-fixed, not levelled)."
    },
    "subject": {
        "Description": "Angles in the sagittal image plane, measured in a subject frame (x = the subject's "
        "forward, y = up), so a subject facing left reads as its mirror image facing right; the trunk "
        "inclination has the camera roll removed. Degrees; signs in each channel's description."
    },
    "n/a": {"Description": "Not a spatial quantity."},
}

#: joint of each joint angle (the angle's tracked point, on the measured side)
_JOINT = {
    "knee_flexion_deg": "knee",
    "hip_flexion_deg": "hip",
    "hip_extension_deg": "hip",
    "knee_hyperextension_deg": "knee",
}


@dataclass(frozen=True)
class Channel:
    """One row of ``*_channels.tsv``."""

    name: str
    component: str
    type: str
    tracked_point: str
    units: str
    reference_frame: str
    description: str


def landmark_channels(names: tuple[str, ...]) -> list[Channel]:
    """Position and visibility channels of every landmark."""
    out = []
    for n in names:
        out.append(Channel(f"{n}_x", "x", "POS", n, "px", "image", f"x of {n} (pixels, to the right)."))
        out.append(Channel(f"{n}_y", "y", "POS", n, "px", "image", f"y of {n} (pixels, downwards)."))
        out.append(
            Channel(
                f"{n}_visibility", "n/a", "MISC", n, "n/a", "n/a",
                f"MediaPipe probability (0-1) that {n} is visible.",
            )
        )  # fmt: skip
    return out


def angle_channels(series: AngleSeries) -> list[Channel]:
    """One channel per angle of ``series`` (JNTANG for joints, MISC for the trunk's inclination)."""
    out = []
    for d in series.definitions:
        joint = _JOINT.get(d.name)
        point = f"{series.side}_{joint}" if joint else f"{series.side}_trunk"
        out.append(
            Channel(
                d.name, "n/a", "JNTANG" if d.joint else "MISC", point, "deg", "subject",
                f"{d.definition}; {d.sign}.",
            )
        )  # fmt: skip
    return out


def channels(lm: Landmarks, series: AngleSeries) -> list[Channel]:
    """All channels, in file order (module notes)."""
    latency = Channel(
        "latency", "n/a", "LATENCY", "n/a", "s", "n/a", "Time of the frame from the first frame (s)."
    )
    return [latency, *landmark_channels(lm.skeleton.names), *angle_channels(series)]


def motion_matrix(lm: Landmarks, series: AngleSeries) -> np.ndarray:
    """Return the ``(frame, channel)`` values in :func:`channels` order; NaN where missing."""
    xy = lm.xy_px
    per_landmark = np.stack([xy[..., 0], xy[..., 1], lm.visibility], axis=-1).reshape(lm.n_frames, -1)
    latency = np.round(lm.timestamps_s - lm.timestamps_s[0], 6)[:, None]  # BIDS: s[.000000]
    return np.hstack([latency, per_landmark, series.values])


def channel_counts(chans: list[Channel]) -> dict[str, int]:
    """Return the ``<TYPE>ChannelCount`` fields (zero for absent types) and ``MotionChannelCount``."""
    types = ("ACCEL", "ANGACCEL", "GYRO", "JNTANG", "LATENCY", "MAGN", "MISC", "ORNT", "POS", "VEL")
    counts = {f"{t}ChannelCount": sum(c.type == t for c in chans) for t in types}
    counts["MotionChannelCount"] = len(chans)
    return counts
