"""One validated container for a recording's landmarks, with units and provenance.

Every loader (live camera, video file, saved table) builds a :class:`Landmarks`;
every processing step takes one and returns a new one with the step appended to
its provenance log (see :meth:`Landmarks.with_step`).

Axes and units
--------------
``frame``
    one row per processed frame, in time order; ``timestamps_s`` in seconds from
    the container (variable frame rate is kept as it is).
``landmark``
    the 33 BlazePose landmarks in :data:`tiltscreen.skeleton.BLAZEPOSE` order.
``coord``
    ``xyz``: x and y normalised to the upright image width and height (0 = left /
    top edge, 1 = right / bottom edge; y grows downwards), z MediaPipe's relative
    depth (same scale as x, smaller = nearer the camera, origin at the hips).
    ``world``: metres, MediaPipe's world landmarks (origin between the hips).
    ``xy_px`` (derived): pixels of the upright, full-resolution image.

Missing data are NaN (a frame with no subject has NaN everywhere and
``detected == False``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tiltscreen.errors import ValidationError
from tiltscreen.skeleton import BLAZEPOSE, Skeleton

UNITS = {
    "timestamps_s": "s",
    "xyz": "x: fraction of image width, y: fraction of image height, z: relative depth (x scale)",
    "xy_px": "px (upright, full-resolution image)",
    "world": "m",
    "visibility": "probability 0-1 that the landmark is visible (not occluded)",
    "presence": "probability 0-1 that the landmark is in the image",
}


@dataclass(frozen=True)
class Step:
    """One processing step: its name and the parameters it ran with."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"step": self.name, "params": dict(self.params)}


def _check_array(problems: list[str], name: str, arr: np.ndarray, shape: tuple[int | None, ...]) -> None:
    """Append a message to ``problems`` if ``arr`` does not match ``shape`` (None = any)."""
    if arr.ndim != len(shape) or any(
        s is not None and s != a for s, a in zip(shape, arr.shape, strict=False)
    ):
        want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
        problems.append(f"{name} has shape {arr.shape}, expected {want}")


