"""What a person's clothes look like: a colour histogram of the torso, to tell people apart.

The subject tracker keeps a slowly updated histogram of the subject's torso and refuses
a pose whose torso colours are far from it (for instance MediaPipe's single pose sliding
from the subject onto someone standing behind them). Colours change with light, so the
histogram is only used against recent views of the same person (see
:class:`tiltscreen.pose.subject.SubjectTracker`).
"""

from __future__ import annotations

import cv2
import numpy as np

#: BlazePose indices of the torso corners: left shoulder, right shoulder, right hip, left hip
TORSO = (11, 12, 24, 23)


def torso_histogram(
    rgb: np.ndarray,
    xy: np.ndarray,
    *,
    bins: tuple[int, int] = (12, 4),
    shrink: float = 0.8,
    min_pixels: int = 30,
) -> np.ndarray | None:
    """Hue-saturation histogram of the torso quadrilateral (shoulders and hips).

    Parameters
    ----------
    rgb : ndarray of uint8, shape (H, W, 3)
        The frame the pose was found in.
    xy : ndarray, shape (33, 2)
        The pose's landmarks in normalised image coordinates (fractions of width and height).
    bins : (int, int)
        Hue bins (over OpenCV's 0-180) and saturation bins (over 0-256). Brightness is left
        out so that a shadow does not change the colours much.
    shrink : float
        The quadrilateral is shrunk towards its centre by this factor, so that background
        at the torso's edges stays out.
    min_pixels : int
        Fewer pixels than this inside the quadrilateral give ``None``.

    Returns
    -------
    ndarray of float64, shape (bins[0] * bins[1],) or None
        Normalised to sum 1; ``None`` when a torso corner is missing (NaN) or the torso is
        too small, too thin or outside the image.

    """
    quad = np.asarray(xy, dtype=np.float64)[list(TORSO)] * [rgb.shape[1], rgb.shape[0]]
    if not np.isfinite(quad).all():
        return None
    centre = quad.mean(axis=0)
    quad = centre + shrink * (quad - centre)
    x0, y0 = np.maximum(np.floor(quad.min(axis=0)).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(quad.max(axis=0)).astype(int) + 1, [rgb.shape[1], rgb.shape[0]])
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    patch = rgb[y0:y1, x0:x1]
    mask = np.zeros(patch.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, np.round(quad - [x0, y0]).astype(np.int32), 1)
    if int(mask.sum()) < min_pixels:
        return None
    hsv = cv2.cvtColor(np.ascontiguousarray(patch), cv2.COLOR_RGB2HSV)
    hist = cv2.calcHist([hsv], [0, 1], mask, list(bins), [0, 180, 0, 256]).ravel().astype(np.float64)
    return hist / hist.sum()


def histogram_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Hellinger distance between two normalised histograms: 0 = identical, 1 = no common bin.

    ``sqrt(1 - sum(sqrt(a * b)))`` (the form OpenCV calls Bhattacharyya), clipped at 0
    against rounding.
    """
    return float(np.sqrt(max(0.0, 1.0 - float(np.sum(np.sqrt(a * b))))))
