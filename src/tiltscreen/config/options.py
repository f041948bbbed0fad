"""Options parsed once at the edge and passed down as frozen values.

:class:`ExtractOptions` is the one description of how a recording becomes landmarks (source,
model, subject, filters); ``tiltscreen landmarks``, ``analyze``, ``screen``, the live app and the
batch runner all build one and hand it to :func:`tiltscreen.run.extract.read_pose`. Its defaults
are written here only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tiltscreen.errors import ValidationError

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


#: the landmark filters ``ExtractOptions.filter`` may name
FILTERS = ("auto", "butterworth", "one-euro", "none")


@dataclass(frozen=True)
class ExtractOptions:
    """How a recording becomes one subject's filtered landmarks.

    Attributes
    ----------
    input : str
        Video path, image folder, camera index or stream URL.
    model : Path or None
        Pose model bundle; None: the verified packaged download (``tiltscreen models fetch``).
    max_side : int or None
        Frames are scaled so their longer side is at most this many pixels (None: full size).
    max_people : int
        Poses MediaPipe may return when the tracker asks for several people.
    follow_poses : int or None
        Poses asked for while the tracker follows one subject alone (None: ``max_people``).
    subject : SubjectRule
        How the subject is picked on the first frame with anyone in view.
    segmentation : bool
        Ask the model for the person mask (the outline measurements need it).
    min_visibility : float
        Landmarks below this visibility (or presence) are gated out before filtering, 0-1.
    max_gap_s : float
        Gaps up to this long are filled by interpolation, seconds.
    filter : str
        One of :data:`FILTERS`; ``auto``: zero-phase Butterworth for recordings, causal One-Euro live.
    cutoff_hz : float
        Butterworth cut-off, Hz (6 Hz: human movement below it, landmark jitter above).
    duration_s : float or None
        Live sources stop after this long (None: until the source ends or Ctrl-C).

    """

    input: str
    model: Path | None = None
    max_side: int | None = 960
    max_people: int = 2
    follow_poses: int | None = 1
    subject: SubjectRule = field(default_factory=SubjectRule)
    segmentation: bool = False
    min_visibility: float = 0.5
    max_gap_s: float = 0.33
    filter: str = "auto"
    cutoff_hz: float = 6.0
    duration_s: float | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.filter not in FILTERS:
            problems.append(f"filter must be one of {FILTERS}, got {self.filter!r}")
        if self.max_side is not None and self.max_side < 64:
            problems.append(f"max_side must be at least 64 pixels, got {self.max_side}")
        if self.max_people < 1 or (self.follow_poses is not None and self.follow_poses < 1):
            problems.append("max_people and follow_poses must be at least 1")
        if not 0.0 <= self.min_visibility <= 1.0:
            problems.append(f"min_visibility must lie in 0-1, got {self.min_visibility}")
        if not (self.max_gap_s >= 0 and self.cutoff_hz > 0):
            problems.append("max_gap_s must be >= 0 and cutoff_hz > 0")
        if problems:
            raise ValidationError("Extraction options: " + "; ".join(problems) + ".")


#: the defaults, for callers that only need one of them
DEFAULTS = ExtractOptions(input="")