@dataclass(frozen=True, eq=False)
class Landmarks:
    """Landmarks of one subject over one recording.

    Attributes
    ----------
    xyz : ndarray, shape (frame, 33, 3)
        Normalised image coordinates and relative depth (see module notes).
    visibility, presence : ndarray, shape (frame, 33)
        MediaPipe's per-landmark probabilities; NaN where not detected.
    world : ndarray, shape (frame, 33, 3)
        World landmarks in metres; all NaN unless requested.
    timestamps_s : ndarray, shape (frame,)
        Strictly increasing times in seconds.
    frame_index : ndarray of int, shape (frame,)
        Index of each row's frame in the source's decode order.
    image_size : (int, int)
        Upright full-resolution ``(width, height)`` in pixels.
    fps : float or None
        Nominal frame rate of the source.
    rotation_deg : int
        Rotation metadata applied to make frames upright.
    source : dict
        ``kind``, ``uri`` and any other facts about the input.
    model_sha256 : str or None
        SHA-256 of the pose model bundle that produced the data.
    provenance : tuple of Step
        Every step from the source to this object, in order.
    skeleton : Skeleton
        Landmark schema (BlazePose by default).

    """

    xyz: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world: np.ndarray
    timestamps_s: np.ndarray
    frame_index: np.ndarray
    image_size: tuple[int, int]
    fps: float | None = None
    rotation_deg: int = 0
    source: Mapping[str, Any] = field(default_factory=dict)
    model_sha256: str | None = None
    provenance: tuple[Step, ...] = ()
    skeleton: Skeleton = BLAZEPOSE

    def __post_init__(self) -> None:
        for name in ("xyz", "visibility", "presence", "world", "timestamps_s"):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=np.float64))
        object.__setattr__(self, "frame_index", np.asarray(self.frame_index, dtype=np.int64))
        object.__setattr__(self, "image_size", (int(self.image_size[0]), int(self.image_size[1])))
        problems = self._problems()
        if problems:
            raise ValidationError("Invalid landmarks: " + "; ".join(problems) + ".")

    def _problems(self) -> list[str]:
        n, k = len(self.timestamps_s), len(self.skeleton.names)
        problems: list[str] = []
        _check_array(problems, "xyz", self.xyz, (n, k, 3))
        _check_array(problems, "world", self.world, (n, k, 3))
        _check_array(problems, "visibility", self.visibility, (n, k))
        _check_array(problems, "presence", self.presence, (n, k))
        _check_array(problems, "timestamps_s", self.timestamps_s, (n,))
        _check_array(problems, "frame_index", self.frame_index, (n,))
        if n > 1 and not np.all(np.diff(self.timestamps_s) > 0):
            problems.append("timestamps_s must be strictly increasing")
        if not np.all(np.isfinite(self.timestamps_s)):
            problems.append("timestamps_s must be finite")
        if min(self.image_size) <= 0:
            problems.append(f"image_size must be positive, got {self.image_size}")
        if self.rotation_deg not in (0, 90, 180, 270):
            problems.append(f"rotation_deg must be 0, 90, 180 or 270, got {self.rotation_deg!r}")
        if self.fps is not None and not self.fps > 0:
            problems.append(f"fps must be positive or None, got {self.fps!r}")
        return problems

    # --- derived views -------------------------------------------------------------------------
    @property
    def n_frames(self) -> int:
        """Number of rows (processed frames)."""
        return len(self.timestamps_s)

    @property
    def detected(self) -> np.ndarray:
        """Boolean ``(frame,)``: the subject has at least one finite landmark."""
        return np.isfinite(self.xyz[..., 0]).any(axis=1)

    @property
    def xy_px(self) -> np.ndarray:
        """``(frame, 33, 2)`` image coordinates in pixels of the upright full-size image."""
        w, h = self.image_size
        return self.xyz[..., :2] * np.array([w, h], dtype=np.float64)

    @property
    def effective_fps(self) -> float:
        """Frame rate implied by the timestamps (median interval), else ``fps``."""
        if self.n_frames > 1:
            return float(1.0 / np.median(np.diff(self.timestamps_s)))
        if self.fps is None:
            raise ValidationError("The frame rate is unknown for a single-frame recording.")
        return float(self.fps)

    def point(self, name: str, *, space: str = "px") -> np.ndarray:
        """Trajectory of one landmark: ``(frame, 2)`` px, or ``(frame, 3)`` for ``"norm"``/``"world"``."""
        k = self.skeleton.index(name)
        arrays = {"px": self.xy_px, "norm": self.xyz, "world": self.world}
        if space not in arrays:
            raise ValidationError(f"space must be one of {sorted(arrays)}, got {space!r}.")
        return arrays[space][:, k]

    # --- new objects ---------------------------------------------------------------------------
    def with_step(self, name: str, params: Mapping[str, Any] | None = None, **changes: Any) -> Landmarks:
        """Return a copy with ``changes`` applied and the step appended to the provenance log."""
        step = Step(name=name, params=dict(params or {}))
        return dataclasses.replace(self, provenance=(*self.provenance, step), **changes)

    def select(self, rows: np.ndarray | slice) -> Landmarks:
        """Return the rows ``rows`` (a boolean mask, indices or a slice), recorded as a step."""
        idx = np.arange(self.n_frames)[rows]
        return self.with_step(
            "select_frames",
            {"n_kept": int(idx.size), "first": int(idx[0]) if idx.size else None},
            xyz=self.xyz[idx],
            visibility=self.visibility[idx],
            presence=self.presence[idx],
            world=self.world[idx],
            timestamps_s=self.timestamps_s[idx],
            frame_index=self.frame_index[idx],
        )

    def metadata(self) -> dict[str, Any]:
        """Everything but the arrays, as plain JSON-ready data."""
        return {
            "n_frames": self.n_frames,
            "image_size": list(self.image_size),
            "fps": self.fps,
            "rotation_deg": self.rotation_deg,
            "source": dict(self.source),
            "model_sha256": self.model_sha256,
            "landmarks": list(self.skeleton.names),
            "provenance": [s.as_dict() for s in self.provenance],
            "units": dict(UNITS),
        }

    @classmethod
    def empty(cls, n_frames: int, **meta: Any) -> Landmarks:
        """All-NaN landmarks for ``n_frames`` rows; ``meta`` gives timestamps and the rest."""
        k = len(meta.get("skeleton", BLAZEPOSE).names)
        nan3 = np.full((n_frames, k, 3), np.nan)
        nan1 = np.full((n_frames, k), np.nan)
        meta.setdefault("frame_index", np.arange(n_frames))
        return cls(xyz=nan3, visibility=nan1, presence=nan1.copy(), world=nan3.copy(), **meta)
