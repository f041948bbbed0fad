"""Ground truth of a rendered sit-and-reach clip, as the sit-and-reach benchmarks compare it (pure helpers).

Reads the generator's ground-truth JSON (``tiltscreen-synth-gt/1``, see docs/synth.md): the box and its
marker, the scripted trials, per-frame reach, knee flexion and image points. Nothing here runs the tool.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

#: knee flexion (deg) from which a trial must be invalid (the issue's "bent knees >= 12 deg"); straight
#: knees are those at most STRAIGHT_KNEE_DEG; in between the truth is not scored (the tolerance is 10 deg)
BENT_KNEE_DEG, STRAIGHT_KNEE_DEG = 12.0, 5.0
#: box-top colour classes by the hand/box-top colour difference (CIELAB delta E), when the ground truth
#: does not name the box colour: skin-like below 25 (where the outline fingertip fell short on earlier
#: renders)
SKIN_LIKE_DELTA_E = 25.0


def near_side(gt: dict[str, Any]) -> str:
    """The subject's side that faces the camera."""
    return str(gt["config"]["camera"]["side"])


def series(gt: dict[str, Any], name: str) -> np.ndarray:
    """A per-frame ground-truth quantity as a float array (NaN for null)."""
    return np.array([np.nan if v is None else v for v in gt["frames"][name]], float)


def points(gt: dict[str, Any], name: str) -> np.ndarray:
    """``(n_frames, 2)`` image points of a named ground-truth point (NaN where null)."""
    return np.array([[np.nan, np.nan] if p is None else p for p in gt["points_px"][name]], float)


def placement(gt: dict[str, Any]) -> dict[str, float] | None:
    """Marker size and placement on the box (cm) as a user would measure them; None without a marker.

    ``from_end_cm``: along the box from the end face the soles press on (``box.face_y_m``) to the nearer
    vertical edge of the black square; ``from_top_cm``: from the box top down to its top edge; the box width
    across (x).
    """
    if "marker" not in gt or "box" not in gt:
        return None
    box, mk = gt["box"], np.asarray(gt["marker"]["corners_world_m"], float)
    face, top = float(box["face_y_m"]), float(box["hi_m"][2])
    return {
        "size_cm": float(gt["marker"]["side_cm"]),
        "from_end_cm": round(float(np.min(np.abs(mk[:, 1] - face))) * 100, 1),
        "from_top_cm": round((top - float(mk[:, 2].max())) * 100, 1),
        "box_width_cm": round((float(box["hi_m"][0]) - float(box["lo_m"][0])) * 100, 1),
    }


def subject(gt: dict[str, Any]) -> dict[str, Any]:
    """Stature (cm), age (y) and sex (F/M) of the rendered body."""
    body = gt["config"]["body"]
    return {
        "stature_cm": float(gt["subject"]["stature_cm"]),
        "age": float(body.get("age", body.get("age_years", 30))),
        "sex": "F" if float(body.get("sex", 0.0)) >= 0.5 else "M",
    }


def yaw_deg(gt: dict[str, Any]) -> float:
    """The requested camera yaw (deg) of the clip."""
    return float(gt["config"]["camera"].get("yaw_deg", 0.0))


def gt_trial(gt: dict[str, Any], max_s: float) -> int | None:
    """Index of the scripted trial whose [start, end] contains ``max_s``, else the nearest; None if none."""
    trials = gt.get("trials") or []
    for k, tr in enumerate(trials):
        if tr["start_s"] <= max_s <= tr["end_s"]:
            return k
    if not trials:
        return None
    return int(np.argmin([min(abs(max_s - tr["start_s"]), abs(max_s - tr["end_s"])) for tr in trials]))


def trial_truth(gt: dict[str, Any], k: int, hold_s: tuple[float, float]) -> dict[str, Any]:
    """Truth of scripted trial ``k``, the reach taken over the tool's hold frames ``hold_s`` (first, last).

    ``reach_box_cm`` (beyond the box end face), ``reach_toe_cm`` (beyond the toe tip), medians over the
    hold; ``hold_s`` the scripted hold; ``knee_max_deg`` the near knee's largest flexion over the scripted
    hold; ``ballistic``; ``hands_gap_cm`` |left - right| reach over the scripted hold.
    """
    side = near_side(gt)
    other = "right" if side == "left" else "left"
    t = series(gt, "t_s")
    tr = gt["trials"][k]
    scripted = (t >= tr["hold_start_s"] - 1e-6) & (t <= tr["hold_end_s"] + 1e-6)
    held = (t >= hold_s[0] - 1e-6) & (t <= hold_s[1] + 1e-6)
    if not held.any():
        held = scripted
    med = lambda name, sel: float(np.nanmedian(series(gt, name)[sel]))  # noqa: E731
    gap = np.abs(series(gt, f"reach_{side}_cm") - series(gt, f"reach_{other}_cm"))
    return {
        "reach_box_cm": med(f"reach_box_{side}_cm", held),
        "reach_toe_cm": med(f"reach_{side}_cm", held),
        "hold_s": float(tr["hold_end_s"] - tr["hold_start_s"]),
        "knee_max_deg": float(np.nanmax(series(gt, f"knee_flexion_{side}_deg")[scripted])),
        "ballistic": bool(gt["config"]["sit_reach"].get("ballistic", False)),
        "hands_gap_cm": float(np.nanmedian(gap[scripted])),
        "fingertip_px": np.nanmedian(points(gt, f"{side}_fingertip")[held], axis=0).tolist(),
        "toe_px": np.nanmedian(points(gt, f"{side}_toe_tip"), axis=0).tolist(),
    }


