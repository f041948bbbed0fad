"""The rendering loop at the I/O edge: scene set-up, per-frame render, degradation and H.264 writing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tiltscreen.synth.config import ClipSpec


def render_video(
    spec: ClipSpec,
    body: Any,
    vertices: np.ndarray,
    stickers: list,
    camera: Any,
    box: dict[str, Any] | None,
    path: Path,
    rng: np.random.Generator,
    *,
    on_depth: Callable[[int, np.ndarray], None] | None = None,
    progress: bool = False,
) -> int:
    """Render every frame of ``vertices`` (F, V, 3) to an H.264 file; returns the number of frames written.

    ``on_depth(frame_index, depth)`` is called with each clean depth map (metres, 0 = nothing rendered).
    """
    from tiltscreen.synth import render as rd  # noqa: PLC0415
    from tiltscreen.synth.video import H264Writer, degrade  # noqa: PLC0415

    look = rd.draw_look(rng, vary=spec.realism.vary_scene)
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
    )
    writer = H264Writer(path, width=cam.width, height=cam.height, fps=cam.fps, crf=spec.realism.crf)
    noise_rng = np.random.default_rng([spec.seed, 1])
    try:
        frames = rd.iter_frames(
            renderer, vertices, stickers, spec.sticker_rgb, spec.sticker_diameter_cm / 200.0
        )
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
