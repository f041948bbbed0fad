"""What the ASIS/PSIS skin stickers look like and what a search for them returns (plain data).

:mod:`tiltscreen.pose.stickers` finds them; these containers are what it returns and what
:mod:`tiltscreen.kinematics.sticker_tilt` reads. Points are full-resolution pixels ``(x, y)``, y down.
"""

from __future__ import annotations

import colorsys
import math
import re
from dataclasses import dataclass, field

import numpy as np

from tiltscreen.checks import number_problems, raise_if_problems
from tiltscreen.errors import ValidationError

#: colours that ``--marker-colour`` accepts by name (sRGB, 0-255)
NAMED_COLOURS: dict[str, tuple[int, int, int]] = {
    "green": (0, 200, 0),
    "blue": (0, 90, 255),
    "red": (220, 0, 0),
    "yellow": (230, 220, 0),
    "orange": (255, 120, 0),
    "magenta": (220, 0, 200),
    "cyan": (0, 200, 220),
}


def parse_colour(text: str) -> tuple[int, int, int]:
    """Parse a ``--marker-colour`` value: a name, ``#rrggbb`` or ``r,g,b``.

    Examples
    --------
    >>> parse_colour("green"), parse_colour("#00C800"), parse_colour("0, 90, 255")
    ((0, 200, 0), (0, 200, 0), (0, 90, 255))

    """
    s = str(text).strip().lower()
    if s in NAMED_COLOURS:
        return NAMED_COLOURS[s]
    if re.fullmatch(r"#[0-9a-f]{6}", s):
        return (int(s[1:3], 16), int(s[3:5], 16), int(s[5:7], 16))
    parts = s.split(",")
    if len(parts) == 3 and all(p.strip().isdigit() and int(p) <= 255 for p in parts):
        return (int(parts[0]), int(parts[1]), int(parts[2]))
    raise ValidationError(
        f"Unknown sticker colour {text!r}; use a name ({', '.join(NAMED_COLOURS)}), '#rrggbb' or 'r,g,b'."
    )


@dataclass(frozen=True)
class StickerSpec:
    """What the stickers look like (parsed once at the edge).

    Attributes
    ----------
    colour_rgb : (int, int, int) or str
        sRGB 0-255, or anything :func:`parse_colour` accepts (stored as the tuple).
    diameter_cm : float
        Sticker diameter, cm (> 0).
    hue_tolerance_deg : float
        Largest hue difference from the sticker's hue that still counts, degrees (0-90].
    min_saturation : float
        Smallest saturation (0-1) of a sticker's most saturated pixel.
    min_value : float
        Smallest HSV value (0-1) of a sticker pixel (darker pixels have no reliable hue).
    min_contrast : float
        Smallest excess of a sticker pixel's colour score over its local background (0-1).

    """

    colour_rgb: tuple[int, int, int] | str = (0, 200, 0)
    diameter_cm: float = 2.0
    hue_tolerance_deg: float = 40.0
    min_saturation: float = 0.25
    min_value: float = 0.15
    min_contrast: float = 0.2

    def __post_init__(self) -> None:
        rgb = parse_colour(self.colour_rgb) if isinstance(self.colour_rgb, str) else self.colour_rgb
        problems: list[str] = []
        if len(tuple(rgb)) != 3 or not all(isinstance(c, int | np.integer) and 0 <= c <= 255 for c in rgb):
            problems.append(f"colour_rgb must be three integers 0-255, got {self.colour_rgb!r}")
        else:
            object.__setattr__(self, "colour_rgb", tuple(int(c) for c in rgb))
            if colorsys.rgb_to_hsv(*(c / 255 for c in rgb))[1] < 0.5:
                problems.append(f"colour_rgb must be a saturated colour (HSV saturation >= 0.5), got {rgb!r}")
        problems += number_problems("diameter_cm", self.diameter_cm, low=0.0, high=20.0, strict_low=True)
        problems += number_problems(
            "hue_tolerance_deg", self.hue_tolerance_deg, low=0.0, high=90.0, strict_low=True
        )
        for name in ("min_saturation", "min_value", "min_contrast"):
            problems += number_problems(name, getattr(self, name), low=0.0, high=1.0)
        raise_if_problems("StickerSpec", problems)

    @property
    def hue_deg(self) -> float:
        """Hue of ``colour_rgb``, degrees in [0, 360)."""
        return 360.0 * colorsys.rgb_to_hsv(*(c / 255 for c in self.colour_rgb))[0]  # type: ignore[union-attr]


