"""The pose landmarkers the subject tracker switches between, one call per frame as a rule.

Asking MediaPipe for two poses costs about 1.7 times one pose (it runs its person
detector on every frame to look for the second person, and the landmark model once per
person), so :class:`PoseEngines` keeps three landmarkers in VIDEO mode and runs the one
the tracker's :class:`~tiltscreen.pose.subject.Plan` names:

- ``one``: the whole frame, ``follow_poses`` poses (the subject followed alone; one pose
  in ``tiltscreen landmarks``);
- ``many``: the whole frame, ``max_people`` poses (looking for everyone);
- ``follow``: one pose in a square crop around where the subject should be. In a crop the
  subject is larger for MediaPipe's person detector (which sees a 224 x 224 image), so a
  small, fast or upside-down subject is found where the whole frame misses it; the crop
  moves with the subject, so MediaPipe's own tracking from frame to frame keeps working in
  it. People known to be someone else are painted over in the crop first. When it keeps
  following someone else, the tracker asks for a fresh one;
- ``look``: ``max_people`` poses in a wider crop around the subject, in IMAGE mode (the
  person detector runs on every call): who else is near the subject.

Each is created on first use. A landmarker skipped for some frames resumes from the pose
it last tracked (or its detector, when that pose has gone), as after a dropped frame.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np

from tiltscreen.pose.estimator import Candidate, ImagePoseEstimator, PoseOptions, VideoPoseEstimator

#: a pixel window (x0, y0, x1, y1), end-exclusive
Window = tuple[int, int, int, int]


def crop_window(
    box: tuple[float, float, float, float], width: int, height: int, *, scale: float, min_side: int = 96
) -> Window:
    """Square pixel window around a normalised box, ``scale`` times its longer side, inside the image.

    The window slides back inside the image rather than being cut, and is never larger
    than the image's shorter side (so it stays square: MediaPipe sees it without
    letterboxing). ``min_side`` (px) keeps a tiny box from giving a window too small for
    the model.
    """
    cx, cy = (box[0] + box[2]) / 2 * width, (box[1] + box[3]) / 2 * height
    side = max(scale * max((box[2] - box[0]) * width, (box[3] - box[1]) * height), float(min_side))
    w = h = min(side, width, height)
    x0 = float(np.clip(cx - w / 2, 0, width - w))
    y0 = float(np.clip(cy - h / 2, 0, height - h))
    return int(round(x0)), int(round(y0)), int(round(x0 + w)), int(round(y0 + h))


def hide_people(crop: np.ndarray, window: Window, boxes, width: int, height: int) -> np.ndarray:
    """Copy of a crop with the given normalised boxes painted over in the crop's mean colour."""
    out = crop.copy()
    fill = crop.reshape(-1, crop.shape[-1]).mean(axis=0).astype(crop.dtype)
    for x0, y0, x1, y1 in boxes:
        a = int(np.floor(x0 * width)) - window[0], int(np.floor(y0 * height)) - window[1]
        b = int(np.ceil(x1 * width)) - window[0], int(np.ceil(y1 * height)) - window[1]
        out[max(a[1], 0) : max(b[1], 0), max(a[0], 0) : max(b[0], 0)] = fill
    return out


def _torso_inside(cand: Candidate) -> bool:
    """Whether a pose's torso centre (shoulders and hips) lies inside the image it was found in.

    MediaPipe sometimes returns a pose reaching out of a crop with nobody in it; its torso is
    then outside the crop.
    """
    centre = np.nanmean(cand.xyz[[11, 12, 23, 24], :2], axis=0)
    return bool(np.all((centre >= 0.0) & (centre <= 1.0)))


def to_image(cands: list[Candidate], window: Window, width: int, height: int) -> list[Candidate]:
    """Map candidates found in a crop back to normalised coordinates of the whole image.

    x, y are rescaled and shifted; MediaPipe's relative depth z is on the scale of x, so it
    is rescaled like x; world coordinates are unchanged. A segmentation mask is pasted into
    a zero mask of the whole image.
    """
    x0, y0, x1, y1 = window
    sx, sy = (x1 - x0) / width, (y1 - y0) / height
    out = []
    for c in cands:
        xyz = c.xyz.copy()
        xyz[:, 0] = xyz[:, 0] * sx + x0 / width
        xyz[:, 1] = xyz[:, 1] * sy + y0 / height
        xyz[:, 2] = xyz[:, 2] * sx
        mask = None
        if c.mask is not None:
            mask = np.zeros((height, width), np.float32)
            mask[y0:y1, x0:x1] = c.mask[: y1 - y0, : x1 - x0]
        out.append(Candidate(xyz=xyz, visibility=c.visibility, presence=c.presence, world=c.world, mask=mask))
    return out


class PoseEngines:
    """Up to three VIDEO-mode landmarkers (one pose, ``max_people`` poses, window), created on first use.

    Parameters
    ----------
    options : PoseOptions
        ``max_people`` is the number of poses of the ``many`` landmarker; when
        ``follow_poses`` is not smaller, the ``one`` landmarker is the ``many`` one (one
        MediaPipe graph asked for ``max_people`` poses on every whole frame).

    Attributes
    ----------
    calls : Counter
        Inference calls per landmarker (``one``, ``many``, ``window``), for the provenance.

    """

    def __init__(self, options: PoseOptions) -> None:
        self.options = options
        self.calls: Counter[str] = Counter()
        self._engines: dict[str, VideoPoseEstimator | ImagePoseEstimator] = {}
        self._engine("many")  # the first frames look for everyone; a bad model fails here, before any frame

    def _engine(self, name: str):
        follow = self.options.max_people if self.options.follow_poses is None else self.options.follow_poses
        if name in ("one", "many") and follow >= self.options.max_people:
            name = "many"  # following with as many poses as a look: one landmarker for both
        if name not in self._engines:
            people = self.options.max_people if name in ("many", "look") else 1
            kind = ImagePoseEstimator if name == "look" else VideoPoseEstimator
            self._engines[name] = kind(replace(self.options, max_people=people))
        return self._engines[name]

    def frame(self, rgb: np.ndarray, timestamp_s: float, *, poses: int) -> list[Candidate]:
        """People on the whole frame, with one pose or with ``max_people``."""
        name = "one" if poses <= 1 else "many"
        self.calls[name] += 1
        return self._engine(name).detect(rgb, timestamp_s)

    def window(self, rgb: np.ndarray, timestamp_s: float, plan) -> list[Candidate]:
        """People in the square crop a plan names (see :func:`crop_window`), in whole-image coordinates.

        A look (``plan.look``) runs the ``look`` landmarker, anything else the ``follow``
        one (anew when ``plan.fresh``). ``plan.hide`` boxes are painted over first.
        """
        height, width = rgb.shape[:2]
        win = crop_window(plan.window, width, height, scale=plan.scale)
        crop = rgb[win[1] : win[3], win[0] : win[2]]
        if plan.hide:
            crop = hide_people(crop, win, plan.hide, width, height)
        name = "look" if plan.look else "follow"
        if plan.fresh and name in self._engines:
            self._engines.pop(name).close()
            self.calls["follow_fresh"] += 1
        self.calls[name] += 1
        engine = self._engine(name)
        found = engine.detect(crop) if plan.look else engine.detect(crop, timestamp_s)
        return to_image([c for c in found if _torso_inside(c)], win, width, height)

    def close(self) -> None:
        """Release every landmarker."""
        for engine in self._engines.values():
            engine.close()
        self._engines.clear()

    def __enter__(self) -> PoseEngines:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
