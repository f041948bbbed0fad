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


def distinct_people(candidates: list[Candidate], *, same_person: float = 0.15) -> list[int]:
    """Return indices of candidates that are not duplicates of a more visible one.

    MediaPipe sometimes returns the same person twice (two overlapping poses). Two
    candidates whose mean landmark distance is below ``same_person`` box diagonals are
    taken as one person, and the one with the higher mean visibility is kept.
    """
    order = sorted(range(len(candidates)), key=lambda k: -float(np.nanmean(candidates[k].visibility)))
    kept: list[int] = []
    for k in order:
        box = candidates[k].bbox
        diag = max(float(np.hypot(box[2] - box[0], box[3] - box[1])), 1e-3)
        if all(
            pose_distance(candidates[k].xyz[:, :2], candidates[j].xyz[:, :2]) >= same_person * diag
            for j in kept
        ):
            kept.append(k)
    return sorted(kept)


@dataclass
class _Track:
    """One person followed across frames (the subject or someone else)."""

    pose: np.ndarray
    diag: float
    missing: int = 0
    #: seen in the same frame as the subject at least once, so certainly someone else
    beside_subject: bool = False

    def limit(self, max_jump: float, max_jump_lost: float) -> float:
        return min(max_jump * (1 + self.missing), max_jump_lost) * self.diag

    def see(self, cand: Candidate) -> None:
        x0, y0, x1, y1 = cand.bbox
        self.pose = cand.xyz[:, :2].copy()
        self.diag = max(float(np.hypot(x1 - x0, y1 - y0)), 1e-3)
        self.missing = 0


@dataclass
class SubjectTracker:
    """Choose one subject and follow everyone in view, so nobody else is taken for the subject.

    Every person is kept as a track, matched frame to frame by :func:`pose_distance`
    (in units of the track's box diagonal). A person already followed as someone else
    never becomes the subject: once seen in the same frame as the subject, a track is
    marked as someone else for good. When the subject is lost (occluded, out of frame,
    a fast movement MediaPipe misses), a person never seen beside the subject, within
    ``max_jump_lost`` diagonals of the subject's last pose, is taken as the subject
    coming back.

    Parameters
    ----------
    rule : SubjectRule
        How to pick the subject on its first frame.
    max_jump : float
        Largest accepted mean landmark displacement between consecutive frames, in box
        diagonals; the allowance grows by ``max_jump`` per missing frame.
    max_jump_lost : float
        Cap on that allowance (box diagonals).
    reacquire : float
        Radius (box diagonals of the subject) within which a person never seen beside the
        subject is taken for the lost subject.
    forget_after : int
        Frames after which a track of someone else is dropped.

    """

    rule: SubjectRule = field(default_factory=SubjectRule)
    max_jump: float = 0.35
    max_jump_lost: float = 1.0
    reacquire: float = 2.0
    forget_after: int = 90
    switches_refused: int = field(default=0, init=False)
    _tracks: dict[int, _Track] = field(default_factory=dict, init=False, repr=False)
    _subject: int | None = field(default=None, init=False, repr=False)
    _next_id: int = field(default=0, init=False, repr=False)

    @property
    def locked(self) -> bool:
        """True once a subject has been chosen."""
        return self._subject is not None

    def update(self, candidates: list[Candidate]) -> int | None:
        """Return the index of the subject among this frame's candidates, or None if absent."""
        keep = distinct_people(candidates)
        k = self._update([candidates[i] for i in keep])
        return None if k is None else keep[k]

    def _update(self, candidates: list[Candidate]) -> int | None:
        for track in self._tracks.values():
            track.missing += 1
        assigned = self._assign(candidates)
        if self._subject is None and candidates:
            k = initial_choice(candidates, self.rule)
            self._subject = next(t for t, c in assigned.items() if c == k)
        subject = self._tracks.get(self._subject) if self._subject is not None else None
        if subject is not None and self._subject not in assigned:
            self._adopt(subject, candidates, assigned)
        if self._subject in assigned:
            for tid in assigned:
                self._tracks[tid].beside_subject |= tid != self._subject
        self._forget()
        if self._subject in assigned:
            return assigned[self._subject]
        self.switches_refused += bool(candidates) and self.locked
        return None

    def _assign(self, candidates: list[Candidate]) -> dict[int, int]:
        """Greedy matching of candidates to tracks; unmatched candidates start new tracks.

        Tracks seen in the previous frame choose before tracks lost for longer, so a stale
        track of a duplicate detection cannot take the subject's pose away.
        """
        pairs = []
        for tid, track in self._tracks.items():
            for k, cand in enumerate(candidates):
                d = pose_distance(cand.xyz[:, :2], track.pose)
                if d <= track.limit(self.max_jump, self.max_jump_lost):
                    pairs.append((track.missing, d / track.diag, tid, k))
        assigned: dict[int, int] = {}
        used: set[int] = set()
        for _, _, tid, k in sorted(pairs):  # tracks seen most recently pick first, then the nearest
            if tid not in assigned and k not in used:
                assigned[tid], _ = k, used.add(k)
                self._tracks[tid].see(candidates[k])
        for k, cand in enumerate(candidates):
            if k not in used:
                tid, self._next_id = self._next_id, self._next_id + 1
                track = _Track(
                    pose=cand.xyz[:, :2].copy(), diag=1.0, beside_subject=self._inherited(cand, assigned)
                )
                track.see(cand)
                self._tracks[tid] = track
                assigned[tid] = k
        return assigned

    def _inherited(self, cand: Candidate, assigned: dict[int, int]) -> bool:
        """Whether a new track is someone already known to be beside the subject, re-detected.

        The nearest track lost within the last 15 frames, if within ``reacquire`` of its
        box diagonals, passes on its flag: a person MediaPipe lost and found again nearby
        keeps being "someone else".
        """
        lost = [
            (pose_distance(cand.xyz[:, :2], tr.pose) / tr.diag, tr)
            for tid, tr in self._tracks.items()
            if tid not in assigned and 0 < tr.missing <= 15
        ]
        lost = [(d, tr) for d, tr in lost if d <= self.reacquire]
        return bool(lost) and min(lost, key=lambda x: x[0])[1].beside_subject

    def _adopt(self, subject: _Track, candidates: list[Candidate], assigned: dict[int, int]) -> None:
        """Take a person never seen beside the subject, near its last pose, for the subject come back."""
        near = [
            (pose_distance(candidates[k].xyz[:, :2], subject.pose), tid)
            for tid, k in assigned.items()
            if not self._tracks[tid].beside_subject
        ]
        near = [(d, t) for d, t in near if d <= self.reacquire * subject.diag]
        if near:
            _, tid = min(near)
            del self._tracks[self._subject]  # type: ignore[arg-type]
            self._subject = tid

    def _forget(self) -> None:
        for tid in [
            t for t, tr in self._tracks.items() if tr.missing > self.forget_after and t != self._subject
        ]:
            del self._tracks[tid]
