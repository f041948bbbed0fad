"""``--protocol auto``: tell a standing recording from a sit-and-reach one before analysing it.

How: the landmarks are extracted once at about 10 frames per second (every k-th decoded frame,
one pose followed, no segmentation: about a third of an analysis's inference), filtered as
``analyze`` filters them, and each test's posture check of ``analyze`` itself
(:func:`tiltscreen.protocols.outcome.posture_seconds`: long sitting for the sit-and-reach,
upright still standing for the standing test, with the thresholds file's limits) gives the
longest unbroken time the subject holds each posture. The rule:

1. long sitting for at least ``min_posture_s`` (1 s) → ``sit-and-reach`` (a standing test never
   shows it, while a sit-and-reach recording may begin with the subject standing);
2. else upright still standing for at least ``min_posture_s`` → ``standing``;
3. else neither: the protocol whose posture lasted longer (standing on a tie) is analysed, and
   that analysis's own gate ends it ``not_this_protocol`` (or ``no_person``), with its
   sentence and its files, exactly as ``tiltscreen analyze`` would.

The probe only chooses; the analysis that follows decides the status.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tiltscreen.sources import Frame

#: the probe's frame rate (frames per second of video looked at)
PROBE_FPS = 10.0


@dataclass(frozen=True)
class ProtocolChoice:
    """What ``auto`` chose and why.

    Attributes
    ----------
    protocol : {"standing", "sit-and-reach"}
    standing_s, sit_and_reach_s : float
        Longest unbroken time (s) of each test's posture in the probe.
    rule : str
        Which rule of the module notes applied: ``long_sitting``, ``upright_standing``, ``neither``.
    frames : int
        Frames the probe looked at.

    """

    protocol: str
    standing_s: float
    sit_and_reach_s: float
    rule: str
    frames: int

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "protocol": self.protocol,
            "standing_s": round(self.standing_s, 3),
            "sit_and_reach_s": round(self.sit_and_reach_s, 3),
            "rule": self.rule,
            "probe_frames": self.frames,
            "probe_fps": PROBE_FPS,
        }


def choose(standing_s: float, sit_and_reach_s: float, *, need_s: float, frames: int = 0) -> ProtocolChoice:
    """Apply the rule of the module notes to the two posture times (s).

    Examples
    --------
    >>> choose(3.0, 1.5, need_s=1.0).protocol
    'sit-and-reach'
    >>> choose(3.0, 0.2, need_s=1.0).rule
    'upright_standing'
    >>> choose(0.0, 0.4, need_s=1.0).protocol, choose(0.0, 0.0, need_s=1.0).protocol
    ('sit-and-reach', 'standing')

    """
    if sit_and_reach_s >= need_s:
        protocol, rule = "sit-and-reach", "long_sitting"
    elif standing_s >= need_s:
        protocol, rule = "standing", "upright_standing"
    else:
        protocol, rule = ("sit-and-reach" if sit_and_reach_s > standing_s else "standing"), "neither"
    return ProtocolChoice(protocol, standing_s, sit_and_reach_s, rule, frames)


class _Every:
    """A frame source passing on every ``step``-th frame (timestamps unchanged)."""

    def __init__(self, source, step: int) -> None:
        self._source, self._step = source, max(1, step)
        self.info = source.info

    def __iter__(self) -> Iterator[Frame]:
        for frame in self._source:
            if frame.index % self._step == 0:
                yield frame


def probe(video: str, *, model: Path, max_side: int | None, thresholds: Path | None) -> ProtocolChoice:
    """Extract a light set of landmarks and choose the protocol (module notes).

    Raises
    ------
    InputError
        The video cannot be opened, or holds no frame (as ``analyze`` would raise).

    """
    from tiltscreen.config.options import ExtractOptions
    from tiltscreen.config.thresholds import load_thresholds
    from tiltscreen.errors import EmptyVideoError
    from tiltscreen.pose.estimator import PoseOptions
    from tiltscreen.pose.extract import extract_landmarks
    from tiltscreen.protocols.outcome import posture_seconds
    from tiltscreen.protocols.recording import Recording
    from tiltscreen.run.extract import filter_landmarks
    from tiltscreen.sources import open_source

    th = load_thresholds(thresholds)
    with open_source(video, max_side=max_side) as source:
        step = round((source.info.fps or PROBE_FPS) / PROBE_FPS)
        raw, report = extract_landmarks(
            _Every(source, step), options=PoseOptions(model_path=model, follow_poses=1)
        )
    if raw.n_frames == 0:
        raise EmptyVideoError(f"The video {video} holds no frame.")
    lm = filter_landmarks(raw, ExtractOptions(input=video)) if raw.n_frames > 1 else raw
    rec = Recording(raw, lm, {}, [], report.person_fraction, report.interrupted)
    seconds = {p: posture_seconds(rec, p, th) for p in ("standing", "sit-and-reach")}
    need = th.evidence["min_posture_s"].value
    return choose(seconds["standing"], seconds["sit-and-reach"], need_s=need, frames=raw.n_frames)
