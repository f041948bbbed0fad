"""Frozen configuration of a clip's scene: realism (look, light, degradation, codec) and level references.

Re-exported by ``config``; split out to keep modules short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


def _check(problems: list[str], ok: bool, message: str) -> None:
    if not ok:
        problems.append(message)


@dataclass(frozen=True)
class RealismSpec:
    """Scene dressing and image degradation.

    Attributes
    ----------
    noise_sigma : float
        Standard deviation of additive Gaussian sensor noise, in 8-bit grey levels.
    blur_sigma_px : float
        Gaussian blur sigma in pixels (0 = none).
    crf : int
        x264 constant rate factor (higher = smaller, blockier).
    vary_scene : bool
        Draw background, floor colour, clothing colours and lighting from the seed;
        False = fixed neutral look.
    look : {"classic", "rich"}
        ``classic``: the first generator's small palettes and fixed light directions (kept so that earlier
        seeds render the same). ``rich``: continuous skin tones and clothing colours, light direction,
        intensity and colour, a back wall 0.6-2.5 m behind the subject, drawn from a separate seeded stream
        (see ``look.py``).
    shadows : bool
        Cast shadows from the key light (OSMesa shadow maps).
    clutter : int
        Number of background objects (boxes, cylinders, pictures on the wall) placed away from the subject.
    skin_rgb, shirt_rgb, shorts_rgb, box_rgb : tuple of int or None
        Colour overrides, 0..255 (None = drawn).
    box_top : {"drawn", "skin", "contrast"}
        Box colour: drawn from the palette, close to the skin colour (delta E < ~12), or strongly
        contrasting with it (dark or saturated). ``box_rgb`` wins over it.
    codec : {"h264", "mjpeg", "vp9"}
        Video codec and container: H.264 in ``.mp4``, Motion-JPEG in ``.avi`` (quality from ``crf``), VP9 in
        ``.webm`` (``crf`` as VP9's constant quality).

    """

    noise_sigma: float = 2.0
    blur_sigma_px: float = 0.6
    crf: int = 26
    vary_scene: bool = True
    look: Literal["classic", "rich"] = "classic"
    shadows: bool = False
    clutter: int = 0
    skin_rgb: tuple[int, int, int] | None = None
    shirt_rgb: tuple[int, int, int] | None = None
    shorts_rgb: tuple[int, int, int] | None = None
    box_rgb: tuple[int, int, int] | None = None
    box_top: Literal["drawn", "skin", "contrast"] = "drawn"
    codec: Literal["h264", "mjpeg", "vp9"] = "h264"

    def problems(self) -> list[str]:
        """Return every problem with these values (empty when valid)."""
        out: list[str] = []
        _check(
            out, 0.0 <= self.noise_sigma <= 30.0, f"noise_sigma must be in [0, 30], got {self.noise_sigma!r}"
        )
        _check(
            out,
            0.0 <= self.blur_sigma_px <= 5.0,
            f"blur_sigma_px must be in [0, 5], got {self.blur_sigma_px!r}",
        )
        _check(out, 0 <= self.crf <= 51, f"crf must be in [0, 51], got {self.crf!r}")
        _check(out, self.look in ("classic", "rich"), f"look must be 'classic' or 'rich', got {self.look!r}")
        _check(out, 0 <= self.clutter <= 12, f"clutter must be in [0, 12], got {self.clutter!r}")
        for name in ("skin_rgb", "shirt_rgb", "shorts_rgb", "box_rgb"):
            value = getattr(self, name)
            _check(
                out,
                value is None or (len(value) == 3 and all(0 <= c <= 255 for c in value)),
                f"{name} must be None or three values in 0..255, got {value!r}",
            )
        _check(
            out,
            self.box_top in ("drawn", "skin", "contrast"),
            f"box_top must be 'drawn', 'skin' or 'contrast', got {self.box_top!r}",
        )
        _check(
            out,
            self.codec in ("h264", "mjpeg", "vp9"),
            f"codec must be 'h264', 'mjpeg' or 'vp9', got {self.codec!r}",
        )
        return out

    @property
    def suffix(self) -> str:
        """File suffix of the video container."""
        return {"h264": ".mp4", "mjpeg": ".avi", "vp9": ".webm"}[self.codec]


@dataclass(frozen=True)
class LevelRefSpec:
    """Optional level references in the room (placement drawn from the seed, see ``scenery.py``).

    Attributes
    ----------
    wall_marker : bool
        An ArUco marker (DICT_4X4_50, ``wall_marker_id``) taped flat on the wall behind the subject, its edges
        level up to ``wall_marker_tilt_deg`` (in-plane rotation, counter-clockwise as seen from the camera).
    wall_marker_id : int
        Marker id (the sit-and-reach box uses id 0).
    wall_marker_cm : float
        Side of its black square.
    plumb_line : bool
        A thin dark cord hanging from above the image with two small coloured balls (SAPO protocol).
    door_frame : bool
        A door frame in the back wall (two vertical posts and a lintel).
    wall_corner : bool
        A side wall meeting the back wall in a vertical corner.
    furniture : bool
        A cabinet with vertical edges standing against the back wall.

    """

    wall_marker: bool = False
    wall_marker_id: int = 1
    wall_marker_cm: float = 15.0
    wall_marker_tilt_deg: float = 0.0
    plumb_line: bool = False
    door_frame: bool = False
    wall_corner: bool = False
    furniture: bool = False

    @property
    def any(self) -> bool:
        """True if any reference is in the scene."""
        return self.wall_marker or self.plumb_line or self.door_frame or self.wall_corner or self.furniture

    def problems(self) -> list[str]:
        """Return every problem with these values (empty when valid)."""
        out: list[str] = []
        _check(
            out,
            1 <= self.wall_marker_id <= 49,
            f"wall_marker_id must be in [1, 49] (id 0 is the box's), got {self.wall_marker_id!r}",
        )
        _check(
            out,
            5.0 <= self.wall_marker_cm <= 40.0,
            f"wall_marker_cm must be in [5, 40], got {self.wall_marker_cm!r}",
        )
        _check(
            out,
            abs(self.wall_marker_tilt_deg) <= 10.0,
            f"wall_marker_tilt_deg must be within +-10, got {self.wall_marker_tilt_deg!r}",
        )
        return out
