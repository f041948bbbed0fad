"""HELD-OUT render sets: never open, fit, tune or debug on them (see each folder's README).

Designed from a random stream of their own (``numpy.random.SeedSequence`` entropy ``HELDOUT_ENTROPY``,
unlike the
development sets' ``default_rng(2024060x)``), with seeds from 71001 (never used by any earlier set), bodies
from
wider ranges, other camera placements (heights, distances, fields of view), looks, resolutions, frame rates
and
codecs, all within the README's set-up limits.
"""

from __future__ import annotations

import numpy as np
from sets_common import Clip, RenderSet, draw_body, towards, wall_marker_size

HELDOUT_ENTROPY = 0x7E1D_0A7C_2B91
CODECS = ("h264", "h264", "mjpeg", "vp9")
RESOLUTIONS = ((640, 360), (960, 540), (1280, 720), (1920, 1080), (854, 480))
LEVEL_OPTIONS = ("wall-marker", "plumb-line", "door-frame", "wall-corner", "furniture")


def _stream(k: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(HELDOUT_ENTROPY, spawn_key=(k,)))


def _body(rng: np.random.Generator) -> dict:
    return draw_body(rng, stature=(145, 200), weight=(0.1, 0.95), age=(18, 80)) | {
        "muscle": round(float(rng.uniform(0.15, 0.85)), 2),
        "proportions": round(float(rng.uniform(0.15, 0.85)), 2),
    }


def _look(rng: np.random.Generator, k: int) -> dict:
    return {
        "look": "rich",
        "shadows": bool(rng.uniform() < 0.6),
        "clutter": int(rng.integers(0, 6)),
        "noise": round(float(rng.uniform(0.5, 5.0)), 1),
        "blur": round(float(rng.uniform(0.2, 1.5)), 2),
        "crf": int(rng.integers(18, 33)),
        "codec": CODECS[int(rng.integers(len(CODECS)))],
    }


def _refs(rng: np.random.Generator, k: int) -> dict:
    """About half the clips get one or two level references, the others none."""
    if k % 2:
        return {}
    picks = rng.choice(len(LEVEL_OPTIONS), size=int(rng.integers(1, 3)), replace=False)
    return {LEVEL_OPTIONS[i]: True for i in sorted(picks)}


def standing() -> RenderSet:
    """30 standing clips with stickers, yaw 0-10 both ways, roll within +-2, references in about half."""
    rng = _stream(1)
    clips = []
    for k in range(30):
        side = str(rng.choice(["left", "right"]))
        yaw = round(float(rng.uniform(0, 10)) * float(rng.choice([-1, 1])), 1) + 0.0
        w, h = RESOLUTIONS[int(rng.integers(len(RESOLUTIONS)))]
        refs = _refs(rng, k)
        opts = {
            "side": side,
            **_body(rng),
            "tilt": round(float(rng.uniform(0, 35)), 1),
            "sway": round(float(rng.uniform(0.2, 1.2)), 2),
            "arms": "folded",
            "duration": round(float(rng.choice([2.5, 3.0, 4.0])), 1),
            "fps": int(rng.choice([15, 24, 25, 30, 60])) if w < 1920 else 15,
            "width": w,
            "height": h,
            "hfov": round(float(rng.uniform(45, 80)), 1),
            "distance-m": round(float(rng.uniform(2.5, 3.5)), 2),
            "camera-height-m": round(float(rng.uniform(0.8, 1.15)), 2),
            "yaw": yaw,
            "roll": round(float(rng.uniform(-2, 2)), 1) + 0.0,
            "pitch": round(float(rng.uniform(-2, 2)), 1) + 0.0,
            "stickers": True,
            "sticker-cm": round(float(rng.uniform(1.8, 2.5)), 1),
            **refs,
            **_look(rng, k),
        }
        if opts["fps"] == 60:
            opts["duration"] = 2.5
        opts.update(wall_marker_size(opts))
        derived = {"camera_towards": towards(side, yaw), "level_refs": "+".join(refs) or "none"}
        clips.append(Clip(f"hst_{k + 1:02d}", "standing", 71001 + k, opts, derived))
    return RenderSet(
        "heldout_standing",
        "heldout/standing",
        "HELD-OUT standing clips with ASIS/PSIS stickers",
        "wider bodies (stature 145-200 cm, weight 0.1-0.95, age 18-80, muscle and proportions 0.15-0.85), "
        "side, tilt 0-35 deg, sway; yaw 0-10 deg both ways, roll and pitch within +-2 deg; camera aim height "
        "0.8-1.15 m, distance 2.5-3.5 m where the margin allows; 640x360 to 1920x1080 (and 854x480); fps "
        "15/24/25/30/60; hfov 45-80; H.264, MJPEG (.avi) or VP9 (.webm); rich looks, shadows, "
        "clutter, noise, "
        "blur, crf 18-32; level references (one or two) in every other clip, none in the rest.",
        clips,
        heldout=True,
    )


