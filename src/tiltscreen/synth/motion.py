"""Pure motion scripts: time -> sagittal segment angles for quiet standing and for the sit-and-reach.

Angles are world-frame sagittal rotations from the body model's rest pose (degrees, ``geometry.rot_x``
convention: positive tips an upward segment forward). Arm segments are given as world directions instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from tiltscreen.synth.config import SitReachSpec, StandingSpec


@dataclass(frozen=True)
class Posture:
    """Per-frame posture of the whole body; every array has the frame count as its first axis.

    Attributes
    ----------
    pelvis, lumbar_low, lumbar_up, thorax_low, thorax_up, neck, head : ndarray, shape (F,)
        World sagittal rotations (degrees, forward positive) of spine05 (+ pelvis.L/R), spine04, spine03,
        spine02, spine01, neck01-02 and neck03/head.
    thigh, shank, foot : ndarray, shape (F,)
        World sagittal rotations of both legs' segments (negative = thigh swung forward).
    upper_arm, forearm : dict[str, ndarray]
        ``"L"``/``"R"`` -> world unit directions, shape (F, 3), shoulder -> elbow and elbow -> wrist.
    arm_twist : float
        Twist of the whole arm about its own axis, degrees (palms down when reaching).
    sway : ndarray, shape (F,)
        Whole-body rotation about the ankle axis (degrees, forward positive).

    """

    pelvis: np.ndarray
    lumbar_low: np.ndarray
    lumbar_up: np.ndarray
    thorax_low: np.ndarray
    thorax_up: np.ndarray
    neck: np.ndarray
    head: np.ndarray
    thigh: np.ndarray
    shank: np.ndarray
    foot: np.ndarray
    upper_arm: dict[str, np.ndarray]
    forearm: dict[str, np.ndarray]
    arm_twist: float = 0.0
    sway: np.ndarray = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True)
class TrialPhases:
    """Times (seconds from the clip start) of one sit-and-reach trial.

    ``start_s`` reach begins, ``max_s`` maximal reach first attained, ``hold_start_s``/``hold_end_s`` the held
    maximum, ``end_s`` back at rest.
    """

    start_s: float
    max_s: float
    hold_start_s: float
    hold_end_s: float
    end_s: float


def smoothstep(u: np.ndarray) -> np.ndarray:
    """Cosine ease from 0 to 1 over u in [0, 1], clipped outside; zero slope at both ends.

    Examples
    --------
    >>> smoothstep(np.array([-1.0, 0.0, 0.5, 1.0, 2.0])).round(6).tolist()
    [0.0, 0.0, 0.5, 1.0, 1.0]

    """
    u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * u)


def _unit(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _mirror(direction_left: np.ndarray) -> np.ndarray:
    return direction_left * np.array([-1.0, 1.0, 1.0])


def standing_posture(
    spec: StandingSpec, times: np.ndarray, *, neutral_tilt_deg: float, rng: np.random.Generator
) -> Posture:
    """Quiet standing with a given ASIS-PSIS tilt, an upright trunk and small antero-posterior sway.

    Parameters
    ----------
    spec : StandingSpec
        Target tilt, sway amplitude and arm position.
    times : ndarray, shape (F,)
        Frame times in seconds.
    neutral_tilt_deg : float
        ASIS-PSIS tilt of this body's rest pose
        (the pelvis is rotated by ``spec.tilt_deg - neutral_tilt_deg``).
    rng : numpy.random.Generator
        Source of the sway phase and frequency.

    Notes
    -----
    The lumbar spine compensates: spine04 keeps 0.4 of the pelvic rotation and spine03 swings back by 0.3 of
    it (a lordotic curve), so the thorax, neck and head stay upright; the legs stay vertical (the hip
    extends/flexes by the pelvic rotation).

    """
    f = np.ones_like(times, dtype=float)
    pelvis = (spec.tilt_deg - neutral_tilt_deg) * f
    freq = rng.uniform(0.15, 0.3)
    phase = rng.uniform(0.0, 2 * np.pi)
    sway = spec.sway_deg * (
        0.8 * np.sin(2 * np.pi * freq * times + phase)
        + 0.2 * np.sin(2 * np.pi * 2.3 * freq * times + 2 * phase)
    )
    if spec.arms == "folded":
        upper = _unit(np.array([0.30, -0.45, -1.0]))
        fore = _unit(np.array([-1.0, -0.30, 0.28]))
        upper_r, fore_r = _mirror(upper), _mirror(_unit(np.array([-1.0, -0.42, 0.22])))
    else:
        upper, fore = _unit(np.array([0.12, 0.02, -1.0])), _unit(np.array([0.06, -0.12, -1.0]))
        upper_r, fore_r = _mirror(upper), _mirror(fore)
    return Posture(
        pelvis=pelvis,
        lumbar_low=0.4 * pelvis,
        lumbar_up=-0.3 * pelvis,
        thorax_low=-0.1 * pelvis,
        thorax_up=0 * f,
        neck=0 * f,
        head=0 * f,
        thigh=0 * f,
        shank=0 * f,
        foot=0 * f,
        upper_arm={"L": np.tile(upper, (len(f), 1)), "R": np.tile(upper_r, (len(f), 1))},
        forearm={"L": np.tile(fore, (len(f), 1)), "R": np.tile(fore_r, (len(f), 1))},
        arm_twist=0.0,
        sway=sway,
    )


def knee_bend_angles(knee_flexion_deg: float, thigh_m: float, shank_m: float) -> tuple[float, float]:
    """Split a knee bend into thigh rise and shank drop for long sitting with hip and heel at one height.

    Parameters
    ----------
    knee_flexion_deg : float
        Knee flexion kappa (0 = straight), degrees.
    thigh_m, shank_m : float
        Hip-knee and knee-ankle lengths, metres.

    Returns
    -------
    alpha, beta : float
        Thigh elevation and shank declination from the horizontal, degrees, with ``alpha + beta = kappa`` and
        ``thigh * sin(alpha) = shank * sin(beta)`` (the knee rises, hip and ankle stay level).

    Examples
    --------
    Equal segments split the bend in half:

    >>> [round(a, 6) for a in knee_bend_angles(40.0, 0.4, 0.4)]
    [20.0, 20.0]

    """
    k = np.deg2rad(knee_flexion_deg)
    alpha = np.arctan2(shank_m * np.sin(k), thigh_m + shank_m * np.cos(k))
    return float(np.rad2deg(alpha)), float(knee_flexion_deg - np.rad2deg(alpha))


def reach_profile(spec: SitReachSpec, times: np.ndarray) -> tuple[np.ndarray, list[TrialPhases]]:
    """Reach fraction (0 = sitting at rest, 1 = maximal reach) over time, and the phases of each trial.

    Each trial: rest, reach (cosine ease, or for ``ballistic`` an ease to 0.85 then three bounces to 1),
    hold at 1, return. Times are seconds.
    """
    s = np.zeros_like(times, dtype=float)
    phases: list[TrialPhases] = []
    t0 = spec.rest_s
    for _ in range(spec.trials):
        t_max = t0 + spec.reach_s
        t_hold_end = t_max + spec.hold_s
        t_end = t_hold_end + spec.return_s
        reach = (times >= t0) & (times < t_max)
        u = (times[reach] - t0) / spec.reach_s
        if spec.ballistic:
            ease = 0.85 * smoothstep(u / 0.55)
            bounce = 0.15 * (0.5 - 0.5 * np.cos(2 * np.pi * 3 * np.clip((u - 0.55) / 0.45, 0, 1)))
            s[reach] = np.where(u < 0.55, ease, 0.85 + bounce)
        else:
            s[reach] = smoothstep(u)
        s[(times >= t_max) & (times < t_hold_end)] = 1.0
        back = (times >= t_hold_end) & (times < t_end)
        s[back] = 1.0 - smoothstep((times[back] - t_hold_end) / spec.return_s)
        # Ballistic: the first of three bounces peaks at u = 0.55 + 0.45 / 6 of the reach.
        first_max = t0 + (0.625 * spec.reach_s if spec.ballistic else spec.reach_s)
        phases.append(TrialPhases(t0, first_max, t_max, t_hold_end, t_end))
        t0 = t_end + spec.rest_s
    return s, phases


def _arm_direction(elevation_deg: np.ndarray, medial: float) -> np.ndarray:
    """Left-arm world direction at a sagittal elevation from the forward horizontal (down negative)."""
    e = np.deg2rad(elevation_deg)
    return _unit(np.stack([np.full_like(e, -medial), -np.cos(e), np.sin(e)], axis=-1))


def sit_reach_posture(
    spec: SitReachSpec, times: np.ndarray, *, thigh_m: float, shank_m: float
) -> tuple[Posture, list[TrialPhases]]:
    """Long sitting with soles against a box, reaching forward over the legs.

    Parameters
    ----------
    spec : SitReachSpec
        Extensibility, knee bend, trials and timing.
    times : ndarray, shape (F,)
        Frame times, seconds.
    thigh_m, shank_m : float
        Segment lengths for placing a bent knee (see ``knee_bend_angles``).

    Notes
    -----
    Hamstring extensibility ``e`` sets how the forward bend is shared: the pelvis goes from
    ``-12 - 10 (1 - e)`` degrees (tipped back from the standing rest pose) to ``-18 + 48 e + 0.5 * knee`` at
    maximal reach (slack hamstrings with bent knees let it rotate further), while the lumbar spine adds
    ``22 + 12 (1 - e)`` and the thoracic spine ``18 + 14 (1 - e)`` degrees of flexion. Ground-truth angles are
    measured on the posed body, not taken from these numbers.

    """
    s, phases = reach_profile(spec, times)
    e = spec.extensibility
    p_rest, p_max = -12.0 - 10.0 * (1 - e), -18.0 + 48.0 * e + 0.5 * spec.knee_flexion_deg
    lum = 4.0 + s * (18.0 + 12.0 * (1 - e))
    tho = 8.0 + s * (10.0 + 14.0 * (1 - e))
    pelvis = p_rest + s * (p_max - p_rest)
    alpha, beta = knee_bend_angles(spec.knee_flexion_deg, thigh_m, shank_m)
    f = np.ones_like(s)
    upper = _arm_direction(-65.0 + s * 53.0, 0.10)
    fore = _arm_direction(-60.0 + s * 48.0, 0.06)
    fore_r = _arm_direction(-60.0 + s * (48.0 + spec.uneven_hands_deg), 0.06)
    posture = Posture(
        pelvis=pelvis,
        lumbar_low=pelvis + 0.5 * lum,
        lumbar_up=pelvis + lum,
        thorax_low=pelvis + lum + 0.5 * tho,
        thorax_up=pelvis + lum + tho,
        neck=0.5 * (pelvis + lum + tho) + 6.0 * s,
        head=0.4 * (pelvis + lum + tho) + 10.0 * s,
        thigh=(-90.0 - alpha) * f,
        shank=(-90.0 + beta) * f,
        foot=(-90.0 + beta + 8.0) * f,
        upper_arm={"L": upper, "R": _mirror(upper)},
        forearm={"L": fore, "R": _mirror(fore_r)},
        arm_twist=-90.0,
        sway=np.zeros_like(s),
    )
    return posture, phases


def raise_direction(direction: np.ndarray, lift_deg: np.ndarray) -> np.ndarray:
    """Rotate world directions (n, 3) by ``lift_deg`` (n,) about +X, turning forward (-Y) towards up (+Z).

    This is ``geometry.rot_x(-lift)``: the medial (X) component is kept and the sagittal elevation grows by
    the lift.
    """
    d = np.asarray(direction, dtype=float)
    t = np.deg2rad(np.asarray(lift_deg, dtype=float))
    c, s = np.cos(t), np.sin(t)
    return np.stack([d[:, 0], c * d[:, 1] + s * d[:, 2], c * d[:, 2] - s * d[:, 1]], axis=-1)


def lift_arms(posture: Posture, lift_deg: dict[str, np.ndarray]) -> Posture:
    """Raise each whole arm (upper arm and forearm together, elbow angle kept) about the left-right axis.

    Parameters
    ----------
    posture : Posture
        Any posture.
    lift_deg : dict[str, ndarray]
        ``"L"``/``"R"`` -> per-frame lift, degrees, shape (F,); positive turns a forward-pointing arm upwards
        (adds to its elevation from the forward horizontal). A side that is missing is left as it is.

    Examples
    --------
    At rest the upper arm points 65 degrees below the forward horizontal; lifted by 65 degrees it is level:

    >>> p, _ = sit_reach_posture(SitReachSpec(trials=1), np.zeros(1), thigh_m=0.4, shank_m=0.4)
    >>> bool(abs(lift_arms(p, {"L": np.array([65.0])}).upper_arm["L"][0, 2]) < 1e-12)
    True

    """
    upper, fore = dict(posture.upper_arm), dict(posture.forearm)
    for side, lift in lift_deg.items():
        upper[side] = raise_direction(upper[side], lift)
        fore[side] = raise_direction(fore[side], lift)
    return replace(posture, upper_arm=upper, forearm=fore)


def hands_over_box_lift(
    fingertip: Callable[[np.ndarray, np.ndarray], np.ndarray],
    times: np.ndarray,
    *,
    face_y: float,
    top_z: float,
    clearance_m: float = 0.01,
    ramp_s: float = 0.5,
    max_lift_deg: float = 80.0,
) -> np.ndarray:
    """Per-frame arm lift keeping one fingertip above the box top whenever it is beyond the box's near face.

    In a real sit-and-reach the hands slide along the top of the box; the reach script alone can push them
    below it. Every frame whose fingertip lies beyond the face (``y < face_y``, world forward is -Y) and lower
    than ``top_z + clearance_m`` gets the smallest lift (bisection, see ``lift_arms``) that raises it to that
    height. The lifts are then spread over neighbouring frames by the upper envelope of cosine bumps
    ``lift_j * smoothstep(1 - |t - t_j| / ramp_s)``, so that the hand rises smoothly instead of jumping onto
    the box in one frame; this is repeated until no frame is short (a lift also moves the hand forward).

    Parameters
    ----------
    fingertip : callable
        ``fingertip(lift_deg, frames)`` -> world fingertip positions (n, 3) of the frames ``frames`` (int
        array, shape (n,)) with those per-frame lifts (degrees, shape (n,)) applied. Must rise monotonically
        with the lift over ``[0, max_lift_deg]`` (true while the arm points below the vertical).
    times : ndarray, shape (F,)
        Frame times, seconds.
    face_y, top_z : float
        World y of the box's near face and z of its top, metres.
    clearance_m : float
        Height kept above the box top.
    ramp_s : float
        Half-width of the smoothing bump, seconds. Frames farther than this in time from every frame whose
        fingertip is beyond the face keep a lift of exactly 0; a clip where no fingertip passes the face gets
        no lift at all.
    max_lift_deg : float
        Largest lift tried.

    Returns
    -------
    ndarray, shape (F,)
        Lift per frame, degrees, >= 0.

    Raises
    ------
    ValueError
        If ``max_lift_deg`` cannot raise a fingertip to the required height.

    """
    times = np.asarray(times, dtype=float)
    n = len(times)
    target = top_z + clearance_m
    need = np.zeros(n)
    lift = np.zeros(n)
    every = np.arange(n)
    for _ in range(50):
        tip = fingertip(lift, every)
        short = np.flatnonzero((tip[:, 1] < face_y) & (tip[:, 2] < target - 1e-9))
        if len(short) == 0:
            return lift
        if np.any(fingertip(np.full(len(short), max_lift_deg), short)[:, 2] < target):
            raise ValueError(
                f"a lift of {max_lift_deg} deg does not raise the fingertip {clearance_m} m above the box top"
            )
        lo, hi = lift[short].copy(), np.full(len(short), max_lift_deg)
        for _ in range(30):
            mid = 0.5 * (lo + hi)
            high = fingertip(mid, short)[:, 2] >= target
            hi, lo = np.where(high, mid, hi), np.where(high, lo, mid)
        need[short] = np.maximum(need[short], hi)
        lift = _bump_envelope(need, times, ramp_s)
    raise ValueError("the arm lift over the box did not converge")


def _bump_envelope(peaks: np.ndarray, times: np.ndarray, half_width_s: float) -> np.ndarray:
    """max_j peaks_j * smoothstep(1 - |t - t_j| / half_width_s): equals each peak at its own frame, >= 0."""
    out = np.zeros_like(peaks)
    for j in np.flatnonzero(peaks > 0):
        out = np.maximum(out, peaks[j] * smoothstep(1.0 - np.abs(times - times[j]) / half_width_s))
    return out
