"""A captured step analysed with the same code as ``tiltscreen analyze``; the key frame and its points.

The clip goes through :func:`tiltscreen.run.analyze.run_protocol` (the protocols' runner) into the
step's folder. The analysis's own key frame shows the face, so it is replaced by the app's key frame
(face blurred, detected points drawn); the raw clip is deleted unless video was turned on for the session.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from tiltscreen.app.overlay import annotate, blur_face
from tiltscreen.errors import TiltscreenError
from tiltscreen.kinematics.sticker_tilt import pair_tilt_deg
from tiltscreen.pose.estimator import ImagePoseEstimator, PoseOptions
from tiltscreen.pose.sticker_types import StickerSpec
from tiltscreen.pose.stickers import find_sticker_pair
from tiltscreen.protocols.recording import AnalyzeJob
from tiltscreen.run.analyze import run_protocol

KEY_FRAME = "key_frame_review.jpg"
#: the same frame with every detected point drawn (for the report)
KEY_FRAME_POINTS = "key_frame_points.jpg"
DRAGGABLE = ("asis", "psis")
JPEG = [cv2.IMWRITE_JPEG_QUALITY, 88]
FACE_IMAGES = ("key_frame.png",)


@dataclass(frozen=True)
class PatientFacts:
    """What the patient form gives the analyses (all optional)."""

    age: float | None = None
    sex: str | None = None
    stature_cm: float | None = None
    marker_size_cm: float | None = 10.0


@dataclass(frozen=True)
class KeyFrame:
    """The review frame: its time in the clip, the image path and the detected points (full-res px)."""

    time_s: float
    path: Path
    points: dict[str, list[float]]
    facing: int
    image_size: tuple[int, int]


def analyse_clip(
    clip: Path, out_dir: Path, protocol: str, side: str, facts: PatientFacts, model: Path
) -> dict[str, Any]:
    """Run the protocol's analysis on the clip into ``out_dir``; return its ``summary.json`` content."""
    job = AnalyzeJob(
        input=str(clip),
        out_dir=out_dir,
        model=model,
        subject_height_cm=facts.stature_cm,
        marker_size_cm=facts.marker_size_cm if protocol == "sit-and-reach" else None,
        age=facts.age,
        sex=facts.sex,
        side=side if side in ("left", "right") else "auto",
    )
    try:
        return run_protocol(protocol, job)
    except TiltscreenError as err:  # unreadable clip: the runner wrote a summary when it could
        path = out_dir / "summary.json"
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
        return {
            "protocol": protocol,
            "status": "unreadable",
            "reasons": [str(err)],
            "metrics": {},
            "flags": [],
        }


def key_time_s(summary: dict[str, Any]) -> float | None:
    """Time of the review frame: mid quiet window (standing), the best trial's maximum (sit-and-reach)."""
    qw = summary.get("quiet_window")
    if qw:
        return (float(qw["start_s"]) + float(qw["end_s"])) / 2.0
    best = summary.get("best_trial")
    for trial in summary.get("trials") or []:
        if best is None or trial.get("index") == best or trial.get("trial") == best:
            for key in ("max_reach_s",):
                if trial.get(key) is not None:
                    return float(trial[key])
    return None


def read_frame(clip: Path, t_s: float) -> np.ndarray | None:
    """Return the clip's frame nearest ``t_s`` (BGR), None when it cannot be read."""
    cap = cv2.VideoCapture(str(clip))
    try:
        cap.set(cv2.CAP_PROP_POS_MSEC, max(t_s, 0.0) * 1000.0)
        ok, bgr = cap.read()
        return bgr if ok else None
    finally:
        cap.release()


def facing_of(summary: dict[str, Any]) -> int:
    """+1 if the summary says the subject faces image-right, else -1."""
    return 1 if summary.get("facing") == "image-right" else -1


def make_key_frame(clip: Path, summary: dict[str, Any], out_dir: Path, model: Path) -> KeyFrame | None:
    """Write the face-blurred review frame with the detected points; None when no frame or no person."""
    t = key_time_s(summary)
    if t is None:
        t = 1.0
    bgr = read_frame(clip, t)
    if bgr is None:
        return None
    h, w = bgr.shape[:2]
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    with ImagePoseEstimator(PoseOptions(model_path=model, max_people=1)) as est:
        cands = est.detect(rgb)
    if not cands:  # nobody found: no face to locate, so no image is saved
        return None
    cand = cands[0]
    xy = cand.xyz[:, :2] * (w, h)
    points = _points(rgb, cand.xyz, summary)
    fixed = {k: v for k, v in points.items() if k not in DRAGGABLE}
    side = summary.get("side")
    path = out_dir / KEY_FRAME  # the review canvas draws the draggable points itself
    cv2.imwrite(str(path), annotate(bgr, xy, cand.visibility, side=side, labels=(), points=fixed), JPEG)
    marked = annotate(bgr, xy, cand.visibility, side=side, labels=(), points=points)
    cv2.imwrite(str(out_dir / KEY_FRAME_POINTS), marked, JPEG)
    return KeyFrame(t, path, points, facing_of(summary), (w, h))


