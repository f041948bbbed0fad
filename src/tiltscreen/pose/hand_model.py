"""MediaPipe's HandLandmarker, isolated: the one place tiltscreen calls the hand model.

:class:`HandModel` takes an RGB image (a crop around a wrist, see :mod:`tiltscreen.pose.hands`)
and returns the hands MediaPipe finds in it as :class:`RawHand` (landmarks normalised to that
image). IMAGE mode: each crop is placed afresh from the pose, so MediaPipe's own tracking
between frames (VIDEO mode) would follow a window that moves under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tiltscreen.errors import ModelError
from tiltscreen.pose.estimator import quiet_native_stderr


@dataclass(frozen=True)
class HandOptions:
    """Options of the hand fingertip detector (parsed once at the edge).

    Attributes
    ----------
    model_path : Path
        The ``hand_landmarker.task`` bundle.
    crop_px : int
        Side of the resampled crop given to the model (pixels).
    margin : float
        Crop side over the estimated hand length (see :func:`~tiltscreen.pose.hand_geometry.hand_crop`).
    merge_within : float
        The two wrists share one crop when their crop centres are closer than this fraction
        of the larger crop side (one model call instead of two).
    min_detection_confidence, min_presence_confidence : float
        MediaPipe's palm-detection and hand-presence thresholds (0–1).
    max_mismatch : float
        Largest :func:`~tiltscreen.pose.hand_geometry.hand_mismatch` (palm lengths) for a
        detected hand to be given to an arm.

    """

    model_path: Path
    crop_px: int = 256
    margin: float = 2.2
    merge_within: float = 0.5
    min_detection_confidence: float = 0.3
    min_presence_confidence: float = 0.3
    max_mismatch: float = 1.5

    def as_params(self) -> dict[str, object]:
        """JSON-ready parameters for the provenance log."""
        return {
            "hand_model": Path(self.model_path).name,
            "hand_crop_px": self.crop_px,
            "hand_crop_margin": self.margin,
            "hand_merge_within": self.merge_within,
            "hand_min_detection_confidence": self.min_detection_confidence,
            "hand_min_presence_confidence": self.min_presence_confidence,
            "hand_max_mismatch": self.max_mismatch,
        }


@dataclass(frozen=True)
class RawHand:
    """One hand as the model returns it on a crop: landmarks normalised to the crop, MediaPipe's label."""

    landmarks: np.ndarray
    label: str
    score: float


class HandModel:
    """MediaPipe's HandLandmarker in IMAGE mode: the one place the hand model is called.

    Raises
    ------
    ModelError
        If the bundle is missing or cannot be loaded.

    """

    def __init__(self, options: HandOptions) -> None:
        from mediapipe.tasks.python import BaseOptions, vision

        if not Path(options.model_path).is_file():
            raise ModelError(
                f"Hand model {options.model_path} does not exist; run 'tiltscreen models fetch'."
            )
        settings = vision.HandLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(options.model_path)),
            running_mode=vision.RunningMode.IMAGE,
            num_hands=2,
            min_hand_detection_confidence=options.min_detection_confidence,
            min_hand_presence_confidence=options.min_presence_confidence,
        )
        try:
            with quiet_native_stderr():
                self._landmarker = vision.HandLandmarker.create_from_options(settings)
        except (RuntimeError, ValueError) as err:
            raise ModelError(f"The hand model {options.model_path} could not be loaded ({err}).") from err
        self._first = True

    def detect(self, rgb: np.ndarray) -> list[RawHand]:
        """Return the hands found in an RGB uint8 image (landmarks as fractions of its width/height)."""
        import mediapipe as mp

        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        if self._first:  # LiteRT logs set-up lines on the first inference
            self._first = False
            with quiet_native_stderr():
                result = self._landmarker.detect(image)
        else:
            result = self._landmarker.detect(image)
        return [
            RawHand(
                landmarks=np.array([(p.x, p.y) for p in lms], dtype=np.float64),
                label=cls[0].category_name if cls else "",
                score=float(cls[0].score) if cls else float("nan"),
            )
            for lms, cls in zip(result.hand_landmarks, result.handedness, strict=False)
        ]

    def close(self) -> None:
        """Release the native graph."""
        if self._landmarker is not None:
            with quiet_native_stderr():
                self._landmarker.close()
            self._landmarker = None

    def __enter__(self) -> HandModel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