def _sr_case(k: int) -> dict:
    """Validity case of held-out sit-and-reach clip k (30 clips)."""
    if k < 10:
        return {"knee-flexion": 0, "hold": 2.3 + 0.1 * (k % 5), "ballistic": False}
    if k < 16:
        return {"knee-flexion": (12, 14, 16, 20, 25, 30)[k - 10], "hold": 2.4, "ballistic": False}
    if k < 22:
        return {"knee-flexion": 0, "hold": (0.8, 1.0, 1.3, 1.6, 1.8, 1.9)[k - 16], "ballistic": False}
    if k < 26:
        return {"knee-flexion": 0, "hold": 2.5, "ballistic": True}
    return {"knee-flexion": 0, "hold": 2.4, "ballistic": False}


def sr() -> RenderSet:
    """30 sit-and-reach clips: valid trials, bent knees >= 12, holds under 2 s, bouncing, "
    "stature-only scale."""
    rng = _stream(2)
    clips = []
    for k in range(30):
        side = str(rng.choice(["left", "right"]))
        yaw = round(float(rng.uniform(0, 12)) * float(rng.choice([-1, 1])), 1) + 0.0
        w, h = RESOLUTIONS[int(rng.integers(len(RESOLUTIONS) - 1))]
        case = _sr_case(k)
        opts = {
            "side": side,
            **_body(rng),
            "extensibility": round(float(rng.uniform(0, 1)), 2),
            **case,
            "trials": 1 if k % 3 else 2,
            "reach-time": round(
                float(rng.uniform(3.0, 4.0) if case["ballistic"] else rng.uniform(1.3, 2.2)), 1
            ),
            "return-time": round(float(rng.uniform(1.0, 1.6)), 1),
            "rest": round(float(rng.uniform(0.8, 1.3)), 1),
            "uneven-hands": 0,
            "width": w,
            "height": h,
            "fps": int(rng.choice([15, 24, 25, 30])),
            "hfov": round(float(rng.uniform(45, 80)), 1),
            "distance-m": round(float(rng.uniform(1.3, 2.0)), 2),
            "camera-height-m": round(float(rng.uniform(0.45, 0.8)), 2),
            "yaw": yaw,
            "roll": round(float(rng.uniform(-2, 2)), 1) + 0.0,
            "pitch": round(float(rng.uniform(-2, 2)), 1) + 0.0,
            "stickers": True,
            "posterior-stickers": "psis,iliac_crest",
            "no-marker": k >= 26,
            "marker-cm": 10,
            "box-top": "skin" if k % 2 == 0 else "contrast",
            **_look(rng, k),
        }
        opts["clutter"] = min(opts["clutter"], 3)
        clips.append(
            Clip(f"hsr_{k + 1:02d}", "sit-and-reach", 72001 + k, opts, {"camera_towards": towards(side, yaw)})
        )
    return RenderSet(
        "heldout_sr",
        "heldout/sr",
        "HELD-OUT sit-and-reach clips",
        "wider bodies, side, extensibility; valid trials (hsr_01-10 and 27-30: straight knees, holds "
        "2.3-2.7 s), "
        "bent knees 12-30 deg (hsr_11-16), holds under 2 s 0.8-1.9 (hsr_17-22), bouncing (hsr_23-26); marker "
        "DICT_4X4_50 id 0 (10 cm) on the box except hsr_27-30 (stature only as scale); box top skin-like on "
        "odd-numbered clips, contrasting on even; one or two trials; yaw 0-12 deg both ways, "
        "roll/pitch within "
        "+-2; distance 1.3-2 m where the margin allows, aim height 0.45-0.8 m; 640x360 to 1280x720; fps "
        "15/24/25/30; H.264/MJPEG/VP9; rich looks; ASIS/PSIS and posterior (PSIS, iliac crest) stickers.",
        clips,
        heldout=True,
    )


