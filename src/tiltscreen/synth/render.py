"""Headless rendering of a posed clip with pyrender (OSMesa): body, floor, wall, box, ArUco marker, stickers.

pyrender is imported lazily; set ``PYOPENGL_PLATFORM=osmesa`` (done here if unset) before the first render.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

MATERIALS = ("skin", "shirt", "shorts", "hair")
_SHIRT_BONES = ("spine04", "spine03", "spine02", "spine01", "clavicle", "shoulder01", "upperarm01")
_SHORTS_BONES = ("spine05", "pelvis", "upperleg01", "root")


@dataclass(frozen=True)
class Look:
    """Colours (RGB in 0..1, material base colours) and light of a scene.

    The key light is turned from the camera's viewing direction by ``key_pitch_deg`` (about the camera's x
    axis) and ``key_yaw_deg`` (about its y axis); the fill light by ``fill_yaw_deg`` with ``fill_ratio`` of
    the key's intensity. The defaults are the first generator's fixed set-up. ``box_top`` None = ``box``.
    """

    skin: tuple[float, float, float]
    shirt: tuple[float, float, float]
    shorts: tuple[float, float, float]
    hair: tuple[float, float, float]
    floor: tuple[float, float, float]
    wall: tuple[float, float, float]
    box: tuple[float, float, float]
    light: float
    ambient: float
    key_yaw_deg: float = 20.0
    key_pitch_deg: float = -25.0
    fill_yaw_deg: float = -60.0
    fill_ratio: float = 0.35
    light_rgb: tuple[float, float, float] = (1.0, 1.0, 1.0)
    wall_distance_m: float = 2.5
    box_top: tuple[float, float, float] | None = None


def draw_look(rng: np.random.Generator, *, vary: bool) -> Look:
    """Pick skin, clothing, floor and wall colours and light levels.

    Fixed neutral look if ``vary`` is False.
    """
    if not vary:
        return Look(
            (0.80, 0.58, 0.46),
            (0.15, 0.25, 0.55),
            (0.12, 0.12, 0.14),
            (0.10, 0.07, 0.05),
            (0.45, 0.42, 0.38),
            (0.78, 0.78, 0.74),
            (0.70, 0.55, 0.35),
            3.0,
            0.35,
        )
    skins = [
        (0.87, 0.68, 0.57),
        (0.80, 0.58, 0.46),
        (0.62, 0.42, 0.30),
        (0.42, 0.27, 0.18),
        (0.30, 0.19, 0.13),
    ]
    shirts = [
        (0.15, 0.25, 0.55),
        (0.55, 0.12, 0.12),
        (0.20, 0.20, 0.22),
        (0.80, 0.80, 0.78),
        (0.30, 0.45, 0.30),
    ]
    pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
    return Look(
        skin=pick(skins),
        shirt=pick(shirts),
        shorts=pick([(0.12, 0.12, 0.14), (0.10, 0.15, 0.35)]),
        hair=pick([(0.08, 0.06, 0.05), (0.35, 0.22, 0.10), (0.60, 0.55, 0.45)]),
        floor=tuple(rng.uniform(0.25, 0.6, 3)),
        wall=tuple(rng.uniform(0.55, 0.9, 3)),
        box=pick([(0.70, 0.55, 0.35), (0.85, 0.85, 0.85), (0.35, 0.55, 0.75)]),
        light=float(rng.uniform(2.2, 3.8)),
        ambient=float(rng.uniform(0.25, 0.45)),
    )


def material_of_faces(
    faces: np.ndarray, dominant_bone: np.ndarray, labels: list[str], rest: np.ndarray, eye_z: float
) -> np.ndarray:
    """Material index (into ``MATERIALS``) of every face, from its first vertex's dominant bone and position.

    Short-sleeved shirt on the spine, clavicles and upper arms; shorts on the pelvis and upper thighs; hair on
    the head above and behind the eyes; skin elsewhere.
    """

    def has(prefixes: tuple[str, ...]) -> np.ndarray:
        ids = [i for i, b in enumerate(labels) if b.startswith(prefixes)]
        return np.isin(dominant_bone, ids)

    vmat = np.zeros(len(rest), dtype=int)
    vmat[has(_SHIRT_BONES)] = 1
    vmat[has(_SHORTS_BONES)] = 2
    head = has(("head",))
    hair = head & ((rest[:, 2] > eye_z + 0.035) | ((rest[:, 2] > eye_z - 0.05) & (rest[:, 1] > 0.02)))
    vmat[hair] = 3
    return vmat[faces].max(axis=1)


def vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted unit vertex normals, shape (V, 3)."""
    a, b, c = vertices[faces[:, 0]], vertices[faces[:, 1]], vertices[faces[:, 2]]
    fn = np.cross(b - a, c - a)
    normals = np.zeros_like(vertices)
    for k in range(3):
        np.add.at(normals, faces[:, k], fn)
    return normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)


