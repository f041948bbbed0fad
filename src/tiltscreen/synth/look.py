"""Richer scene looks (pure numpy): continuous colours, light direction and colour, wall distance, box tops.

Skin tones and clothing colours are drawn on continuous ranges; the box top can be close to the skin colour or
contrast with it; colours can be overridden.

The first generator's look (``render.draw_look``, small palettes, fixed light directions) stays the default so
that earlier seeds render the same; ``rich_look`` draws from its own stream (``numpy.random.default_rng([seed,
2])``). Colours are RGB in 0..1 as given to the renderer's materials; colour differences are CIE76 delta E
computed as if those values were sRGB (a rough perceptual distance).
"""

from __future__ import annotations

import colorsys
from dataclasses import replace

import numpy as np

from tiltscreen.synth.render import Look

SKIN_RAMP = np.array(
    [
        (0.92, 0.75, 0.64),
        (0.87, 0.68, 0.57),
        (0.80, 0.58, 0.46),
        (0.62, 0.42, 0.30),
        (0.42, 0.27, 0.18),
        (0.26, 0.16, 0.11),
    ]
)
CONTRAST_BOXES = (
    (0.08, 0.08, 0.09),
    (0.10, 0.18, 0.45),
    (0.05, 0.35, 0.18),
    (0.55, 0.05, 0.08),
    (0.20, 0.20, 0.55),
    (0.92, 0.92, 0.94),
)


def srgb_to_lab(rgb) -> np.ndarray:
    """CIE L*a*b* (D65) of sRGB colours in 0..1, shape (..., 3).

    Examples
    --------
    >>> srgb_to_lab(np.array([1.0, 1.0, 1.0])).round(1).tolist()
    [100.0, 0.0, 0.0]

    """
    c = np.asarray(rgb, dtype=float)
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = lin @ m.T / np.array([0.9505, 1.0, 1.089])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def delta_e(a, b) -> float:
    """CIE76 colour difference between two sRGB colours in 0..1."""
    return float(np.linalg.norm(srgb_to_lab(a) - srgb_to_lab(b)))


def _hsv(rng: np.random.Generator, sat: tuple[float, float], val: tuple[float, float]) -> tuple:
    rgb = colorsys.hsv_to_rgb(float(rng.uniform(0, 1)), float(rng.uniform(*sat)), float(rng.uniform(*val)))
    return tuple(round(c, 3) for c in rgb)


def skin_tone(rng: np.random.Generator) -> tuple[float, float, float]:
    """Return a skin colour anywhere along ``SKIN_RAMP`` (light to dark), with a small per-channel jitter."""
    t = rng.uniform(0, len(SKIN_RAMP) - 1)
    k = min(int(t), len(SKIN_RAMP) - 2)
    base = SKIN_RAMP[k] + (t - k) * (SKIN_RAMP[k + 1] - SKIN_RAMP[k])
    return tuple(np.clip(base + rng.uniform(-0.03, 0.03, 3), 0, 1).round(3))


def rich_look(rng: np.random.Generator) -> Look:
    """Draw a look with continuous colours, light direction, intensity and colour and the wall distance."""
    warm = np.array([1.0, 0.86, 0.72])
    cool = np.array([0.86, 0.93, 1.0])
    tint = warm + rng.uniform(0, 1) * (cool - warm)
    return Look(
        skin=skin_tone(rng),
        shirt=_hsv(rng, (0.05, 0.85), (0.12, 0.92)),
        shorts=_hsv(rng, (0.05, 0.8), (0.08, 0.6)),
        hair=tuple(
            (np.array([0.06, 0.045, 0.035]) + rng.uniform(0, 1) * np.array([0.6, 0.5, 0.38])).round(3)
        ),
        floor=_hsv(rng, (0.0, 0.35), (0.2, 0.7)),
        wall=_hsv(rng, (0.0, 0.25), (0.55, 0.95)),
        box=_hsv(rng, (0.1, 0.8), (0.2, 0.9)),
        light=float(rng.uniform(1.8, 4.5)),
        ambient=float(rng.uniform(0.15, 0.5)),
        key_yaw_deg=float(rng.uniform(-70, 70)),
        key_pitch_deg=float(rng.uniform(-60, -10)),
        fill_yaw_deg=float(rng.uniform(-80, -30) * rng.choice([-1, 1])),
        fill_ratio=float(rng.uniform(0.1, 0.6)),
        light_rgb=tuple((tint / tint.max()).round(3)),
        wall_distance_m=float(rng.uniform(0.6, 2.5)),
    )


def skin_like(skin, rng: np.random.Generator, *, max_delta_e: float = 12.0) -> tuple[float, float, float]:
    """Return a colour close to ``skin`` (delta E below ``max_delta_e``): light wood, beige board."""
    for _ in range(100):
        c = np.clip(np.asarray(skin) + rng.uniform(-0.06, 0.06, 3), 0, 1)
        if delta_e(c, skin) < max_delta_e:
            return tuple(c.round(3))
    return tuple(np.asarray(skin, dtype=float).round(3))


def contrasting(skin, rng: np.random.Generator, *, min_delta_e: float = 40.0) -> tuple[float, float, float]:
    """Return a dark or saturated colour at least ``min_delta_e`` from ``skin`` (shuffled palette)."""
    order = rng.permutation(len(CONTRAST_BOXES))
    best = max(CONTRAST_BOXES, key=lambda c: delta_e(c, skin))
    for k in order:
        if delta_e(CONTRAST_BOXES[k], skin) >= min_delta_e:
            return CONTRAST_BOXES[k]
    return best


def finish_look(look: Look, realism, rng: np.random.Generator) -> Look:
    """Apply ``realism``'s colour overrides and its box-top rule to a drawn look.

    ``box_top`` ``skin``/``contrast`` sets the box top (``Look.box_top``) from the final skin colour; an
    explicit
    ``box_rgb`` colours the whole box, top included.
    """

    def rgb(value):
        return None if value is None else tuple(round(c / 255.0, 4) for c in value)

    changes = {
        name: rgb(getattr(realism, f"{name}_rgb"))
        for name in ("skin", "shirt", "shorts", "box")
        if getattr(realism, f"{name}_rgb") is not None
    }
    look = replace(look, **changes)
    if realism.box_rgb is not None:
        return replace(look, box_top=look.box)
    if realism.box_top == "skin":
        return replace(look, box_top=skin_like(look.skin, rng))
    if realism.box_top == "contrast":
        return replace(look, box_top=contrasting(look.skin, rng))
    return replace(look, box_top=look.box)
