"""How the subject is picked on the first frame where anyone is in view (``--subject``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.pose.estimator import Candidate
from tiltscreen.pose.tracks import box_area, box_centre

RULES = ("auto", "largest", "central", "leftmost", "rightmost")


@dataclass(frozen=True)
class SubjectRule:
    """How the subject is picked on its first frame.

    Attributes
    ----------
    rule : str
        One of :data:`RULES`, or ``"at"`` with ``point`` set.
    point : (float, float) or None
        For ``"at"``: a normalised image point (x, y); the person whose box holds it
        (else the nearest box centre) is the subject.

    """

    rule: str = "auto"
    point: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.rule == "at":
            if self.point is None or not all(0.0 <= v <= 1.0 for v in self.point):
                raise ValidationError(f"rule 'at' needs a point with x, y in 0-1, got {self.point!r}.")
        elif self.rule not in RULES:
            raise ValidationError(f"subject rule must be one of {RULES + ('at',)}, got {self.rule!r}.")

    @classmethod
    def parse(cls, text: str) -> SubjectRule:
        """Parse ``"auto"``, ``"largest"``, … or ``"at:X,Y"`` (normalised coordinates)."""
        if text.startswith("at:"):
            try:
                x, y = (float(v) for v in text[3:].split(","))
            except ValueError:
                raise ValidationError(f"expected 'at:X,Y' with numbers in 0-1, got {text!r}.") from None
            return cls(rule="at", point=(x, y))
        return cls(rule=text)


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
