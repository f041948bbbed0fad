"""MediaPipe PoseLandmarker wrapped for tiltscreen: VIDEO mode for files, LIVE_STREAM for cameras.

VIDEO mode keeps tracking between frames (measured on the multi-person demo clip:
IMAGE mode found a person in 137 frames, VIDEO mode in 221), so recorded video is
always processed in VIDEO mode with strictly increasing millisecond timestamps.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from tiltscreen.errors import ModelError


@dataclass(frozen=True)
class PoseOptions:
    """Options of the pose estimator (parsed once at the edge, then passed down).

    Attributes
    ----------
    model_path : Path
        The ``.task`` bundle.
    max_people : int
        Poses MediaPipe may return per frame; the subject is chosen among them.
    min_detection_confidence, min_presence_confidence, min_tracking_confidence : float
        MediaPipe's thresholds (0–1).
    segmentation : bool
        Also return the subject's segmentation mask (needed by outline-based protocols).
    follow_poses : int or None
        Poses asked for while the subject tracker follows the subject alone on the whole
        frame (:mod:`tiltscreen.pose.engines`); None = ``max_people``. With fewer poses than
        ``max_people``, MediaPipe runs its person detector only when it loses the subject
        (about 1.6 times faster on the Sports2D demo); with ``max_people`` it runs it on every
        frame, which also renews its crop of the subject, so the landmarks differ slightly.

    """

    model_path: Path
    max_people: int = 2
    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    segmentation: bool = False
    follow_poses: int | None = None

    def as_params(self) -> dict[str, object]:
        """JSON-ready parameters for the provenance log."""
        return {
            "model": self.model_path.name,
            "max_people": self.max_people,
            "min_detection_confidence": self.min_detection_confidence,
            "min_presence_confidence": self.min_presence_confidence,
            "min_tracking_confidence": self.min_tracking_confidence,
            "segmentation": self.segmentation,
            "follow_poses": self.max_people if self.follow_poses is None else self.follow_poses,
        }


@dataclass(frozen=True)
class Candidate:
    """One person MediaPipe found in one frame.

    Attributes
    ----------
    xyz : ndarray, shape (33, 3)
        Normalised x, y (fractions of width/height) and relative depth z.
    visibility, presence : ndarray, shape (33,)
    world : ndarray, shape (33, 3)
        Metres, origin between the hips.
    mask : ndarray of float32, shape (H, W), or None
        Segmentation probability at inference resolution, if requested.

    """

    xyz: np.ndarray
    visibility: np.ndarray
    presence: np.ndarray
    world: np.ndarray
    mask: np.ndarray | None = None

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """``(x0, y0, x1, y1)`` normalised box around the landmarks in the image."""
        xy = self.xyz[:, :2]
        inside = self.presence > 0.5
        pts = xy[inside] if inside.sum() >= 4 else xy
        return (
            float(pts[:, 0].min()),
            float(pts[:, 1].min()),
            float(pts[:, 0].max()),
            float(pts[:, 1].max()),
        )


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[TextIO]:
    """Silence native log lines (LiteRT, absl) written straight to file descriptor 2.

    Yields a text stream on the real standard error, for the caller's own progress and
    messages. What native code wrote is shown again if the block raises, so real errors
    are not lost. Blocks nest.
    """
    sys.stderr.flush()
    with tempfile.TemporaryFile() as sink:
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        user = os.fdopen(os.dup(saved), "w", buffering=1, encoding="utf-8", errors="replace")
        try:
            yield user
        except Exception:
            sys.stderr.flush()
            os.dup2(saved, 2)
            sink.seek(0)
            os.write(2, sink.read()[-4000:])
            raise
        finally:
            user.close()
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def _to_candidates(result, *, with_mask: bool) -> list[Candidate]:
    """Convert a ``PoseLandmarkerResult`` into :class:`Candidate` objects."""
    out = []
    masks = result.segmentation_masks or []
    for k, pose in enumerate(result.pose_landmarks):
        arr = np.array(
            [(p.x, p.y, p.z, p.visibility or 0.0, p.presence or 0.0) for p in pose], dtype=np.float64
        )
        world = np.full((len(pose), 3), np.nan)
        if k < len(result.pose_world_landmarks):
            world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks[k]], dtype=np.float64)
        mask = None
        if with_mask and k < len(masks):
            mask = np.array(masks[k].numpy_view(), dtype=np.float32, copy=True).squeeze()
        out.append(
            Candidate(xyz=arr[:, :3], visibility=arr[:, 3], presence=arr[:, 4], world=world, mask=mask)
        )
    return out


def _base_options(options: PoseOptions, running_mode, callback=None):
    """Build MediaPipe's PoseLandmarkerOptions (imported lazily)."""
    from mediapipe.tasks.python import BaseOptions, vision

    if not Path(options.model_path).is_file():
        raise ModelError(f"Model file {options.model_path} does not exist; run 'tiltscreen models fetch'.")
    kwargs = {"result_callback": callback} if callback is not None else {}
    return vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(options.model_path)),
        running_mode=running_mode,
        num_poses=options.max_people,
        min_pose_detection_confidence=options.min_detection_confidence,
        min_pose_presence_confidence=options.min_presence_confidence,
        min_tracking_confidence=options.min_tracking_confidence,
        output_segmentation_masks=options.segmentation,
        **kwargs,
    )


