"""Development render sets (fit, tune and debug on these freely).

Seeds: standing_v0 1001-1024, sr_v0 1101-1112, standing 1201-1240, sr 1301-1330. Parameters are drawn
from ``numpy.random.default_rng(<set constant>)``; the held-out sets use another stream (``sets_heldout``).
"""

from __future__ import annotations

import numpy as np
from sets_common import Clip, RenderSet, draw_body, resolution, towards

STANDING_RES = [(640, 360), (960, 540), (1280, 720)]


def _signed_yaw(side: str, magnitude: float, direction: str) -> float:
    """Yaw (degrees) that turns the camera ``magnitude`` towards the subject's ``direction`` (front/back)."""
    sign = 1.0 if (side == "left") == (direction == "front") else -1.0
    return sign * magnitude + 0.0


def standing_v0() -> RenderSet:
    """24 three-second standing clips with ASIS/PSIS stickers, the current generator's options only."""
    rng = np.random.default_rng(20240601)
    magnitudes = [0, 0, 0, 5, 5, 10, 10, 15, 15, 20, 20, 25, 25, 30, 30, 5, 10, 15, 20, 25, 30, 3, 8, 12]
    tilts = rng.permutation(np.linspace(0.0, 35.0, len(magnitudes)))
    clips = []
    for k, mag in enumerate(magnitudes):
        side = "left" if k % 2 == 0 else "right"
        direction = "front" if (k // 2) % 2 == 0 else "back"
        yaw = _signed_yaw(side, mag, direction)
        opts = {
            "side": side,
            **draw_body(rng),
            "tilt": round(float(tilts[k]), 1),
            "arms": "folded",
            "duration": 3,
            "fps": 15 if k % 2 else 30,
            **resolution(rng, STANDING_RES),
            "hfov": round(float(rng.uniform(50, 75)), 1),
            "distance-m": round(float(rng.uniform(2.5, 3.5)), 2),
            "yaw": yaw,
            "roll": round(float(rng.uniform(-3, 3)), 1) + 0.0,
            "pitch": round(float(rng.uniform(-3, 3)), 1) + 0.0,
            "stickers": True,
        }
        clips.append(Clip(f"st0_{k + 1:02d}", "standing", 1001 + k, opts, {"camera_towards": towards(side, yaw)}))
    return RenderSet(
        "standing_v0",
        "dev/standing_v0",
        "quick development set, standing, ASIS/PSIS stickers (generator as of the first render session)",
        "sex, stature 150-195 cm, age, weight, muscle, proportions; side; true ASIS-PSIS tilt 0-35 deg; camera "
        "yaw 0/3/5/8/10/12/15/20/25/30 deg towards the subject's front and back, roll and pitch -3..3 deg; "
        "640x360/960x540/1280x720; hfov 50-75 deg; 15 or 30 fps; distance 2.5-3.5 m where the framing "
        "margin allows (else automatic). Fixed: 3 s, arms folded, green 2 cm stickers on the near ASIS and "
        "PSIS, default sway, noise, blur and crf.",
        clips,
    )


def sr_v0() -> RenderSet:
    """12 two-trial sit-and-reach clips with the box marker, the current generator's options only."""
    rng = np.random.default_rng(20240602)
    knees = [0, 0, 0, 0, 8, 8, 15, 15, 25, 0, 0, 0]
    holds = [0.8, 1.5, 1.9, 2.2, 3.0, 2.2, 2.5, 1.9, 2.5, 3.0, 2.5, 1.5]
    yaws = [0, 5, -5, 10, -10, 15, -15, 20, -20, 25, -25, 0]
    exts = rng.permutation(np.linspace(0.0, 1.0, len(knees)))
    clips = []
    for k in range(len(knees)):
        side = "left" if k % 2 == 0 else "right"
        opts = {
            "side": side,
            **draw_body(rng),
            "extensibility": round(float(exts[k]), 2),
            "knee-flexion": knees[k],
            "trials": 2,
            "hold": holds[k],
            "reach-time": 1.5,
            "return-time": 1.2,
            "rest": 1.0,
            "ballistic": k == 9,
            "uneven-hands": 20 if k == 10 else 0,
            **resolution(rng, [(640, 360), (640, 360), (960, 540)]),
            "hfov": round(float(rng.uniform(50, 70)), 1),
            "yaw": yaws[k],
            "roll": round(float(rng.uniform(-2, 2)), 1) + 0.0,
            "stickers": True,
        }
        clips.append(
            Clip(f"sr0_{k + 1:02d}", "sit-and-reach", 1101 + k, opts, {"camera_towards": towards(side, yaws[k])})
        )
    return RenderSet(
        "sr_v0",
        "dev/sr_v0",
        "quick development set, sit-and-reach, two trials, ArUco marker on the box "
        "(generator as of the first render session)",
        "sex, stature 150-195 cm, age, weight, muscle, proportions; side; hamstring extensibility 0-1; knee "
        "flexion 0/8/15/25 deg; hold 0.8/1.5/1.9/2.2/2.5/3.0 s; one ballistic clip (sr0_10), one with uneven "
        "hands (sr0_11, right elbow 20 deg more flexed); yaw -25..+25 deg (both directions), roll -2..2 deg; "
        "640x360 or 960x540; hfov 50-70 deg; automatic framing. Fixed: 2 trials, reach 1.5 s, return "
        "1.2 s, rest 1 s, 30 fps, marker DICT_4X4_50 id 0 (10 cm) centred on the camera-facing side of the "
        "box, ASIS/PSIS stickers.",
        clips,
    )


DEV_SETS: dict[str, RenderSet] = {s.name: s for s in (standing_v0(), sr_v0())}
