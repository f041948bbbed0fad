"""What the subject tracker asks to run on each frame: the planning half of :class:`SubjectTracker`.

See :meth:`PlanMixin.plan`. The state it reads (tracks, counters, parameters) belongs to
:class:`tiltscreen.pose.subject.SubjectTracker`.
"""

from __future__ import annotations

from tiltscreen.pose.estimator import Candidate
from tiltscreen.pose.tracks import Plan, Track, box_overlap, boxes_near


class PlanMixin:
    """Which landmarker runs on the next frame, and where (mixed into :class:`SubjectTracker`)."""

    def plan(self) -> Plan:
        """Say what to run on the next frame (call once per frame: it counts the looks it asks for).

        No subject yet, or lost for more than ``search_frames`` (and every fifth frame of a
        loss), or found so far only in a crop in the first ``search_frames`` frames: everyone
        on the whole frame. Subject seen in the last frame: one pose on the whole frame, or
        in a window after a window search found it; every ``probe_every``
        frames a look for everyone, in turn in a wide window around the subject (people
        close to it, whom the detector misses more easily on the whole frame) and on the
        whole frame (people anywhere), and on every frame while someone is near. Subject lost
        recently: a window search where it should be.
        """
        subject = self._tracks.get(self._subject) if self._subject is not None else None
        if subject is None:
            return Plan(poses=self.max_people)
        m = subject.missing
        if m == 0:
            near = self._someone_near(subject)
            if near or self._since_look >= self.probe_every:
                self._looks += 1
                if near or self._looks % 2 == 1:
                    return Plan(window=subject.search_box(), scale=self.look_scale, look=True)
                return Plan(poses=self.max_people)
            if not self._whole and self._frames < self.search_frames:  # found so far only in a crop
                return Plan(poses=self.max_people)
            return self._window(subject) if self._in_window else Plan(poses=1)
        if m <= self.search_frames and m % 5 != 0:
            return self._window(subject)
        return Plan(poses=self.max_people)

    def _window(self, subject: Track) -> Plan:
        """Plan a window around where the subject should be, wider the longer it is lost, others hidden."""
        box = subject.search_box()
        hide = tuple(
            tr.predicted_box()
            for tid, tr in self._tracks.items()
            if tid != self._subject
            and tr.beside_subject
            and tr.missing <= 3
            and box_overlap(tr.predicted_box(), box) == 0.0
        )
        scale = min(2.0 * (1 + 0.1 * subject.missing), 4.0)
        return Plan(window=box, scale=scale, hide=hide, fresh=self._astray >= 2)

    def _someone_near(self, subject: Track) -> bool:
        """Whether another person seen lately comes within ``near`` diagonals of the subject's box."""
        others = [
            tr for tid, tr in self._tracks.items() if tid != self._subject and tr.missing <= self.probe_every
        ]
        return any(boxes_near(subject.box, tr.predicted_box(), self.near * subject.diag) for tr in others)

    def _colours_needed(self, describe, cands: list[Candidate]) -> bool:
        """Whether to measure colours this frame: always with company, every 5th frame alone (cost)."""
        if describe is None:
            return False
        company = len(cands) > 1 or any(
            tr.colour is not None and tr.colour_age <= self.colour_memory
            for tid, tr in self._tracks.items()
            if tid != self._subject
        )
        return company or self._frames % 5 == 0
