"""The markerless pelvic-tilt estimate in the standing protocol: outline features per frame, one estimate.

Features come from MediaPipe's segmentation mask of each frame
(:func:`tiltscreen.kinematics.outline.frame_features`, in the trunk's own frame, so camera roll
does not enter), their median over the quiet-standing window feeds the model fitted on synthetic
bodies (:func:`tiltscreen.kinematics.outline_tilt.estimate_pelvic_tilt`). The result is always
labelled ``markerless-estimate`` and is indeterminate, with the reasons, whenever the outline
fails a quality check (an arm over the low back or abdomen, low contrast, not a side view).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.outline import OutlineFeatures, frame_features, median_features
from tiltscreen.kinematics.outline_tilt import estimate_pelvic_tilt
from tiltscreen.pose.estimator import Candidate
from tiltscreen.protocols.common import Metric, clauses
from tiltscreen.skeleton import BLAZEPOSE
from tiltscreen.sources import Frame

_TOES = [BLAZEPOSE.index("left_foot_index"), BLAZEPOSE.index("right_foot_index")]
_HEELS = [BLAZEPOSE.index("left_heel"), BLAZEPOSE.index("right_heel")]


def frame_facing(xyz: np.ndarray) -> int | None:
    """+1 if the toes lie to the image-right of the heels in this frame, -1 if to the left.

    None if unknown.
    """
    d = float(np.nansum(xyz[_TOES, 0]) - np.nansum(xyz[_HEELS, 0]))
    if not np.isfinite(d) or d == 0 or not np.isfinite(xyz[_TOES + _HEELS, 0]).all():
        return None
    return 1 if d > 0 else -1


@dataclass
class OutlineRecorder:
    """Frame hook: outline features of every frame with a subject and a mask (the image is not kept)."""

    features: list[OutlineFeatures | None] = field(default_factory=list)
    facing: list[int | None] = field(default_factory=list)

    def __call__(self, frame: Frame, subject: Candidate | None) -> None:
        """Record this frame's features (None without a subject or mask)."""
        if subject is None or subject.mask is None:
            self.features.append(None)
            self.facing.append(None)
            return
        facing = frame_facing(subject.xyz)
        feats = None
        if facing is not None:
            h, w = subject.mask.shape
            try:
                feats = frame_features(
                    subject.mask, subject.xyz[:, :2] * [w, h], facing=facing, image=frame.rgb
                )
            except ValidationError:
                feats = None  # shoulders or hips missing in this frame: no outline frame
        self.features.append(feats)
        self.facing.append(facing)


def outline_tilt(
    recorder: OutlineRecorder,
    *,
    rec: Any,
    rows: slice,
    side: str,
    facing: int,
    roll: Any,
    yaw_deg: float | None,
) -> tuple[Metric | None, list[str]]:
    """Return the markerless estimate over the quiet window, or None with the reasons."""
    frames = [
        f
        for f, fc in zip(recorder.features[rows], recorder.facing[rows], strict=True)
        if f is not None and fc == facing
    ]
    method = "markerless-estimate"
    if not frames:
        return None, ["The markerless estimate found no usable outline in the quiet window."]
    estimate = estimate_pelvic_tilt(median_features(frames))
    if not estimate.reliable:
        return None, [clauses("The markerless estimate is indeterminate", estimate.reasons)]
    note = (
        f"Markerless estimate from the body outline (model {estimate.model_version}, fitted on synthetic "
        f"bodies; {len(frames)} frames)."
    )
    return Metric(
        float(estimate.value),
        "deg",
        method,
        tuple(float(v) for v in estimate.ci95),
        reason="An estimate from the outline, not a measurement of the ASIS and PSIS.",
    ), [note]