def _yaw_series(scene: str, prefix: str, seed0: int, stream: int) -> list[Clip]:
    """3 new bodies x yaw 0, 5, ..., 30 deg; signs alternate per body so each angle is seen both ways."""
    rng = _stream(stream)
    clips = []
    for b in range(3):
        body = _body(rng)
        side = ("left", "right", "left")[b]
        for j, mag in enumerate((0, 5, 10, 15, 20, 25, 30)):
            sign = (1 if j % 2 else -1) * (1 if b != 1 else -1)
            yaw = float(sign * mag) + 0.0
            opts = {"side": side, **body, "yaw": yaw, "roll": 0.0, "width": 960, "height": 540, "fps": 15}
            if scene == "standing":
                opts |= {"tilt": round(float(rng.uniform(5, 30)), 1), "duration": 2.5, "stickers": True}
            else:
                opts |= {
                    "extensibility": round(float(rng.uniform(0.2, 0.9)), 2),
                    "trials": 1,
                    "hold": 2.4,
                    "reach-time": 1.5,
                    "return-time": 1.2,
                    "rest": 1.0,
                    "stickers": True,
                }
            opts["look"] = "rich"
            k = len(clips)
            clips.append(
                Clip(
                    f"{prefix}_b{b + 1}_y{yaw:+03.0f}",
                    scene,
                    seed0 + k,
                    opts,
                    {"camera_towards": towards(side, yaw)},
                )
            )
    return clips


def yaw_standing() -> RenderSet:
    """Standing yaw series for refusal tests."""
    return RenderSet(
        "heldout_yaw_standing",
        "heldout/yaw_standing",
        "HELD-OUT standing yaw series (refusal tests)",
        "3 new bodies x camera yaw 0/5/10/15/20/25/30 deg, signs alternating (each angle seen "
        "towards the front "
        "on one body and the back on another); roll 0; 960x540, 15 fps, 2.5 s; ASIS/PSIS stickers; "
        "rich look.",
        _yaw_series("standing", "hys", 73001, 3),
        heldout=True,
    )


def yaw_sr() -> RenderSet:
    """Sit-and-reach yaw series for refusal tests."""
    return RenderSet(
        "heldout_yaw_sr",
        "heldout/yaw_sr",
        "HELD-OUT sit-and-reach yaw series (refusal tests)",
        "3 new bodies x camera yaw 0/5/10/15/20/25/30 deg, signs alternating; roll 0; 960x540, 15 fps; one "
        "valid trial (hold 2.4 s); marker on the box; ASIS/PSIS stickers; rich look.",
        _yaw_series("sit-and-reach", "hysr", 74001, 4),
        heldout=True,
    )


HELDOUT_SETS: dict[str, RenderSet] = {s.name: s for s in (standing(), sr(), yaw_standing(), yaw_sr())}