@dataclass(frozen=True)
class Blob:
    """One sticker-coloured spot.

    ``centre_px`` and ``area_px`` in full-resolution px and px², ``contrast`` the peak colour-score
    excess over the local background (0-1), ``elongation`` the axis ratio (>= 1).
    """

    centre_px: np.ndarray
    area_px: float
    contrast: float
    elongation: float


@dataclass(frozen=True)
class StickerPair:
    """The two stickers found in one frame.

    Attributes
    ----------
    asis_px, psis_px : ndarray, shape (2,)
        Sub-pixel centres, full-resolution pixels, y down.
    quality : float
        0-1: the weaker sticker's contrast times the agreement of the two sizes.
    reasons : tuple of str
        Warnings that did not prevent the measurement (e.g. a partly hidden sticker).
    stature_px : float
        The subject's stature in full-resolution px estimated from the landmarks (for
        :func:`remove_parallax`).

    """

    asis_px: np.ndarray
    psis_px: np.ndarray
    quality: float
    reasons: tuple[str, ...] = ()
    stature_px: float = math.nan


@dataclass(frozen=True)
class StickerSearch:
    """Outcome of :func:`find_sticker_pair`: the ``pair``, or None and the ``reason``; every blob seen."""

    pair: StickerPair | None
    reason: str | None
    blobs: tuple[Blob, ...] = ()


#: the pelvis stickers of the sit-and-reach layout, front to back
PELVIS_STICKERS = ("asis", "psis", "iliac_crest")


@dataclass(frozen=True)
class PelvisStickerSpecs:
    """Colours of the sit-and-reach pelvis stickers (the same size for all).

    Attributes
    ----------
    anterior : StickerSpec
        The ASIS and PSIS stickers (the standing layout's pair).
    crest : StickerSpec
        The posterior iliac crest sticker; the same colour as ``anterior`` or a second colour, which
        tells it from the PSIS by colour as well as by position.

    """

    anterior: StickerSpec = field(default_factory=StickerSpec)
    crest: StickerSpec = field(default_factory=StickerSpec)

    @property
    def two_colours(self) -> bool:
        """True when the crest sticker has its own colour."""
        return self.anterior.colour_rgb != self.crest.colour_rgb


@dataclass(frozen=True)
class PelvisBody:
    """Where the pelvis is in one frame, from the landmarks (full-resolution px, y down).

    ``hip_px`` is the near-side hip landmark, ``up`` the unit vector from mid-hip to mid-shoulder
    (up the trunk), ``forward`` the unit normal to it on the side the subject faces, ``stature_px``
    an estimate of the subject's stature (trunk length / 0.29 and leg length / 0.49).
    """

    hip_px: np.ndarray
    up: np.ndarray
    forward: np.ndarray
    stature_px: float

    def coords(self, p: np.ndarray) -> tuple[float, float]:
        """Return ``(along, ahead)``: ``p`` relative to the hip along ``up`` and ``forward``, in statures."""
        d = np.asarray(p, float) - self.hip_px
        return float(d @ self.up) / self.stature_px, float(d @ self.forward) / self.stature_px


@dataclass(frozen=True)
class PelvisSticker:
    """One labelled pelvis sticker in one frame.

    ``name`` is one of :data:`PELVIS_STICKERS`; ``centre_px`` full-resolution px; ``area_ratio`` the
    blob's area over a whole sticker's expected area (well under 1: partly hidden, its centre biased);
    ``split`` is True when it was cut out of a blob that held two touching stickers.
    """

    name: str
    centre_px: np.ndarray
    area_ratio: float
    contrast: float
    split: bool = False


@dataclass(frozen=True)
class PelvisSearch:
    """Outcome of one frame's pelvis-sticker search.

    The labelled ``stickers`` (by name), every blob kept, the body frame (None without landmarks) and a
    plain-sentence ``reason`` when nothing was found.
    """

    stickers: dict[str, PelvisSticker]
    blobs: tuple[Blob, ...] = ()
    body: PelvisBody | None = None
    reason: str | None = None
