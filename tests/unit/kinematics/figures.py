"""Synthetic stick figures with known angles, seen by an orthographic side-view camera.

The factory :func:`make_figure` is served as a fixture by conftest.py.

Body frame (metres): F = forward, L = the subject's left, U = up; the mid-hip is
the origin. Segment lengths are fractions of stature H = 1.75 m (Drillis R,
Contini R 1966, via Winter DA 2009, Biomechanics and Motor Control of Human
Movement): trunk (hip to shoulder) 0.288 H, shoulder breadth 0.259 H, hip breadth
0.191 H, thigh 0.245 H, shank 0.246 H - exactly the proportions the yaw estimate
assumes, so it should recover a projected yaw with no model error.

Sagittal pose (angles in degrees):
* ``lean``: trunk (hip->shoulder) tilted forward from vertical by ``lean``.
* ``thigh``: thigh (hip->knee) tilted forward from the downward vertical.
* ``knee``: knee flexion; the shank is the thigh direction turned backwards by
  ``knee`` (negative = hyperextension, knee behind the hip-ankle line).

Hence, by construction: trunk inclination = ``lean``; hip flexion = ``lean +
thigh`` (the downward trunk line points ``-lean`` from the downward vertical, the
thigh ``+thigh``); thigh inclination = ``thigh``; knee flexion = ``|knee|``;
knee hyperextension = ``-knee``.

Camera: orthographic, ``scale`` px per metre, mid-hip at pixel ``centre``.
``facing=+1`` puts the camera on the subject's right (they appear to face
image-right; the right side is near), ``-1`` on the left. ``yaw`` moves the camera
round the vertical towards the subject's front. ``roll`` turns the whole image
counter-clockwise (y-up) about ``centre``. Image y grows downwards.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from tiltscreen.landmarks import Landmarks
from tiltscreen.skeleton import BLAZEPOSE

H = 1.75
TRUNK = 0.288 * H
SCALE = 350.0
IMAGE_SIZE = (1280, 720)
CENTRE = (640.0, 330.0)

F, L, U = np.eye(3)

MakeFigure = Callable[..., Landmarks]


def _unit(deg: float) -> np.ndarray:
    """Direction in the (forward, up) plane at ``deg`` forward of straight down."""
    a = np.deg2rad(deg)
    return np.array([np.sin(a), -np.cos(a)])


def _sagittal_points(lean: float, thigh: float, knee: float) -> dict[str, np.ndarray]:
    """Central (forward, up) positions in metres of each body part, hip at the origin."""
    up_trunk = np.array([np.sin(np.deg2rad(lean)), np.cos(np.deg2rad(lean))])
    shoulder = TRUNK * up_trunk
    ear = shoulder + 0.15 * up_trunk
    nose = ear + np.array([0.10, -0.01])
    knee_pt = 0.245 * H * _unit(thigh)
    shank = _unit(thigh - knee)
    ankle = knee_pt + 0.246 * H * shank
    foot = np.array([-shank[1], shank[0]])  # shank turned 90 degrees towards the front
    elbow = shoulder + np.array([0.0, -0.30])
    wrist = elbow + np.array([0.0, -0.25])
    return {
        "nose": nose, "eye": nose + [-0.02, 0.03], "eye_inner": nose + [-0.01, 0.03],
        "eye_outer": nose + [-0.03, 0.03], "ear": ear, "mouth": nose + [-0.01, -0.04],
        "shoulder": shoulder, "elbow": elbow, "wrist": wrist, "pinky": wrist + [0.0, -0.08],
        "index": wrist + [0.01, -0.09], "thumb": wrist + [0.02, -0.05], "hip": np.zeros(2),
        "knee": knee_pt, "ankle": ankle, "heel": ankle - 0.05 * foot + 0.06 * shank,
        "foot_index": ankle + 0.15 * foot + 0.06 * shank,
    }  # fmt: skip


_HALF_WIDTH = {"shoulder": 0.259 * H / 2, "hip": 0.191 * H / 2, "ear": 0.07, "eye": 0.03, "eye_inner": 0.015}
_HALF_WIDTH.update({"eye_outer": 0.045, "mouth": 0.025, "elbow": 0.25, "wrist": 0.25, "pinky": 0.25})
_HALF_WIDTH.update(
    {"index": 0.25, "thumb": 0.25, "knee": 0.09, "ankle": 0.09, "heel": 0.09, "foot_index": 0.09}
)


def body_points(lean: float, thigh: float, knee: float, *, shoulder_scale: float = 1.0) -> np.ndarray:
    """``(33, 3)`` body-frame positions in metres (F, L, U components)."""
    sag = _sagittal_points(lean, thigh, knee)
    out = np.empty((33, 3))
    for k, name in enumerate(BLAZEPOSE.names):
        side, _, part = name.partition("_")
        if side == "mouth":
            side, part = part, "mouth"
        if side in ("left", "right"):
            half = _HALF_WIDTH[part] * (shoulder_scale if part == "shoulder" else 1.0)
            lateral = half if side == "left" else -half
        else:
            part, lateral = name, 0.0
        f, u = sag[part]
        out[k] = f * F + lateral * L + u * U
    return out


def camera_axes(facing: int, yaw: float) -> tuple[np.ndarray, np.ndarray]:
    """Image-right axis R and viewing direction d (camera -> subject) in the body frame."""
    c0 = -L if facing == 1 else L
    a = np.deg2rad(yaw)
    d = -(np.cos(a) * c0 + np.sin(a) * F)
    return np.cross(-U, d), d


def make_figure(
    *,
    lean: float = 0.0,
    thigh: float = 0.0,
    knee: float = 0.0,
    facing: int = 1,
    yaw: float = 0.0,
    roll: float = 0.0,
    n_frames: int = 5,
    noise_px: float = 0.0,
    offset_px: np.ndarray | None = None,
    world: bool = True,
    near_vis: float = 0.95,
    far_vis: float = 0.5,
    shoulder_scale: float = 1.0,
    fps: float = 30.0,
    mirror: bool = False,
    seed: int = 0,
) -> Landmarks:
    """Project the stick figure for every frame and return it as :class:`Landmarks`.

    ``noise_px`` adds seeded Gaussian noise (SD in pixels) to x and y;
    ``offset_px`` ((frame, 2)) translates the whole figure per frame; ``world=False``
    leaves world landmarks NaN; ``near_vis``/``far_vis`` are the visibilities of the
    near and far sides; ``shoulder_scale`` scales the shoulder breadth away from the
    assumed 0.259 H; ``mirror`` flips the image left-right (a selfie preview).
    """
    body = body_points(lean, thigh, knee, shoulder_scale=shoulder_scale)
    r_axis, d_axis = camera_axes(facing, yaw)
    x_up = np.stack([body @ r_axis, body @ U], axis=-1) * SCALE
    a = np.deg2rad(roll)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    x_up = x_up @ rot.T
    px = np.stack([CENTRE[0] + x_up[:, 0], CENTRE[1] - x_up[:, 1]], axis=-1)
    px = np.broadcast_to(px, (n_frames, 33, 2)).copy()
    if offset_px is not None:
        px += np.asarray(offset_px, dtype=float)[:, None, :]
    px += np.random.default_rng(seed).normal(0.0, noise_px, px.shape) if noise_px else 0.0
    if mirror:
        px[..., 0] = IMAGE_SIZE[0] - px[..., 0]
    w, h = IMAGE_SIZE
    z = np.broadcast_to(body @ d_axis * SCALE / w, (n_frames, 33))
    xyz = np.concatenate([px / np.array([w, h]), z[..., None]], axis=-1)
    near = "right" if facing == 1 else "left"
    far = "left" if near == "right" else "right"
    vis = np.array(
        [near_vis if n.startswith(near) else far_vis if n.startswith(far) else 0.99 for n in BLAZEPOSE.names]
    )
    world_xyz = np.stack([body @ r_axis, -(body @ U), body @ d_axis], axis=-1)
    return Landmarks(
        xyz=xyz,
        visibility=np.broadcast_to(vis, (n_frames, 33)),
        presence=np.ones((n_frames, 33)),
        world=np.broadcast_to(world_xyz, (n_frames, 33, 3)) if world else np.full((n_frames, 33, 3), np.nan),
        timestamps_s=np.arange(n_frames) / fps,
        frame_index=np.arange(n_frames),
        image_size=IMAGE_SIZE,
        fps=fps,
    )


def blank_landmarks(lm: Landmarks, names: list[str], rows: slice | list[int] = slice(None)) -> Landmarks:
    """Copy of ``lm`` with the named landmarks NaN (xyz and world) in ``rows``."""
    xyz, world = lm.xyz.copy(), lm.world.copy()
    for name in names:
        k = lm.skeleton.index(name)
        xyz[rows, k] = np.nan
        world[rows, k] = np.nan
    return dataclasses.replace(lm, xyz=xyz, world=world)
