"""Keep one subject per recording when several people are in view.

The subject is chosen on the first frame that has anyone in it, by a rule
(default ``"auto"``: the largest person, favouring the centre), then followed from
frame to frame by landmark distance to its last known pose. A candidate farther than
``max_jump`` (in units of the subject's box diagonal, widened the longer the
subject is lost) is never taken for the subject, so a passer-by crossing in front
does not become the subject.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.pose.estimator import Candidate

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


def _area(box: tuple[float, float, float, float]) -> float:
    return max(box[2] - box[0], 0.0) * max(box[3] - box[1], 0.0)


def _centre(box: tuple[float, float, float, float]) -> np.ndarray:
    return np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])


def initial_choice(candidates: list[Candidate], rule: SubjectRule) -> int:
    """Index of the candidate the rule picks on the subject's first frame.

    ``auto`` scores ``area × (1 − distance of the box centre from the image centre)``:
    the largest person wins unless a slightly smaller one stands much nearer the centre.
    """
    if not candidates:
        raise ValidationError("initial_choice needs at least one candidate.")
    boxes = [c.bbox for c in candidates]
    centres = np.array([_centre(b) for b in boxes])
    if rule.rule == "largest":
        return int(np.argmax([_area(b) for b in boxes]))
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
            return min(inside, key=lambda k: _area(boxes[k]))
        return int(np.argmin(np.linalg.norm(centres - np.array([px, py]), axis=1)))
    offset = np.linalg.norm(centres - 0.5, axis=1) / np.sqrt(0.5)
    return int(np.argmax([_area(b) * (1.0 - 0.5 * o) for b, o in zip(boxes, offset, strict=True)]))


def pose_distance(a: np.ndarray, b: np.ndarray, *, weights: np.ndarray | None = None) -> float:
    """Mean distance between two ``(33, 2)`` normalised poses, NaN-safe; ``inf`` if nothing overlaps."""
    d = np.linalg.norm(a - b, axis=1)
    ok = np.isfinite(d)
    if weights is not None:
        ok &= weights > 0
    if not ok.any():
        return float("inf")
    w = np.ones_like(d) if weights is None else weights
    return float(np.sum(d[ok] * w[ok]) / np.sum(w[ok]))


@dataclass
class SubjectTracker:
    """Choose and follow one subject across frames (state lives here, not in globals).

    Parameters
    ----------
    rule : SubjectRule
        How to pick the subject on its first frame.
    max_jump : float
        Largest accepted mean landmark displacement between consecutive frames, in
        units of the subject's box diagonal; grows by ``max_jump`` per missing frame,
        up to ``max_jump_lost``.
    """

    rule: SubjectRule = field(default_factory=SubjectRule)
    max_jump: float = 0.35
    max_jump_lost: float = 1.5
    _last: np.ndarray | None = field(default=None, init=False, repr=False)
    _diag: float = field(default=1.0, init=False, repr=False)
    _missing: int = field(default=0, init=False, repr=False)
    switches_refused: int = field(default=0, init=False)

    @property
    def locked(self) -> bool:
        """True once a subject has been chosen."""
        return self._last is not None

    def update(self, candidates: list[Candidate]) -> int | None:
        """Return the index of the subject among this frame's candidates, or None if absent."""
        if not candidates:
            self._missing += 1
            return None
        if self._last is None:
            k = initial_choice(candidates, self.rule)
        else:
            k = self._match(candidates)
            if k is None:
                self._missing += 1
                self.switches_refused += 1
                return None
        self._remember(candidates[k])
        return k

    def _match(self, candidates: list[Candidate]) -> int | None:
        limit = min(self.max_jump * (1 + self._missing), self.max_jump_lost) * self._diag
        dists = [pose_distance(c.xyz[:, :2], self._last) for c in candidates]  # type: ignore[arg-type]
        k = int(np.argmin(dists))
        return k if dists[k] <= limit else None

    def _remember(self, cand: Candidate) -> None:
        x0, y0, x1, y1 = cand.bbox
        self._last = cand.xyz[:, :2].copy()
        self._diag = max(float(np.hypot(x1 - x0, y1 - y0)), 1e-3)
        self._missing = 0