def expected_validity(truth: dict[str, Any], min_hold_s: float = 2.0) -> dict[str, bool | None]:
    """What each rule should say about a trial (None: not scored, e.g. knees between 5 and 12 deg)."""
    knee = truth["knee_max_deg"]
    knees = True if knee >= BENT_KNEE_DEG else (False if knee <= STRAIGHT_KNEE_DEG else None)
    return {
        "knees_bent": knees,
        "hold_short": truth["hold_s"] < min_hold_s,
        "bouncing": truth["ballistic"],
        "hands_uneven": truth["hands_gap_cm"] > 5.0,
        "out_of_frame": False,  # every render keeps the whole subject inside the image with a margin
    }


def video_of(gt_path: Path, gt: dict[str, Any]) -> Path | None:
    """The clip's video next to its ground truth: ``video_file`` if named, else the stem + a video suffix."""
    named = gt.get("video_file")
    if named and (gt_path.parent / Path(named).name).exists():
        return gt_path.parent / Path(named).name
    for suffix in (".mp4", ".avi", ".webm", ".mov"):
        if gt_path.with_suffix(suffix).exists():
            return gt_path.with_suffix(suffix)
    return None


def box_colour_class(gt: dict[str, Any], video: Path) -> tuple[str, float | None]:
    """``("skin-like" | "contrasting", delta_e)``: the CIE76 difference between the skin and the box-top
    colours of the ground truth's ``look`` when it has them, else the CIELAB difference between the hand and
    the box top just beyond the fingertip in the video (middle of the first scripted hold; 3x3 px patches,
    the box patch 6 px beyond the tip and 2 px below); skin-like below 25."""
    look = gt.get("look") if isinstance(gt.get("look"), dict) else {}
    if isinstance(look.get("box_top"), list) and isinstance(look.get("skin"), list):
        delta = _lab_delta_e(look["skin"], look["box_top"])
        return ("skin-like" if delta < SKIN_LIKE_DELTA_E else "contrasting"), delta
    delta = _hand_box_delta_e(gt, video)
    if delta is None:
        return "unknown", None
    return ("skin-like" if delta < SKIN_LIKE_DELTA_E else "contrasting"), delta


def _lab_delta_e(rgb_a: list[float], rgb_b: list[float]) -> float:
    """CIE76 difference of two sRGB colours given as 0-1 floats (the generator's ``look`` colours)."""
    import cv2  # noqa: PLC0415 - mediapipe's opencv

    px = (np.array([[rgb_a, rgb_b]], float) * 255).round().astype(np.uint8)
    lab = cv2.cvtColor(px[:, :, ::-1], cv2.COLOR_BGR2LAB).astype(float)[0]
    lab[:, 0] *= 100 / 255
    lab[:, 1:] -= 128
    return round(float(np.linalg.norm(lab[0] - lab[1])), 1)


def _hand_box_delta_e(gt: dict[str, Any], video: Path) -> float | None:
    import cv2  # noqa: PLC0415 - mediapipe's opencv

    side, t = near_side(gt), series(gt, "t_s")
    tr = gt["trials"][0]
    inside = np.flatnonzero((t >= tr["hold_start_s"]) & (t <= tr["hold_end_s"]))
    if not inside.size:
        return None
    i = int(inside[inside.size // 2])
    cap = cv2.VideoCapture(str(video))
    cap.set(cv2.CAP_PROP_POS_FRAMES, i)
    ok, bgr = cap.read()
    cap.release()
    if not ok:
        return None
    lab = cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB).astype(float)
    tip, knuckle = points(gt, f"{side}_fingertip")[i], points(gt, f"{side}_index")[i]
    if not (np.isfinite(tip).all() and np.isfinite(knuckle).all()):
        return None
    forward = 1.0 if tip[0] > knuckle[0] else -1.0

    def patch(p: np.ndarray) -> np.ndarray:
        x, y = int(p[0]), int(p[1])
        return lab[max(y - 1, 0) : y + 2, max(x - 1, 0) : x + 2].reshape(-1, 3).mean(axis=0)

    delta = float(np.linalg.norm(patch((tip + knuckle) / 2) - patch(tip + np.array([6.0 * forward, 2.0]))))
    return round(delta, 1) if math.isfinite(delta) else None


def ymca_category(reach_cm: float, subject_: dict[str, Any], thresholds) -> tuple[str | None, float | None]:
    """YMCA category of a reach (``"poor"`` / ``"not poor"``) for the subject, and the reach's distance (cm)
    from the band edge; (None, None) outside the norms' ages. Score = 15 in + reach / 2.54 (heels at
    15 in)."""
    cut = thresholds.ymca.poor_cutoff(sex=subject_["sex"], age=subject_["age"])
    if cut is None or not math.isfinite(reach_cm):
        return None, None
    value, cmp = cut
    edge_cm = (value - thresholds.ymca.heel_line_in) * 2.54
    poor = reach_cm <= edge_cm if cmp == "le" else reach_cm < edge_cm
    return ("poor" if poor else "not poor"), abs(reach_cm - edge_cm)
