"""Development render sets (fit, tune and debug on these freely).

Seeds: standing_v0 1001-1024, sr_v0 1101-1112, standing 1201-1240, sr 1301-1330. Parameters are drawn
from ``numpy.random.default_rng(<set constant>)``; the held-out sets use another stream (``sets_heldout``).
"""

from __future__ import annotations

import numpy as np
from sets_common import Clip, RenderSet, draw_body, resolution, towards, wall_marker_size

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
        clips.append(
            Clip(f"st0_{k + 1:02d}", "standing", 1001 + k, opts, {"camera_towards": towards(side, yaw)})
        )
    return RenderSet(
        "standing_v0",
        "dev/standing_v0",
        "quick development set, standing, ASIS/PSIS stickers (generator as of the first render session)",
        "sex, stature 150-195 cm, age, weight, muscle, proportions; side; true ASIS-PSIS tilt 0-35 deg; "
        "camera "
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
            Clip(
                f"sr0_{k + 1:02d}",
                "sit-and-reach",
                1101 + k,
                opts,
                {"camera_towards": towards(side, yaws[k])},
            )
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


LEVEL_OPTIONS = ("wall-marker", "plumb-line", "door-frame", "wall-corner", "furniture")
FPS_CHOICES = (15, 15, 24, 25, 30)


def _level_refs(k: int, rng: np.random.Generator) -> dict:
    """Level references of clip k: each one alone in turn, pairs, and none (every third clip)."""
    if k % 3 == 2:
        return {}
    cycle = k // 3 + k % 3
    first = LEVEL_OPTIONS[cycle % len(LEVEL_OPTIONS)]
    refs = {first: True}
    if k % 3 == 1:
        refs[LEVEL_OPTIONS[(cycle + 2) % len(LEVEL_OPTIONS)]] = True
    return refs


def _realism(rng: np.random.Generator, k: int, *, codecs=("h264",)) -> dict:
    """Look, light, clutter, degradation and codec of clip k (rich looks mostly, some classic)."""
    rich = k % 4 != 3
    return {
        "look": "rich" if rich else "classic",
        "shadows": bool(rich and rng.uniform() < 0.5),
        "clutter": int(rng.integers(0, 5)) if rich else 0,
        "noise": round(float(rng.uniform(1.0, 4.0)), 1),
        "blur": round(float(rng.uniform(0.3, 1.2)), 2),
        "crf": int(rng.integers(20, 31)),
        "codec": codecs[k % len(codecs)],
    }


def standing() -> RenderSet:
    """40 standing clips with ASIS/PSIS stickers, level references in two thirds, yaw/roll/pitch as v0."""
    rng = np.random.default_rng(20240603)
    n = 40
    magnitudes = rng.permutation(
        [0, 0, 0, 0, 0, 3, 5, 5, 5, 8, 10, 10, 10, 12, 15, 15, 15, 20, 20, 25, 25, 30] * 2
    )[:n]
    tilts = rng.permutation(np.linspace(0.0, 35.0, n))
    clips = []
    for k in range(n):
        side = "left" if k % 2 == 0 else "right"
        direction = "front" if (k // 2) % 2 == 0 else "back"
        yaw = _signed_yaw(side, float(magnitudes[k]), direction)
        res = [(640, 360), (960, 540), (1280, 720), (1920, 1080)][k % 4 if k % 8 != 7 else 0]
        opts = {
            "side": side,
            **draw_body(rng),
            "tilt": round(float(tilts[k]), 1),
            "arms": "folded",
            "duration": 3,
            "fps": FPS_CHOICES[k % len(FPS_CHOICES)] if res[0] < 1920 else 15,
            "width": res[0],
            "height": res[1],
            "hfov": round(float(rng.uniform(45, 80)), 1),
            "distance-m": round(float(rng.uniform(2.5, 3.5)), 2),
            "yaw": yaw,
            "roll": round(float(rng.uniform(-3, 3)), 1) + 0.0,
            "pitch": round(float(rng.uniform(-3, 3)), 1) + 0.0,
            "stickers": True,
            **_level_refs(k, rng),
            **_realism(rng, k),
        }
        opts.update(wall_marker_size(opts))
        derived = {
            "camera_towards": towards(side, yaw),
            "level_refs": "+".join(_level_refs(k, rng)) or "none",
        }
        clips.append(Clip(f"st_{k + 1:02d}", "standing", 1201 + k, opts, derived))
    return RenderSet(
        "standing",
        "dev/standing",
        "development set, standing, ASIS/PSIS stickers, level references, richer looks",
        "body (sex, stature 150-195 cm, age, weight, muscle, proportions), side, true tilt 0-35 deg; yaw "
        "0-30 deg towards front and back, roll and pitch -3..3 deg; 640x360 to 1920x1080; hfov 45-80 deg; "
        "fps 15/24/25/30; distance 2.5-3.5 m where the margin allows; level references (column `level_refs`: "
        "wall marker, plumb line, door frame, wall corner, cabinet; alone or in pairs) in two clips "
        "of three, "
        "none in every third; rich looks (skin, clothes, light direction/colour, wall distance, shadows, "
        "clutter) in three clips of four, the classic look in the others; noise 1-4, blur 0.3-1.2 px, crf "
        "20-30. Fixed: 3 s, arms folded, green 2 cm ASIS/PSIS stickers, H.264.",
        clips,
    )


def sr() -> RenderSet:
    """30 sit-and-reach clips: posterior + ASIS/PSIS stickers, box tops, holds, knees, ballistic, "
    "yaw series."""
    rng = np.random.default_rng(20240604)
    # (knee, hold, ballistic, uneven, trials, extensibility or None, stature or None, yaw)
    plan = [
        (0, 2.0, False, 0, 1, None, None, 0),
        (0, 2.2, False, 0, 1, None, None, 4),
        (0, 1.8, False, 0, 1, None, None, -6),
        (0, 2.5, False, 0, 1, None, None, 8),
        (0, 1.5, False, 0, 1, None, None, -3),
        (0, 2.1, False, 0, 1, None, None, 10),
        (0, 1.9, False, 0, 1, None, None, -8),
        (0, 2.4, False, 0, 1, None, None, 2),
        (0, 0.8, False, 0, 1, None, None, 0),
        (0, 0.9, False, 0, 1, None, None, 5),
        (0, 1.0, False, 0, 1, None, None, -5),
        (12, 2.5, False, 0, 1, None, None, 3),
        (15, 2.2, False, 0, 1, None, None, -4),
        (20, 2.5, False, 0, 1, None, None, 6),
        (25, 2.0, False, 0, 1, None, None, 0),
        (8, 2.3, False, 0, 1, None, None, -7),
        (0, 2.5, True, 0, 1, None, None, 2),
        (0, 2.5, True, 0, 1, None, None, -9),
        (0, 2.3, False, 15, 1, None, None, 4),
        (0, 2.3, False, 30, 1, None, None, -2),
        (0, 2.5, False, 0, 1, 1.0, 195, 0),
        (0, 2.2, False, 0, 1, 1.0, 190, 6),
        (0, 2.5, False, 0, 2, None, None, 0),
        (15, 1.2, False, 0, 2, None, None, 5),
        (0, 2.2, False, 0, 1, None, None, 15),
        (0, 2.2, False, 0, 1, None, None, -15),
        (0, 2.2, False, 0, 1, None, None, 20),
        (0, 2.2, False, 0, 1, None, None, -20),
        (0, 2.2, False, 0, 1, None, None, 25),
        (0, 2.2, False, 0, 1, None, None, -25),
    ]
    clips = []
    for k, (knee, hold, ballistic, uneven, trials, ext, stature, yaw) in enumerate(plan):
        side = "left" if k % 2 == 0 else "right"
        body = draw_body(rng)
        if stature is not None:
            body["stature-cm"] = stature
        res = [(640, 360), (960, 540), (1280, 720), (640, 360)][k % 4]
        opts = {
            "side": side,
            **body,
            "extensibility": ext if ext is not None else round(float(rng.uniform(0, 1)), 2),
            "knee-flexion": knee,
            "trials": trials,
            "hold": hold,
            "reach-time": 3.5 if ballistic else 1.5,
            "return-time": 1.2,
            "rest": 1.0,
            "ballistic": ballistic,
            "uneven-hands": uneven,
            "width": res[0],
            "height": res[1],
            "fps": (15, 24, 25, 30)[k % 4],
            "hfov": round(float(rng.uniform(45, 80)), 1),
            "yaw": float(yaw),
            "roll": round(float(rng.uniform(-2, 2)), 1) + 0.0,
            "pitch": round(float(rng.uniform(-2, 2)), 1) + 0.0,
            "stickers": True,
            "posterior-stickers": "psis,s2,s4,iliac_crest",
            "posterior-rgb": "0,90,255" if k % 2 else None,
            "box-top": "skin" if k % 2 == 0 else "contrast",
            **_realism(rng, k),
        }
        opts["clutter"] = min(opts["clutter"], 2)
        clips.append(
            Clip(f"sr_{k + 1:02d}", "sit-and-reach", 1301 + k, opts, {"camera_towards": towards(side, yaw)})
        )
    return RenderSet(
        "sr",
        "dev/sr",
        "development set, sit-and-reach, posterior and ASIS/PSIS stickers, box-top colours, validity cases",
        "body (sex, stature 150-195 cm, age, weight, muscle, proportions), side, hamstring "
        "extensibility; box "
        "top skin-like (delta E < 12, even clips) or contrasting (delta E >= 40, odd clips); holds near 2 s "
        "(1.5-2.5), very short holds 0.8-1.0 s (sr_09-11), bent knees 8-25 deg (sr_12-16), ballistic "
        "(sr_17-18, reach 3.5 s with bounces), uneven hands 15/30 deg (sr_19-20), an extremely flat forward "
        "fold (extensibility 1, stature 190-195: sr_21-22), two-trial clips (sr_23-24), a yaw series "
        "+-15/20/25 deg (sr_25-30; the others within +-10); roll and pitch -2..2; 640x360 to 1280x720; fps "
        "15/24/25/30; hfov 45-80; rich or classic looks, shadows, up to 2 clutter objects. Stickers: green "
        "ASIS/PSIS and posterior stickers psis, s2, s4, iliac_crest (blue on odd clips, green on even). "
        "Marker DICT_4X4_50 id 0 (10 cm) centred on the box side. Reach 1.5 s, return 1.2 s, rest 1 s.",
        clips,
    )


DEV_SETS.update({s.name: s for s in (standing(), sr())})
