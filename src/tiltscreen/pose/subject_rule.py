"""How the subject is picked on the first frame where anyone is in view (``--subject``).

The rule itself (:class:`~tiltscreen.config.options.SubjectRule`) is an option, parsed at the edge.
"""

from __future__ import annotations

import numpy as np

from tiltscreen.config.options import RULES, SubjectRule
from tiltscreen.errors import ValidationError
from tiltscreen.pose.estimator import Candidate
from tiltscreen.pose.tracks import box_area, box_centre

__all__ = ["RULES", "SubjectRule", "initial_choice"]


def initial_choice(candidates: list[Candidate], rule: SubjectRule) -> int:
    """Index of the candidate the rule picks on the subject's first frame.

    ``auto`` scores ``area × (1 − distance of the box centre from the image centre)``:
    the largest person wins unless a slightly smaller one stands much nearer the centre.
    """
    if not candidates:
        raise ValidationError("initial_choice needs at least one candidate.")
    boxes = [c.bbox for c in candidates]
    centres = np.array([box_centre(b) for b in boxes])
    if rule.rule == "largest":
        return int(np.argmax([box_area(b) for b in boxes]))
    if rule.rule == "central":
        return int(np.argmin(np.linalg.norm(centres - 0.5, axis=1)))
    if rule.rule == "leftmost":
        return int(np.argmin(centres[:, 0]))
    if rule.rule == "rightmost":
        return int(np.argmax(centres[:, 0]))
    if rule.rule == "at":
        px, py = rule.point  # type: ignore[misc]
        inside = [k for k, b in enumerate(boxes) if b[0] <= px <= b[2] and b[1] <= py <= b[3]]
        if inside:
            return min(inside, key=lambda k: box_area(boxes[k]))
        return int(np.argmin(np.linalg.norm(centres - np.array([px, py]), axis=1)))
    offset = np.linalg.norm(centres - 0.5, axis=1) / np.sqrt(0.5)
    return int(np.argmax([box_area(b) * (1.0 - 0.5 * o) for b, o in zip(boxes, offset, strict=True)]))
