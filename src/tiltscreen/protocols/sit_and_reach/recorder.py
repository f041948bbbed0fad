"""Frame hook of the sit-and-reach analysis: what it needs from each frame's mask beside the landmarks.

:class:`SitReachRecorder` runs once per frame (see :func:`tiltscreen.pose.extract.extract_landmarks`)
and keeps a few numbers, dropping the image and the mask:

- where the subject's mask touches the image borders (:func:`~.edges.border_contacts`), for the
  out-of-frame rule;
- the tip of each foot on the mask, for a subject facing either way (the facing is known only
  afterwards): the forward-most subject pixel connected to MediaPipe's foot-index point. The
  soles rest against the box, so this is where the feet meet the box face; MediaPipe's own
  foot-index point lies on the toes' joints, behind it.

Points are normalised image coordinates (x right, y down, 0-1), NaN where not measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tiltscreen.pose.estimator import Candidate
from tiltscreen.pose.outline import extreme_point
from tiltscreen.protocols.sit_and_reach.edges import border_contacts
from tiltscreen.skeleton import BLAZEPOSE
from tiltscreen.sources import Frame

#: search radius of the foot's tip around the foot-index point, as a fraction of the image width
TOE_RADIUS = 0.04
_FEET = {side: BLAZEPOSE.index(f"{side}_foot_index") for side in ("left", "right")}


@dataclass
class SitReachRecorder:
    """Record border contacts and outline toe tips per frame (NaN without a subject or mask)."""

    contacts: list[np.ndarray] = field(default_factory=list)
    toes: dict[str, list[np.ndarray]] = field(default_factory=lambda: {"left": [], "right": []})

    def __call__(self, frame: Frame, subject: Candidate | None) -> None:
        """Frame hook: record this frame's measurements."""
        mask = subject.mask if subject is not None else None
        self.contacts.append(border_contacts(mask) if mask is not None else np.full((4, 2), np.nan))
        for side, k in _FEET.items():
            tips = np.full((2, 2), np.nan)
            if mask is not None:
                anchor = subject.xyz[k, :2]
                tips = np.stack([extreme_point(mask, anchor, forward=f, radius=TOE_RADIUS) for f in (1, -1)])
            self.toes[side].append(tips)

    def arrays(self) -> dict[str, np.ndarray]:
        """``border_contacts`` (frames, 4, 2) and ``<side>_toe_tip_facing_{right,left}`` (frames, 2)."""
        out = {"border_contacts": np.array(self.contacts).reshape(-1, 4, 2)}
        for side, v in self.toes.items():
            tips = np.array(v).reshape(-1, 2, 2)
            out[f"{side}_toe_tip_facing_right"], out[f"{side}_toe_tip_facing_left"] = tips[:, 0], tips[:, 1]
        return out
