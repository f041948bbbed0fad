"""Is the subject really inside the image? The segmentation mask at the image border.

MediaPipe places a landmark it cannot see (hidden behind the body, or outside the image)
where its model expects it, sometimes outside the image. An occluded hand or foot of a
subject fully in view is therefore no evidence of a subject leaving the frame. The
evidence is the subject's own segmentation mask reaching the image border next to a body
part the analysis needs, or a landmark that MediaPipe reports as visible lying outside.

:func:`border_contacts` measures where the mask touches each border in one frame (the frame
hook :class:`~tiltscreen.protocols.sit_and_reach.recorder.SitReachRecorder` keeps it per
frame); :func:`out_of_frame` judges the frames from that and the landmarks.
"""

from __future__ import annotations

import numpy as np

#: border order of the contact arrays
BORDERS = ("left", "right", "top", "bottom")


def border_contacts(mask: np.ndarray, *, threshold: float = 0.5, band_px: int = 2) -> np.ndarray:
    """Where the subject's mask touches each image border.

    Parameters
    ----------
    mask : ndarray, shape (H, W)
        Segmentation probability (0-1).
    threshold : float
        Probability above which a pixel is the subject.
    band_px : int
        Width of the border band examined (px), so a mask that stops one pixel short of the
        edge (anti-aliasing) still counts.

    Returns
    -------
    ndarray, shape (4, 2)
        Per border (:data:`BORDERS` order), the first and last position along it
        (normalised 0-1: y for left/right, x for top/bottom) of subject pixels in the band;
        NaN when the mask does not reach that border.

    """
    h, w = mask.shape
    on = mask > threshold
    bands = (on[:, :band_px].any(axis=1), on[:, w - band_px :].any(axis=1),
             on[:band_px, :].any(axis=0), on[h - band_px :, :].any(axis=0))  # fmt: skip
    out = np.full((4, 2), np.nan)
    for k, hit in enumerate(bands):
        idx = np.flatnonzero(hit)
        if idx.size:
            out[k] = [(idx[0] + 0.5) / hit.size, (idx[-1] + 0.5) / hit.size]
    return out


def out_of_frame(
    points: np.ndarray,
    visibility: np.ndarray,
    contacts: np.ndarray | None,
    *,
    min_visibility: float = 0.5,
    radius: float = 0.08,
) -> np.ndarray:
    """Per frame, True when a needed body part has left the image.

    Parameters
    ----------
    points : ndarray, shape (n_frames, n_points, 2)
        Normalised (x, y) of the landmarks the analysis needs (NaN allowed).
    visibility : ndarray, shape (n_frames, n_points)
        MediaPipe visibility of those landmarks (NaN = unknown).
    contacts : ndarray, shape (n_frames, 4, 2), or None
        :func:`border_contacts` per frame; None when no mask was recorded (then only the
        visible-landmark rule applies).
    min_visibility : float
        A landmark at least this visible and outside the image is out of frame.
    radius : float
        A mask contact with a border counts for a landmark whose position (clamped into the
        image) lies within this distance of the contact span (normalised units).

    Returns
    -------
    ndarray of bool, shape (n_frames,)

    Notes
    -----
    Rule 1: a needed landmark reported visible (``visibility >= min_visibility``) lies
    outside ``[0, 1]``. Rule 2: the mask reaches a border within ``radius`` of where a
    needed landmark is (its position clamped to the image: a part cut by the border has its
    landmark at or beyond it). A landmark that is merely occluded and extrapolated outside
    the image, with the mask clear of the border, is not out of frame.

    """
    pts = np.asarray(points, float)
    vis = np.nan_to_num(np.asarray(visibility, float), nan=0.0)
    outside = ((pts < 0) | (pts > 1)).any(axis=2)
    result = (outside & (vis >= min_visibility)).any(axis=1)
    if contacts is None:
        return result
    clamped = np.clip(pts, 0.0, 1.0)
    for k in range(4):
        span = contacts[:, k, :]
        along = clamped[:, :, 1] if k < 2 else clamped[:, :, 0]
        across = clamped[:, :, 0] if k < 2 else clamped[:, :, 1]
        edge = 0.0 if k in (0, 2) else 1.0
        near_edge = np.abs(across - edge) <= radius
        lo, hi = span[:, :1] - radius, span[:, 1:] + radius
        with np.errstate(invalid="ignore"):
            touching = near_edge & (along >= lo) & (along <= hi)
        result |= touching.any(axis=1)
    return result
