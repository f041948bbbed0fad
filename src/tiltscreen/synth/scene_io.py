"""The rendering loop at the I/O edge: scene set-up, per-frame render, degradation and video writing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tiltscreen.synth.config import ClipSpec


def make_look(spec: ClipSpec, rng: np.random.Generator):
    """Return the clip's colours and light.

    The first generator's draw is always made (so the clip's random stream is the same as before); it is
    replaced by a rich draw from its own stream when ``realism.look == "rich"``; then the colour overrides
    and the box-top rule apply (``look.finish_look``).
    """
    from tiltscreen.synth import look as lk  # noqa: PLC0415
    from tiltscreen.synth import render as rd  # noqa: PLC0415

    look = rd.draw_look(rng, vary=spec.realism.vary_scene)
    extra = np.random.default_rng([spec.seed, 2])
    if spec.realism.look == "rich":
        look = lk.rich_look(extra)
    return lk.finish_look(look, spec.realism, extra)


def render_video(
    spec: ClipSpec,
    body: Any,
    vertices: np.ndarray,
    stickers: list,
    camera: Any,
    box: dict[str, Any] | None,
    path: Path,
    look: Any,
    *,
    props: list | None = None,
    sticker_colours: list | None = None,
    on_depth: Callable[[int, np.ndarray], None] | None = None,
    progress: bool = False,
) -> int:
    """Render every frame of ``vertices`` (F, V, 3) to a video file; returns the number of frames written.

    ``on_depth(frame_index, depth)`` is called with each clean depth map (metres, 0 = nothing rendered).
    ``sticker_colours`` gives one RGB (0..255) per sticker (default: ``spec.sticker_rgb`` for all).
    """
    from tiltscreen.synth import render as rd  # noqa: PLC0415
    from tiltscreen.synth.video import H264Writer, degrade  # noqa: PLC0415

    eye_z = 0.5 * (
        body.rest_poses[body.labels.index("eye.L"), 2, 3] + body.rest_poses[body.labels.index("eye.R"), 2, 3]
    )
    face_material = rd.material_of_faces(
        body.faces, body.dominant_bone, body.labels, body.rest_vertices, eye_z
    )
    box_spec = None
    if box is not None:
        image = rd.marker_image(spec.sit_reach.marker_cm, 2.0) if "print_corners" in box else None
        box_spec = rd.BoxSpec(box["lo"], box["hi"], image, box.get("print_corners"))
    cam = spec.camera
    renderer = rd.Renderer(
        width=cam.width,
        height=cam.height,
        intrinsics=camera.intrinsics,
        rotation=camera.rotation,
        eye=camera.eye,
        faces=body.faces,
        face_material=face_material,
        look=look,
        camera_side=1.0 if cam.side == "left" else -1.0,
        box=box_spec,
        props=props,
        shadows=spec.realism.shadows,
    )
    writer = H264Writer(
        path, width=cam.width, height=cam.height, fps=cam.fps, crf=spec.realism.crf, codec=spec.realism.codec
    )
    noise_rng = np.random.default_rng([spec.seed, 1])
    colours = sticker_colours if sticker_colours is not None else spec.sticker_rgb
    try:
        frames = rd.iter_frames(renderer, vertices, stickers, colours, spec.sticker_diameter_cm / 200.0)
        for f, (rgb, depth) in enumerate(frames):
            if on_depth is not None:
                on_depth(f, depth)
            writer.write(
                degrade(
                    rgb,
                    rng=noise_rng,
                    noise_sigma=spec.realism.noise_sigma,
                    blur_sigma_px=spec.realism.blur_sigma_px,
                )
            )
            if progress and f % 50 == 0:
                print(f"frame {f}/{len(vertices)}", flush=True)
    finally:
        renderer.close()
        writer.close()
    return writer.frames
