"""Frozen, validated configuration of one synthetic clip, parsed once at the edge (the CLI).

All lengths are in centimetres or metres as the field name says; all angles are in degrees.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

from tiltscreen.synth.config_scene import LevelRefSpec, RealismSpec  # re-exported

Scene = Literal["standing", "sit-and-reach"]
Side = Literal["left", "right"]


def _check(problems: list[str], ok: bool, message: str) -> None:
    if not ok:
        problems.append(message)


@dataclass(frozen=True)
class BodySpec:
    """The rendered person.

    Attributes
    ----------
    sex : float
        anny ``gender`` parameter, 0 = male ... 1 = female.
    stature_cm : float
        Target standing height (vertex top to sole), reached by searching anny's ``height`` parameter.
    age_years : float
        Nominal age, mapped piecewise-linearly onto anny's ``age`` parameter
        (MakeHuman anchors 1, 11, 25, 90 y).
    weight : float
        anny ``weight`` parameter, 0 (thin) ... 1 (heavy); the mesh volume gives an estimated mass in the GT.
    muscle : float
        anny ``muscle`` parameter, 0 ... 1.
    proportions : float
        anny ``proportions`` parameter, 0 (ideal) ... 1 (uncommon).

    """

    sex: float = 0.0
    stature_cm: float = 175.0
    age_years: float = 30.0
    weight: float = 0.5
    muscle: float = 0.5
    proportions: float = 0.5

    def problems(self) -> list[str]:
        """Return every problem with these values (empty when valid)."""
        out: list[str] = []
        for name in ("sex", "weight", "muscle", "proportions"):
            value = getattr(self, name)
            _check(out, 0.0 <= value <= 1.0, f"body.{name} must be in [0, 1], got {value!r}")
        _check(
            out,
            120.0 <= self.stature_cm <= 210.0,
            f"stature_cm must be in [120, 210], got {self.stature_cm!r}",
        )
        _check(out, 11.0 <= self.age_years <= 90.0, f"age_years must be in [11, 90], got {self.age_years!r}")
        return out


@dataclass(frozen=True)
class CameraSpec:
    """A side-view camera.

    Attributes
    ----------
    side : {"left", "right"}
        Which side of the subject the camera sees (camera on the subject's left = sees the left side).
    distance_m : float or None
        Distance from the aim point (the middle of the subject's extent over the clip, box included) to the
        camera centre along the optical axis; with yaw = pitch = 0 this is the horizontal distance from the
        sagittal plane. None (default) = the closest distance that keeps the whole subject inside the image
        with ``margin``. An explicit distance that is too close raises ``framing.FramingError`` when the clip
        is made.
    height_m : float or None
        Height of the aim point (= camera height when pitch is 0); None = the middle of the subject's extent.
    yaw_deg, pitch_deg, roll_deg : float
        Orientation offsets from a level camera perpendicular to the sagittal plane (see
        ``geometry.camera_rotation``); the camera centre moves along the turned optical axis so that the
        subject stays centred (an oblique view, as a phone turned towards the subject).
    width, height : int
        Image size in pixels.
    fps : float
        Frames per second.
    hfov_deg : float
        Horizontal field of view; gives fx = fy in pixels (square pixels, principal point at the centre).
    margin : float
        Free border kept on every side of the subject's extent, as a fraction of the image height.

    """

    side: Side = "left"
    distance_m: float | None = None
    height_m: float | None = None
    yaw_deg: float = 0.0
    pitch_deg: float = 0.0
    roll_deg: float = 0.0
    width: int = 640
    height: int = 360
    fps: float = 30.0
    hfov_deg: float = 60.0
    margin: float = 0.05

    def problems(self) -> list[str]:
        """Return every problem with these values (empty when valid)."""
        out: list[str] = []
        _check(
            out, self.side in ("left", "right"), f"camera side must be 'left' or 'right', got {self.side!r}"
        )
        _check(
            out,
            self.distance_m is None or 0.5 <= self.distance_m <= 10.0,
            f"distance_m must be None or in [0.5, 10], got {self.distance_m!r}",
        )
        _check(out, 0.0 <= self.margin <= 0.3, f"camera margin must be in [0, 0.3], got {self.margin!r}")
        _check(
            out,
            64 <= self.width <= 3840 and 64 <= self.height <= 2160,
            f"resolution must be within 64..3840 x 64..2160, got {self.width}x{self.height}",
        )
        _check(
            out,
            self.width % 2 == 0 and self.height % 2 == 0,
            f"H.264 needs even width and height, got {self.width}x{self.height}",
        )
        _check(out, 1.0 <= self.fps <= 120.0, f"fps must be in [1, 120], got {self.fps!r}")
        _check(out, 20.0 <= self.hfov_deg <= 120.0, f"hfov_deg must be in [20, 120], got {self.hfov_deg!r}")
        for name in ("yaw_deg", "pitch_deg", "roll_deg"):
            value = getattr(self, name)
            _check(out, abs(value) <= 45.0, f"camera {name} must be within +-45, got {value!r}")
        return out


@dataclass(frozen=True)
class StandingSpec:
    """Quiet standing, side view.

    Attributes
    ----------
    tilt_deg : float
        True ASIS-PSIS pelvic tilt, positive = anterior (ASIS lower than PSIS). The trunk stays upright:
        the lumbar spine takes up the difference.
    sway_deg : float
        Amplitude of the whole-body antero-posterior sway about the ankles (0 = none).
    arms : {"folded", "hanging"}
        Arms folded across the chest (keeps the ASIS in view) or hanging at the sides.
    duration_s : float
        Clip length.

    """

    tilt_deg: float = 12.0
    sway_deg: float = 0.6
    arms: Literal["folded", "hanging"] = "folded"
    duration_s: float = 10.0

    def problems(self) -> list[str]:
        """Return every problem with these values (empty when valid)."""
        out: list[str] = []
        _check(out, -15.0 <= self.tilt_deg <= 40.0, f"tilt_deg must be in [-15, 40], got {self.tilt_deg!r}")
        _check(out, 0.0 <= self.sway_deg <= 3.0, f"sway_deg must be in [0, 3], got {self.sway_deg!r}")
        _check(
            out, self.arms in ("folded", "hanging"), f"arms must be 'folded' or 'hanging', got {self.arms!r}"
        )
        _check(
            out, 1.0 <= self.duration_s <= 120.0, f"duration_s must be in [1, 120], got {self.duration_s!r}"
        )
        return out


@dataclass(frozen=True)
class SitReachSpec:
    """Classic sit-and-reach: long sitting, soles against a box, reach - hold - return, one or more trials.

    Attributes
    ----------
    extensibility : float
        Hamstring extensibility, 0 (short: the pelvis stays tipped back and the spine does the bending) ... 1
        (long: the pelvis rotates far forward).
    knee_flexion_deg : float
        Knee bend of both legs (0 = straight, as the protocol requires).
    trials : int
        Number of reach trials in the clip.
    hold_s : float
        Time held at maximal reach in each trial.
    reach_s, return_s, rest_s : float
        Durations of the reach, the return and the rest before each trial and after the last.
    ballistic : bool
        Bounce (3 quick pulses) at the end of the reach instead of a slow, steady reach.
    uneven_hands_deg : float
        Extra elbow flexion of the right arm at maximal reach (0 = hands level).
    marker : bool
        Print an ArUco marker (DICT_4X4_50, id 0) on the camera-facing side of the box.
    marker_cm : float
        Side of the marker's black square.
    marker_along_cm : float or None
        Centre of the marker's black square measured from the box's foot end (the face the soles press on)
        along the box, cm; None = the middle of the box's length.
    marker_below_top_cm : float or None
        Centre of the black square below the box's top edge, cm; None = the middle of the box's height.
    box_length_cm, box_width_cm, box_height_cm : float
        Box size: length along the reach, width across the legs, height of the top above the floor.

    """

    extensibility: float = 0.5
    knee_flexion_deg: float = 0.0
    trials: int = 2
    hold_s: float = 2.5
    reach_s: float = 2.0
    return_s: float = 1.5
    rest_s: float = 1.0
    ballistic: bool = False
    uneven_hands_deg: float = 0.0
    marker: bool = True
    marker_cm: float = 10.0
    marker_along_cm: float | None = None
    marker_below_top_cm: float | None = None
    box_length_cm: float = 40.0
    box_width_cm: float = 44.0
    box_height_cm: float = 32.0

    def problems(self) -> list[str]:
        """Return every problem with these values (empty when valid)."""
        out: list[str] = []
        _check(
            out,
            0.0 <= self.extensibility <= 1.0,
            f"extensibility must be in [0, 1], got {self.extensibility!r}",
        )
        _check(
            out,
            0.0 <= self.knee_flexion_deg <= 60.0,
            f"knee_flexion_deg must be in [0, 60], got {self.knee_flexion_deg!r}",
        )
        _check(out, 1 <= self.trials <= 6, f"trials must be in [1, 6], got {self.trials!r}")
        for name in ("hold_s", "reach_s", "return_s", "rest_s"):
            value = getattr(self, name)
            _check(out, 0.3 <= value <= 20.0, f"{name} must be in [0.3, 20], got {value!r}")
        _check(
            out,
            0.0 <= self.uneven_hands_deg <= 45.0,
            f"uneven_hands_deg must be in [0, 45], got {self.uneven_hands_deg!r}",
        )
        _check(out, 4.0 <= self.marker_cm <= 25.0, f"marker_cm must be in [4, 25], got {self.marker_cm!r}")
        for name, lo, hi in (("box_length_cm", 25, 80), ("box_width_cm", 25, 70), ("box_height_cm", 20, 45)):
            value = getattr(self, name)
            _check(out, lo <= value <= hi, f"{name} must be in [{lo}, {hi}], got {value!r}")
        half = self.marker_cm / 2.0 + 2.0  # the printed white border is 2 cm
        along = self.box_length_cm / 2 if self.marker_along_cm is None else self.marker_along_cm
        below = self.box_height_cm / 2 if self.marker_below_top_cm is None else self.marker_below_top_cm
        _check(
            out,
            not self.marker
            or (half <= along <= self.box_length_cm - half and half <= below <= self.box_height_cm - half),
            f"the printed marker ({2 * half:g} cm with its border) must lie on the box side: centre "
            f"{along:g} cm along and {below:g} cm below the top of a {self.box_length_cm:g} x "
            f"{self.box_height_cm:g} cm side",
        )
        return out

    @property
    def duration_s(self) -> float:
        """Clip length implied by the trial timings, seconds."""
        return self.rest_s + self.trials * (self.reach_s + self.hold_s + self.return_s + self.rest_s)


POSTERIOR_POINTS = ("psis", "s2", "s4", "iliac_crest")


@dataclass(frozen=True)
class ClipSpec:
    """Everything that determines one clip.

    With the seed it fixes every pixel and every ground-truth number.
    """

    scene: Scene
    seed: int = 0
    body: BodySpec = field(default_factory=BodySpec)
    camera: CameraSpec = field(default_factory=CameraSpec)
    realism: RealismSpec = field(default_factory=RealismSpec)
    standing: StandingSpec = field(default_factory=StandingSpec)
    sit_reach: SitReachSpec = field(default_factory=SitReachSpec)
    stickers: bool = False
    sticker_diameter_cm: float = 2.0
    sticker_rgb: tuple[int, int, int] = (0, 200, 0)
    posterior_stickers: tuple[str, ...] = ()
    posterior_rgb: tuple[int, int, int] | None = None
    level: LevelRefSpec = field(default_factory=LevelRefSpec)

    def __post_init__(self) -> None:
        problems: list[str] = []
        _check(
            problems,
            self.scene in ("standing", "sit-and-reach"),
            f"scene must be 'standing' or 'sit-and-reach', got {self.scene!r}",
        )
        _check(problems, 0 <= self.seed < 2**32, f"seed must be in [0, 2**32), got {self.seed!r}")
        _check(
            problems,
            0.5 <= self.sticker_diameter_cm <= 6.0,
            f"sticker_diameter_cm must be in [0.5, 6], got {self.sticker_diameter_cm!r}",
        )
        _check(
            problems,
            len(self.sticker_rgb) == 3 and all(0 <= c <= 255 for c in self.sticker_rgb),
            f"sticker_rgb must be three values in 0..255, got {self.sticker_rgb!r}",
        )
        _check(
            problems,
            all(p in POSTERIOR_POINTS for p in self.posterior_stickers)
            and len(set(self.posterior_stickers)) == len(self.posterior_stickers),
            f"posterior_stickers must be distinct names from {POSTERIOR_POINTS}, "
            f"got {self.posterior_stickers!r}",
        )
        _check(
            problems,
            self.posterior_rgb is None
            or (len(self.posterior_rgb) == 3 and all(0 <= c <= 255 for c in self.posterior_rgb)),
            f"posterior_rgb must be None or three values in 0..255, got {self.posterior_rgb!r}",
        )
        for part in (self.body, self.camera, self.realism, self.standing, self.sit_reach, self.level):
            problems.extend(part.problems())
        if problems:
            raise ValueError("invalid clip configuration: " + "; ".join(problems))

    @property
    def duration_s(self) -> float:
        """Length of the clip in seconds."""
        return self.standing.duration_s if self.scene == "standing" else self.sit_reach.duration_s

    @property
    def n_frames(self) -> int:
        """Number of frames rendered."""
        return max(1, int(round(self.duration_s * self.camera.fps)))

    def to_dict(self) -> dict[str, Any]:
        """Return the configuration as JSON-ready nested dicts (for the ground-truth file).

        Options added after the first generator (``ADDED_FIELDS``) are left out while they hold their
        defaults, so a clip made with only the first options has the same dict (and the same configuration
        hash in the benchmarks' render caches) as before they existed.
        """
        out = dataclasses.asdict(self)
        for path, default in ADDED_FIELDS.items():
            *parents, leaf = path.split(".")
            node = out
            for key in parents:
                node = node[key]
            if node.get(leaf) == default:
                del node[leaf]
        if out["level"] == {}:
            del out["level"]
        return out


def _defaults(cls: type, prefix: str, names: tuple[str, ...]) -> dict[str, Any]:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    out = {}
    for name in names:
        f = fields[name]
        default = f.default_factory() if f.default is dataclasses.MISSING else f.default  # type: ignore[misc]
        out[f"{prefix}{name}"] = dataclasses.asdict(default) if dataclasses.is_dataclass(default) else default
    return out


ADDED_FIELDS: dict[str, Any] = {
    **_defaults(
        RealismSpec,
        "realism.",
        ("look", "shadows", "clutter", "skin_rgb", "shirt_rgb", "shorts_rgb", "box_rgb", "box_top", "codec"),
    ),
    **_defaults(
        SitReachSpec,
        "sit_reach.",
        ("marker_along_cm", "marker_below_top_cm", "box_length_cm", "box_width_cm", "box_height_cm"),
    ),
    **{f"level.{k}": v for k, v in dataclasses.asdict(LevelRefSpec()).items()},
    **_defaults(ClipSpec, "", ("posterior_stickers", "posterior_rgb")),
}