@dataclass(frozen=True)
class BoxSpec:
    """A sit-and-reach box (axis-aligned), with an optional marker texture on its camera-facing side.

    Attributes
    ----------
    lo, hi : ndarray, shape (3,)
        Opposite corners, metres.
    marker_image : ndarray or None
        RGB uint8 image of the marker with its white border, applied to ``marker_corners``.
    marker_corners : ndarray or None, shape (4, 3)
        World corners of the printed image
        (top-left, top-right, bottom-right, bottom-left as seen by the camera).

    """

    lo: np.ndarray
    hi: np.ndarray
    marker_image: np.ndarray | None = None
    marker_corners: np.ndarray | None = None


class Renderer:
    """Renders frames of one clip; holds the pyrender scene and offscreen context.

    Parameters
    ----------
    width, height : int
        Image size, pixels.
    intrinsics : ndarray, shape (3, 3)
        Pinhole intrinsics (OpenCV convention).
    rotation, eye : ndarray
        World-to-camera rotation (OpenCV axes) and camera centre.
    faces, face_material : ndarray
        Body triangles and their material indices.
    look : Look
        Colours and light.
    camera_side : float
        +1 if the camera is on the +X side (the subject's left), -1 otherwise
        (the wall goes behind the subject).

    """

    def __init__(
        self,
        *,
        width: int,
        height: int,
        intrinsics: np.ndarray,
        rotation: np.ndarray,
        eye: np.ndarray,
        faces: np.ndarray,
        face_material: np.ndarray,
        look: Look,
        camera_side: float,
        box: BoxSpec | None = None,
        props: list | None = None,
        shadows: bool = False,
    ) -> None:
        os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")
        import pyrender  # noqa: PLC0415 - optional dependency, imported on use only

        self._pr = pyrender
        self.look = look
        self.faces_by_material = [faces[face_material == k] for k in range(len(MATERIALS))]
        self.materials = [self._material(getattr(look, name)) for name in MATERIALS]
        self.scene = pyrender.Scene(bg_color=[*look.wall, 1.0], ambient_light=[look.ambient] * 3)
        cam = pyrender.IntrinsicsCamera(
            fx=intrinsics[0, 0],
            fy=intrinsics[1, 1],
            cx=intrinsics[0, 2],
            cy=intrinsics[1, 2],
            znear=0.05,
            zfar=30.0,
        )
        pose = np.eye(4)
        pose[:3, :3] = rotation.T @ np.diag([1.0, -1.0, -1.0])  # OpenCV camera axes -> OpenGL camera axes
        pose[:3, 3] = eye
        self.scene.add(cam, pose=pose)
        colour = np.asarray(look.light_rgb, dtype=float)
        light = pyrender.DirectionalLight(color=colour, intensity=look.light)
        key = np.eye(4)
        key[:3, :3] = (
            pose[:3, :3] @ _rot_deg([1, 0, 0], look.key_pitch_deg) @ _rot_deg([0, 1, 0], look.key_yaw_deg)
        )
        key[:3, 3] = eye
        self.scene.add(light, pose=key)
        self.scene.add(
            pyrender.DirectionalLight(color=colour, intensity=look.fill_ratio * look.light),
            pose=pose @ _homog(_rot_deg([0, 1, 0], look.fill_yaw_deg)),
        )
        self._add_static(camera_side, box)
        for prop in props or []:
            self._add_prop(prop)
        self.flags = pyrender.RenderFlags.SHADOWS_DIRECTIONAL if shadows else pyrender.RenderFlags.NONE
        self.renderer = pyrender.OffscreenRenderer(width, height)
        self.body_node = None
        self.sticker_nodes: list = []

    def _material(self, rgb: tuple[float, float, float], texture: np.ndarray | None = None):
        pr = self._pr
        kwargs = (
            {"baseColorTexture": pr.Texture(source=texture, source_channels="RGB")}
            if texture is not None
            else {}
        )
        return pr.MetallicRoughnessMaterial(
            baseColorFactor=[*rgb, 1.0], metallicFactor=0.0, roughnessFactor=0.85, **kwargs
        )

    def _quad(
        self,
        corners: np.ndarray,
        rgb: tuple[float, float, float],
        normal: np.ndarray,
        texture: np.ndarray | None = None,
    ):
        """Add a double-sided quad; corners TL, TR, BR, BL of ``texture`` as seen from the ``normal`` side."""
        pr = self._pr
        uv = np.array([[0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]])  # pyrender's textures are bottom-up
        material = self._material(rgb, texture)
        material.doubleSided = True
        prim = pr.Primitive(
            positions=corners,
            normals=np.tile(np.asarray(normal, float), (4, 1)),
            texcoord_0=uv,
            indices=np.array([[0, 1, 2], [0, 2, 3]]),
            material=material,
        )
        return self.scene.add(pr.Mesh([prim]))

    def _add_static(self, camera_side: float, box: BoxSpec | None) -> None:
        big = 8.0
        floor = np.array([[-big, big, 0], [big, big, 0], [big, -big, 0], [-big, -big, 0]], dtype=float)
        self._quad(floor, self.look.floor, [0.0, 0.0, 1.0])
        xw = -camera_side * self.look.wall_distance_m
        wall = np.array([[xw, big, 4], [xw, -big, 4], [xw, -big, 0], [xw, big, 0]], dtype=float)
        self._quad(wall, self.look.wall, [camera_side, 0.0, 0.0])
        if box is None:
            return
        import trimesh  # noqa: PLC0415 - comes with pyrender

        mesh = trimesh.creation.box(extents=box.hi - box.lo)
        mesh.apply_translation(0.5 * (box.hi + box.lo))
        self.scene.add(self._pr.Mesh.from_trimesh(mesh, material=self._material(self.look.box), smooth=False))
        if self.look.box_top is not None and tuple(self.look.box_top) != tuple(self.look.box):
            lo, hi = box.lo, box.hi
            z = hi[2] + 0.0005
            top = np.array([[lo[0], hi[1], z], [hi[0], hi[1], z], [hi[0], lo[1], z], [lo[0], lo[1], z]])
            self._quad(top, self.look.box_top, [0.0, 0.0, 1.0])
        if box.marker_image is not None and box.marker_corners is not None:
            self._quad(box.marker_corners, (1.0, 1.0, 1.0), [camera_side, 0.0, 0.0], texture=box.marker_image)

    def _add_prop(self, prop) -> None:
        """Add one static ``scenery.Prop`` (box, quad, marker quad, cylinder or sphere)."""
        import trimesh  # noqa: PLC0415

        g = prop.geometry
        if prop.kind in ("quad", "marker"):
            texture = marker_image_id(g["marker_id"], g["marker_cm"], 2.0) if prop.kind == "marker" else None
            self._quad(np.asarray(g["corners"], float), prop.rgb, g["normal"], texture=texture)
            return
        if prop.kind == "box":
            lo, hi = np.asarray(g["lo"], float), np.asarray(g["hi"], float)
            mesh = trimesh.creation.box(extents=hi - lo)
            mesh.apply_translation(0.5 * (hi + lo))
        elif prop.kind == "cylinder":
            mesh = trimesh.creation.cylinder(
                radius=g["radius"], segment=np.stack([g["p0"], g["p1"]]), sections=10
            )
        else:
            mesh = trimesh.creation.icosphere(subdivisions=2, radius=g["radius"])
            mesh.apply_translation(np.asarray(g["centre"], float))
        self.scene.add(self._pr.Mesh.from_trimesh(mesh, material=self._material(prop.rgb), smooth=False))

    def render(
        self,
        vertices: np.ndarray,
        stickers: list[tuple[np.ndarray, np.ndarray]],
        sticker_rgb: tuple | list,
        sticker_radius_m: float,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Render one frame; returns RGB uint8 (H, W, 3) and depth (H, W) in metres (0 = background).

        ``sticker_rgb`` is one colour for every sticker or a list with one colour per sticker.
        """
        pr = self._pr
        normals = vertex_normals(vertices, np.concatenate(self.faces_by_material))
        prims = [
            pr.Primitive(positions=vertices, normals=normals, indices=f, material=m)
            for f, m in zip(self.faces_by_material, self.materials, strict=True)
            if len(f)
        ]
        if self.body_node is not None:
            self.scene.remove_node(self.body_node)
        self.body_node = self.scene.add(pr.Mesh(prims))
        for node in self.sticker_nodes:
            self.scene.remove_node(node)
        colours = sticker_rgb if isinstance(sticker_rgb, list) else [sticker_rgb] * len(stickers)
        self.sticker_nodes = [
            self.scene.add(self._disc(c, n, sticker_radius_m, rgb))
            for (c, n), rgb in zip(stickers, colours, strict=True)
        ]
        color, depth = self.renderer.render(self.scene, flags=self.flags)
        return np.ascontiguousarray(color[..., :3]), depth

    def _disc(self, centre: np.ndarray, normal: np.ndarray, radius: float, rgb: tuple):
        pr = self._pr
        n = normal / np.linalg.norm(normal)
        a = np.cross(n, [0.0, 0.0, 1.0] if abs(n[2]) < 0.9 else [1.0, 0.0, 0.0])
        a /= np.linalg.norm(a)
        b = np.cross(n, a)
        ang = np.linspace(0, 2 * np.pi, 17)[:-1]
        ring = centre + 0.002 * n + radius * (np.outer(np.cos(ang), a) + np.outer(np.sin(ang), b))
        pos = np.vstack([centre + 0.002 * n, ring])
        idx = np.array([[0, 1 + k, 1 + (k + 1) % 16] for k in range(16)])
        mat = pr.MetallicRoughnessMaterial(
            baseColorFactor=[*(np.array(rgb) / 255.0), 1.0],
            metallicFactor=0.0,
            roughnessFactor=0.9,
            doubleSided=True,
        )
        return pr.Mesh([pr.Primitive(positions=pos, normals=np.tile(n, (17, 1)), indices=idx, material=mat)])

    def close(self) -> None:
        """Free the offscreen context."""
        self.renderer.delete()


def _rot_deg(axis, angle):
    from tiltscreen.synth.geometry import axis_angle  # noqa: PLC0415

    return axis_angle(np.asarray(axis, dtype=float), angle)


def _homog(rot: np.ndarray) -> np.ndarray:
    out = np.eye(4)
    out[:3, :3] = rot
    return out


def marker_image(marker_cm: float, border_cm: float, *, px_per_cm: float = 12.0) -> np.ndarray:
    """RGB image of ArUco DICT_4X4_50 id 0 (``marker_cm`` black square).

    It has a white border ``border_cm`` wide.
    """
    return marker_image_id(0, marker_cm, border_cm, px_per_cm=px_per_cm)


def marker_image_id(
    marker_id: int, marker_cm: float, border_cm: float, *, px_per_cm: float = 12.0
) -> np.ndarray:
    """RGB image of ArUco DICT_4X4_50 ``marker_id``: ``marker_cm`` black square, ``border_cm`` border."""
    import cv2  # noqa: PLC0415 - from mediapipe's opencv-contrib-python

    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    side = int(round(marker_cm * px_per_cm))
    img = cv2.aruco.generateImageMarker(dictionary, marker_id, side)
    pad = int(round(border_cm * px_per_cm))
    img = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)
    return np.repeat(img[..., None], 3, axis=2)


def iter_frames(
    renderer: Renderer,
    vertices: np.ndarray,
    stickers: list[list[tuple[np.ndarray, np.ndarray]]],
    sticker_rgb: tuple,
    sticker_radius_m: float,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (rgb, depth) for every frame of ``vertices`` (F, V, 3)."""
    for f in range(len(vertices)):
        yield renderer.render(vertices[f], stickers[f] if stickers else [], sticker_rgb, sticker_radius_m)