def _points(rgb: np.ndarray, xyz: np.ndarray, summary: dict[str, Any]) -> dict[str, list[float]]:
    """Return the detected points of the review frame (full-resolution px).

    Standing: the ASIS/PSIS stickers found by the analysis's sticker search on this frame (these can
    be dragged). Sit-and-reach: the near-side fingertip and toe landmarks and the box marker's corners
    (shown for review only).
    """
    side = summary.get("side")
    if side not in ("left", "right"):
        return {}
    if summary.get("protocol") != "standing":
        return _sit_and_reach_points(rgb, xyz, side)
    search = find_sticker_pair(rgb, xyz, spec=StickerSpec(), side=side, facing=facing_of(summary))
    if search.pair is None:
        return {}
    return {"asis": [float(v) for v in search.pair.asis_px], "psis": [float(v) for v in search.pair.psis_px]}


def _sit_and_reach_points(rgb: np.ndarray, xyz: np.ndarray, side: str) -> dict[str, list[float]]:
    from tiltscreen.pose.markers import ArucoFinder
    from tiltscreen.skeleton import BLAZEPOSE

    h, w = rgb.shape[:2]
    out: dict[str, list[float]] = {}
    for name, landmark in (("fingertip", f"{side}_index"), ("toe", f"{side}_foot_index")):
        p = xyz[BLAZEPOSE.index(landmark), :2] * (w, h)
        if np.isfinite(p).all():
            out[name] = [float(p[0]), float(p[1])]
    for m in ArucoFinder().find(rgb)[:1]:
        for i, corner in enumerate(m.corners_px):
            out[f"marker_{i}"] = [float(corner[0]), float(corner[1])]
    return out


def blur_saved_faces(out_dir: Path, keep_analysis_key_frame: bool = False) -> None:
    """Remove the analysis's own key frame (it shows the face); the review frame replaces it."""
    for name in FACE_IMAGES:
        p = out_dir / name
        if p.exists() and not keep_analysis_key_frame:
            p.unlink()


def sticker_tilt(points: dict[str, list[float]], summary: dict[str, Any]) -> float | None:
    """Pelvic tilt (deg, anterior +) of one frame's ASIS/PSIS points with the analysis's camera roll.

    Uses :func:`tiltscreen.kinematics.sticker_tilt.pair_tilt_deg`, the function the standing analysis
    reads each frame's stickers with (before its median over the quiet window and parallax removal).
    """
    if "asis" not in points or "psis" not in points:
        return None
    roll = float((summary.get("camera") or {}).get("roll_deg") or 0.0)
    tilt = float(
        pair_tilt_deg(
            np.array(points["asis"]), np.array(points["psis"]), facing=facing_of(summary), roll_deg=roll
        )
    )
    return round(tilt, 2) if math.isfinite(tilt) else None


def corrected_tilt(
    original: dict[str, list[float]], corrected: dict[str, list[float]], summary: dict[str, Any]
) -> dict[str, Any]:
    """Recompute the tilt after the clinician moved a point.

    Returns the key frame's tilt from the detected points, from the corrected points, and the step's
    reported tilt shifted by their difference (the correction applied to the window's median).
    """
    before, after = sticker_tilt(original, summary), sticker_tilt(corrected, summary)
    reported = ((summary.get("metrics") or {}).get("pelvic_tilt_deg") or {}).get("value")
    if after is None:
        return {"key_frame_before_deg": before, "key_frame_after_deg": None, "corrected_deg": None}
    if reported is not None and before is not None:
        value = round(float(reported) + after - before, 2)
    else:
        value = after
    return {"key_frame_before_deg": before, "key_frame_after_deg": after, "corrected_deg": value}


def blur_image_file(path: Path, xy_px: np.ndarray) -> None:
    """Blur the face in an image file in place (for images saved outside the review frame)."""
    img = cv2.imread(str(path))
    if img is not None:
        cv2.imwrite(str(path), blur_face(img, xy_px))