class _TimestampClock:
    """Turns seconds into the strictly increasing integer milliseconds MediaPipe requires."""

    def __init__(self) -> None:
        self._last = -1

    def __call__(self, t_s: float) -> int:
        ms = max(int(round(t_s * 1000.0)), self._last + 1)
        self._last = ms
        return ms


class _Estimator:
    """Shared life cycle: create the native landmarker quietly, close it quietly."""

    def __init__(self, options: PoseOptions, mode: str, callback=None) -> None:
        from mediapipe.tasks.python import vision

        self.options = options
        self._clock = _TimestampClock()
        try:
            with quiet_native_stderr():
                self._landmarker = vision.PoseLandmarker.create_from_options(
                    _base_options(options, getattr(vision.RunningMode, mode), callback=callback)
                )
        except (RuntimeError, ValueError) as err:
            raise ModelError(f"The pose model {options.model_path} could not be loaded ({err}).") from err

    def close(self) -> None:
        """Release the native graph (flushing pending live results)."""
        if self._landmarker is not None:
            with quiet_native_stderr():
                self._landmarker.close()
            self._landmarker = None

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class VideoPoseEstimator(_Estimator):
    """PoseLandmarker in VIDEO mode: one synchronous call per frame, in time order."""

    def __init__(self, options: PoseOptions) -> None:
        super().__init__(options, "VIDEO")
        self._first_call = True

    def detect(self, rgb: np.ndarray, timestamp_s: float) -> list[Candidate]:
        """Return the people found in one RGB frame (uint8, HxWx3)."""
        import mediapipe as mp

        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        if self._first_call:  # LiteRT logs buffer and projection warnings on the first inference
            self._first_call = False
            with quiet_native_stderr():
                result = self._landmarker.detect_for_video(image, self._clock(timestamp_s))
        else:
            result = self._landmarker.detect_for_video(image, self._clock(timestamp_s))
        return _to_candidates(result, with_mask=self.options.segmentation)


class ImagePoseEstimator(_Estimator):
    """PoseLandmarker in IMAGE mode: every call runs the person detector afresh (no tracking state).

    Used for searches in a crop, where the person to find may not be the one a VIDEO-mode
    landmarker would keep tracking.
    """

    def __init__(self, options: PoseOptions) -> None:
        super().__init__(options, "IMAGE")
        self._first_call = True

    def detect(self, rgb: np.ndarray) -> list[Candidate]:
        """Return the people found in one RGB image (uint8, HxWx3)."""
        import mediapipe as mp

        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        if self._first_call:
            self._first_call = False
            with quiet_native_stderr():
                result = self._landmarker.detect(image)
        else:
            result = self._landmarker.detect(image)
        return _to_candidates(result, with_mask=self.options.segmentation)


class LivePoseEstimator(_Estimator):
    """PoseLandmarker in LIVE_STREAM mode for cameras: frames in, newest results out.

    MediaPipe drops frames it has no time for; :meth:`submit` never blocks on inference.
    Results arrive on MediaPipe's thread and are handed over under a lock.
    """

    def __init__(self, options: PoseOptions) -> None:
        self._lock = threading.Lock()
        self._results: list[tuple[int, list[Candidate]]] = []
        super().__init__(options, "LIVE_STREAM", callback=self._on_result)

    def _on_result(self, result, _image, timestamp_ms: int) -> None:
        cands = _to_candidates(result, with_mask=self.options.segmentation)
        with self._lock:
            self._results.append((timestamp_ms, cands))

    def submit(self, rgb: np.ndarray, timestamp_s: float) -> int:
        """Hand a frame to MediaPipe (asynchronous); return the millisecond key its result will carry."""
        import mediapipe as mp

        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        ms = self._clock(timestamp_s)
        self._landmarker.detect_async(image, ms)
        return ms

    def collect(self) -> list[tuple[int, list[Candidate]]]:
        """Results that arrived since the last call, as ``(timestamp_ms, candidates)``."""
        with self._lock:
            out, self._results = self._results, []
        return out
