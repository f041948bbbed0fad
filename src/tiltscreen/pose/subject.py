"""Keep one subject per recording when several people are in view, through fast motion and losses.

The subject is chosen on the first frame that has anyone in it, by a rule
(:mod:`tiltscreen.pose.subject_rule`; default ``"auto"``: the largest person, favouring
the centre), then followed from frame to frame by landmark distance to its predicted pose
(the last pose moved by its recent velocity). A candidate farther than ``max_jump`` (in
units of the subject's box diagonal, widened the longer the subject is lost) is never
taken for the subject, so a passer-by crossing in front does not become the subject;
neither is anyone once seen beside the subject, nor a pose whose clothing colours are
clearly nearer another person's than the subject's.

When the subject is lost, the tracker asks for a search in a window around where it
should be (the caller runs the pose model on that crop, where a small, fast or
upside-down subject is larger for MediaPipe's person detector). It also says, frame by
frame, what to run (:meth:`SubjectTracker.plan`): one pose on the whole frame while it
follows the subject, and a look for everyone only on the first frames, every
``probe_every`` frames, while someone is close to the subject, or after a long loss.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tiltscreen.pose.estimator import Candidate
from tiltscreen.pose.subject_plan import PlanMixin
from tiltscreen.pose.subject_rule import RULES, SubjectRule, initial_choice
from tiltscreen.pose.tracks import (
    Plan,
    Track,
    TrackStep,
    distinct_people,
    pose_distance,
    same_person,
)

__all__ = ["RULES", "Plan", "SubjectRule", "SubjectTracker", "TrackStep", "initial_choice", "pose_distance"]

#: a candidate's torso histogram in the current frame (None when it cannot be measured)
Describe = Callable[[Candidate], "np.ndarray | None"]
#: runs the pose model as a plan says (a window, or the whole frame); candidates in image coordinates
Search = Callable[[Plan], list[Candidate]]


@dataclass
class SubjectTracker(PlanMixin):
    """Choose one subject and follow everyone in view, so nobody else is taken for the subject.

    Every person is kept as a :class:`~tiltscreen.pose.tracks.Track`, matched frame to frame
    by :func:`pose_distance` to its predicted pose (in units of the track's box diagonal),
    nearest pairs first. A person already followed as someone else never becomes the
    subject: once seen in the same frame as the subject, a track is marked as someone else
    for good. When the subject is lost (occluded, out of frame, a fast movement MediaPipe
    misses), a person never seen beside the subject, near where the subject should be, is
    taken as the subject coming back; failing that, a search is asked for.

    Parameters
    ----------
    rule : SubjectRule
        How to pick the subject on its first frame.
    max_jump : float
        Largest accepted mean landmark displacement from the predicted pose between
        consecutive frames, in box diagonals; the allowance grows by ``max_jump`` per
        missing frame.
    max_jump_lost : float
        Cap on that allowance for matching a track (box diagonals).
    reacquire : float
        Cap on the radius (subject box diagonals, growing like the allowance) within which
        a person never seen beside the subject is taken for the lost subject.
    forget_after : int
        Frames after which a track of someone else is dropped.
    colour_margin, colour_match : float
        A pose is not given to a person when its torso colours look like someone else's:
        within ``colour_match`` of theirs (histogram distance, 0-1) and nearer theirs by
        more than ``colour_margin``. Colours change with the light (on the Sports2D demo the
        subject's distance to his own smoothed histogram reached 0.8-0.9 in the sun's
        glare), so they only rule out a look-alike of someone else, never decide alone.
    colour_memory : int
        Frames after which a person's colours are too old to compare.
    search_frames : int
        Frames after a loss during which searches are asked for.
    far_after : int
        Frames after a loss from which the only person in view never seen beside the
        subject is taken for it, however far from where it was lost.
    max_people : int
        Poses to ask for when looking for everyone.
    probe_every : int
        While following the subject, look for everyone near it this often (frames).
    near : float
        Someone whose box comes within this many subject diagonals of the subject's box
        makes the tracker look for everyone on every frame.
    look_scale : float
        Side of the look's window, in units of the subject's longer box side.

    """

    rule: SubjectRule = field(default_factory=SubjectRule)
    max_jump: float = 0.35
    max_jump_lost: float = 1.0
    reacquire: float = 2.0
    forget_after: int = 90
    colour_margin: float = 0.25
    colour_match: float = 0.35
    colour_memory: int = 150
    search_frames: int = 60
    far_after: int = 15
    max_people: int = 2
    probe_every: int = 30
    near: float = 0.1
    look_scale: float = 3.0
    switches_refused: int = field(default=0, init=False)
    _tracks: dict[int, Track] = field(default_factory=dict, init=False, repr=False)
    _subject: int | None = field(default=None, init=False, repr=False)
    _next_id: int = field(default=0, init=False, repr=False)
    _since_look: int = field(default=0, init=False, repr=False)
    _in_window: bool = field(default=False, init=False, repr=False)
    _whole: bool = field(default=False, init=False, repr=False)
    _astray: int = field(default=0, init=False, repr=False)
    _looks: int = field(default=0, init=False, repr=False)
    _frames: int = field(default=0, init=False, repr=False)

    @property
    def locked(self) -> bool:
        """True once a subject has been chosen."""
        return self._subject is not None

    def update(self, candidates: list[Candidate]) -> int | None:
        """Return the index of the subject among this frame's candidates, or None if absent."""
        return self.step(candidates).index

    def step(
        self,
        candidates: list[Candidate],
        *,
        describe: Describe | None = None,
        search: Search | None = None,
        plan: Plan | None = None,
    ) -> TrackStep:
        """Follow everyone through one frame and return where the subject is.

        Parameters
        ----------
        candidates : list of Candidate
            The people the plan's landmarker found (whole frame or window), image coordinates.
        describe : callable, optional
            Torso histogram of a candidate in this frame (colours are ignored without it).
        search : callable, optional
            Runs another plan on this frame; used when the subject seen in recent frames is
            not among ``candidates`` (see :meth:`_retries`).
        plan : Plan, optional
            What produced ``candidates`` (default: the whole frame, one pose).

        """
        plan = plan or Plan()
        self._frames += 1
        found_first = not self.locked and not candidates and search is not None
        if found_first and self._frames <= self.search_frames:  # nobody yet: look closer, at the centre
            candidates = search(Plan(window=(0.0, 0.0, 1.0, 1.0), scale=1.0, look=True))
        found_first = found_first and bool(candidates)
        keep = distinct_people(candidates)
        cands = [candidates[i] for i in keep]
        colours = [describe(c) if self._colours_needed(describe, cands) else None for c in cands]
        for track in self._tracks.values():
            track.age()
        looked = plan.look or (plan.window is None and plan.poses > 1)
        self._since_look = 0 if looked else self._since_look + 1
        assigned = self._assign(cands, colours)
        subject, source = self._subject_after(cands, colours, assigned)
        if subject is None and search is not None:
            subject, source = self._retry(cands, assigned, search, plan, describe)
        self._forget()
        if plan.window is not None and not plan.look:  # the window's landmarker following someone else?
            self._astray = 0 if plan.fresh or subject is not None or not cands else self._astray + 1
        if subject is None:
            self.switches_refused += bool(cands) and self.locked
            return TrackStep(index=None, subject=None, source=None, people=len(cands))
        if found_first:
            source = "search"
        if source == "frame":
            self._in_window = plan.window is not None and not plan.look
            self._whole |= plan.window is None
        k = assigned.get(self._subject) if source == "frame" else None  # type: ignore[arg-type]
        index = None if k is None else keep[k]
        return TrackStep(index=index, subject=subject, source=source, people=len(cands))

    def _subject_after(
        self, cands: list[Candidate], colours: list, assigned: dict[int, int]
    ) -> tuple[Candidate | None, str | None]:
        """Lock, keep or re-acquire the subject once everyone is assigned; mark who is beside it."""
        if self._subject is None and cands:
            k = initial_choice(cands, self.rule)
            self._subject = next(t for t, c in assigned.items() if c == k)
        if self._subject is None:
            return None, None
        if self._subject not in assigned:
            self._adopt(cands, colours, assigned)
        if self._subject not in assigned:
            return None, None
        for tid in assigned:
            self._tracks[tid].beside_subject |= tid != self._subject
        return cands[assigned[self._subject]], "frame"

    def _retry(
        self,
        cands: list[Candidate],
        assigned: dict[int, int],
        search: Search,
        plan: Plan,
        describe: Describe | None,
    ) -> tuple[Candidate | None, str | None]:
        """Run the retries a missed subject calls for on this frame, until one finds it.

        After a look for everyone that missed the subject seen in the previous frame: the
        usual one-pose landmarker, then (after a whole-frame look) a window search. After
        the one-pose landmarker missed it: a window search. After a window: nothing more.
        The people of the frame are then known to be beside the subject.
        """
        subject = self._tracks.get(self._subject) if self._subject is not None else None
        if subject is None or not 0 < subject.missing <= self.search_frames:
            return None, None
        if subject.missing == 1 and (plan.look or plan.poses > 1):
            retries = [Plan(poses=1)] + ([] if plan.look else [self._window(subject)])
        else:
            retries = [] if plan.window is not None else [self._window(subject)]
        for retry in retries:
            found = self._search(subject, search(retry), cands, describe)
            if found is not None:
                self._in_window = retry.window is not None
                self._whole |= retry.window is None
                for tid in assigned:
                    self._tracks[tid].beside_subject = True
                return found, "search"
        return None, None

    def _limit(self, track: Track, cap: float) -> float:
        """Return the allowed distance from the predicted pose (box diagonals), growing up to ``cap``.

        It grows by ``max_jump`` per missing frame.

        ``missing`` is already 1 for a track seen in the previous frame, so that frame allows
        2 x ``max_jump``, as the tracker always did.
        """
        return min(self.max_jump * (1 + track.missing), cap)

    def _cap(self, tid: int, track: Track) -> float:
        """Cap on a track's allowance: ``max_jump_lost``, halved for someone else unseen for 30 frames.

        After a second out of sight a person's last place says little about where they are,
        and a person taken for them would be marked as "someone else" for good.
        """
        stale = tid != self._subject and track.missing > 30
        return self.max_jump_lost / 2 if stale else self.max_jump_lost

    def _colour_allows(self, tid: int, colour: np.ndarray | None) -> bool:
        """Whether colours let a pose be given to a track: False when they look like someone else's.

        That is, within ``colour_match`` of the colours of someone known to be different
        (for the subject: people seen beside it; for anyone else: the subject) and nearer
        theirs than this track's by more than ``colour_margin``.
        """
        mine = self._tracks[tid].colour_distance(colour, memory=self.colour_memory)
        if mine is None:
            return True
        if tid == self._subject:
            others = [tr for t, tr in self._tracks.items() if t != tid and tr.beside_subject]
        else:
            others = [self._tracks[self._subject]] if self._subject in self._tracks else []
        return not any(
            d <= self.colour_match and d + self.colour_margin < mine
            for tr in others
            if (d := tr.colour_distance(colour, memory=self.colour_memory)) is not None
        )

    def _assign(self, cands: list[Candidate], colours: list) -> dict[int, int]:
        """Greedy matching of candidates to tracks; unmatched candidates start new tracks.

        The nearest pairs (distance from each track's predicted pose, in its own box
        diagonals) are matched first, so a person followed as someone else keeps their pose
        even when the lost subject's allowance has grown around them, and no track takes a
        pose nearer another track's prediction. Colours may rule a pair out.
        """
        pairs = sorted(
            (d, track.missing, tid, k)
            for tid, track in self._tracks.items()
            for k, c in enumerate(cands)
            if (d := track.distance(c)) <= self._limit(track, self._cap(tid, track))
            and self._colour_allows(tid, colours[k])
        )
        assigned: dict[int, int] = {}
        for _, _, tid, k in pairs:
            if tid not in assigned and k not in assigned.values():
                assigned[tid] = k
        for tid, k in assigned.items():
            self._see(tid, cands[k], colours[k])
        for k, cand in enumerate(cands):
            if k not in assigned.values():
                tid, self._next_id = self._next_id, self._next_id + 1
                beside = self._inherited(cand, assigned)
                self._tracks[tid] = Track.start(cand, colours[k], beside_subject=beside)
                assigned[tid] = k
        return assigned

    def _inherited(self, cand: Candidate, assigned: dict[int, int]) -> bool:
        """Whether a new track is someone already known to be beside the subject, re-detected.

        The nearest track lost within the last 15 frames passes on its flag if the
        candidate lies within that track's own allowance: a person MediaPipe lost and found
        again nearby keeps being "someone else".
        """
        lost = [
            (d, tr)
            for tid, tr in self._tracks.items()
            if tid not in assigned
            and tid != self._subject
            and 0 < tr.missing <= 15
            and (d := tr.distance(cand)) <= self._limit(tr, self.max_jump_lost)
        ]
        return bool(lost) and min(lost, key=lambda x: x[0])[1].beside_subject

    def _adopt(self, cands: list[Candidate], colours: list, assigned: dict[int, int]) -> None:
        """Take a person never seen beside the subject for the subject come back.

        The nearest such person within the re-acquisition radius of the predicted pose; or,
        once the subject has been lost for ``far_after`` frames, the only such person in
        view wherever they are (the subject's last place means little by then).
        """
        subject = self._tracks[self._subject]  # type: ignore[index]
        radius = self._limit(subject, self.reacquire)
        unknown = [
            (subject.distance(cands[k]), tid)
            for tid, k in assigned.items()
            if not self._tracks[tid].beside_subject and self._colour_allows(self._subject, colours[k])  # type: ignore[arg-type]
        ]
        near = [(d, tid) for d, tid in unknown if d <= radius]
        if not near and len(unknown) == 1 and subject.missing >= self.far_after:
            near = unknown
        if near:
            _, tid = min(near)
            k = assigned.pop(tid)
            del self._tracks[tid]
            self._see(self._subject, cands[k], colours[k])  # type: ignore[arg-type]
            assigned[self._subject] = k  # type: ignore[index]

    def _search(
        self, subject: Track, found: list[Candidate], cands: list[Candidate], describe: Describe | None
    ) -> Candidate | None:
        """Take the lost subject among the poses a retry found, if one fits.

        A pose is the subject when it is near the predicted pose (the re-acquisition
        radius), its colours allow it, it is not the same person as one of the frame's
        candidates (who are all someone else by now), and no one known to be beside the
        subject would match it better.
        """
        radius = self._limit(subject, self.reacquire)
        others = [tr for tid, tr in self._tracks.items() if tid != self._subject and tr.beside_subject]
        fits = []
        for cand in found:
            d = subject.distance(cand)
            if d > radius or any(same_person(cand, c) for c in cands):
                continue
            if any(
                e < d and e <= self._limit(tr, self.max_jump_lost)
                for tr in others
                if (e := tr.distance(cand))
            ):
                continue
            colour = describe(cand) if describe else None
            if self._colour_allows(self._subject, colour):  # type: ignore[arg-type]
                fits.append((d, len(fits), cand, colour))
        if not fits:
            return None
        _, _, best, colour = min(fits, key=lambda x: x[:2])
        self._see(self._subject, best, colour)  # type: ignore[arg-type]
        return best

    def _see(self, tid: int, cand: Candidate, colour: np.ndarray | None) -> None:
        self._tracks[tid].see(cand, colour, colour_memory=self.colour_memory)

    def _forget(self) -> None:
        """Drop tracks of others unseen for ``forget_after`` frames."""
        for tid in [
            t for t, tr in self._tracks.items() if tr.missing > self.forget_after and t != self._subject
        ]:
            del self._tracks[tid]
