"""The 33 BlazePose landmarks as a small typed schema: names, edges, left/right pairs.

Array shapes used across tiltscreen: landmark arrays are ``(frame, landmark, coord)``
with ``landmark`` indexed as in :data:`BLAZEPOSE` (MediaPipe's order).

Examples
--------
>>> BLAZEPOSE.index("left_hip")
23
>>> BLAZEPOSE.mirror("left_hip")
'right_hip'
>>> len(BLAZEPOSE.names), len(BLAZEPOSE.edges)
(33, 35)

"""

from __future__ import annotations

from dataclasses import dataclass, field

from tiltscreen.errors import ValidationError

_NAMES = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_pinky",
    "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel",
    "right_heel", "left_foot_index", "right_foot_index",
)  # fmt: skip

_EDGES = (
    ("nose", "left_eye_inner"), ("left_eye_inner", "left_eye"), ("left_eye", "left_eye_outer"),
    ("left_eye_outer", "left_ear"), ("nose", "right_eye_inner"), ("right_eye_inner", "right_eye"),
    ("right_eye", "right_eye_outer"), ("right_eye_outer", "right_ear"), ("mouth_left", "mouth_right"),
    ("left_shoulder", "right_shoulder"), ("left_shoulder", "left_elbow"), ("left_elbow", "left_wrist"),
    ("left_wrist", "left_pinky"), ("left_wrist", "left_index"), ("left_wrist", "left_thumb"),
    ("left_pinky", "left_index"), ("right_shoulder", "right_elbow"), ("right_elbow", "right_wrist"),
    ("right_wrist", "right_pinky"), ("right_wrist", "right_index"), ("right_wrist", "right_thumb"),
    ("right_pinky", "right_index"), ("left_shoulder", "left_hip"), ("right_shoulder", "right_hip"),
    ("left_hip", "right_hip"), ("left_hip", "left_knee"), ("left_knee", "left_ankle"),
    ("left_ankle", "left_heel"), ("left_heel", "left_foot_index"), ("left_ankle", "left_foot_index"),
    ("right_hip", "right_knee"), ("right_knee", "right_ankle"), ("right_ankle", "right_heel"),
    ("right_heel", "right_foot_index"), ("right_ankle", "right_foot_index"),
)  # fmt: skip


@dataclass(frozen=True)
class Skeleton:
    """Landmark names, drawing edges and left/right pairs of a pose model.

    Attributes
    ----------
    names : tuple of str
        Landmark names in the model's output order.
    edges : tuple of (str, str)
        Segments to draw.

    """

    names: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(set(self.names)) != len(self.names):
            raise ValidationError("Skeleton landmark names must be unique.")
        object.__setattr__(self, "_index", {n: i for i, n in enumerate(self.names)})
        unknown = {n for edge in self.edges for n in edge} - set(self.names)
        if unknown:
            raise ValidationError(f"Skeleton edges name unknown landmarks: {sorted(unknown)!r}.")

    def index(self, name: str) -> int:
        """Return the position of landmark ``name``; raise ``ValidationError`` if unknown."""
        try:
            return self._index[name]
        except KeyError:
            raise ValidationError(f"Unknown landmark {name!r}.") from None

    @property
    def edge_indices(self) -> tuple[tuple[int, int], ...]:
        """Edges as index pairs."""
        return tuple((self.index(a), self.index(b)) for a, b in self.edges)

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """``(left, right)`` name pairs, e.g. ``("left_hip", "right_hip")``."""
        return tuple((n, "right_" + n[5:]) for n in self.names if n.startswith("left_"))

    def mirror(self, name: str) -> str:
        """Return the landmark on the other side of the body (itself if central)."""
        self.index(name)
        for left, right in self.pairs:
            if name == left:
                return right
            if name == right:
                return left
        return name

    def side(self, side: str, part: str) -> str:
        """Name of ``part`` (e.g. ``"hip"``) on ``side`` (``"left"``/``"right"``)."""
        if side not in ("left", "right"):
            raise ValidationError(f"side must be 'left' or 'right', got {side!r}.")
        name = f"{side}_{part}"
        self.index(name)
        return name


#: MediaPipe BlazePose's 33 landmarks
BLAZEPOSE = Skeleton(names=_NAMES, edges=_EDGES)
