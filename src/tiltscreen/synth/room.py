"""The room's props, placed from the seed: level references and background clutter.

The references are a wall marker, a plumb line, a door frame, a wall corner and a cabinet; see ``scenery`` for
the placement rule and the shared helpers.
"""

from __future__ import annotations

import numpy as np

from tiltscreen.synth.scenery import (
    MARKER_BORDER_CM,
    Prop,
    Scenery,
    View,
    candidate_columns,
    edge_points,
    rounded,
    vertical_truth,
)


def _square(centre: np.ndarray, right: np.ndarray, up: np.ndarray, half: float) -> np.ndarray:
    """Corners TL, TR, BR, BL of a square of half-side ``half`` (as seen by the camera)."""
    return np.stack(
        [
            centre - half * right + half * up,
            centre + half * right + half * up,
            centre + half * right - half * up,
            centre - half * right - half * up,
        ]
    )


def wall_marker(view: View, spec, wall_x: float, rng: np.random.Generator, taken: dict) -> Scenery:
    """Place an ArUco marker flat on the back wall beside the subject, edges level up to ``spec`` tilt."""
    half_black = spec.wall_marker_cm / 200.0
    half_print = half_black + MARKER_BORDER_CM / 100.0
    t = np.deg2rad(spec.wall_marker_tilt_deg)
    right0, up0 = np.array([0.0, view.side, 0.0]), np.array([0.0, 0.0, 1.0])
    right, up = np.cos(t) * right0 + np.sin(t) * up0, -np.sin(t) * right0 + np.cos(t) * up0
    x = wall_x + view.side * 0.002
    chosen, in_view = None, False
    for u in candidate_columns(view, rng, gap_px=20 + 0.1 * view.width):
        for frac in rng.permutation([0.18, 0.28, 0.38, 0.5]):
            centre = view.ray_to_plane(u, frac * view.height, 0, x)
            if not 0.4 < centre[2] < 2.4 or _blocked(centre[1], taken, 0.5):
                continue
            chosen = chosen if chosen is not None else centre
            if view.clear_of_subject(view.project(_square(centre, right, up, half_print)), 10):
                chosen, in_view = centre, True
                break
        if in_view:
            break
    if chosen is None:
        chosen = view.ray_to_plane(0.1 * view.width, 0.3 * view.height, 0, x)
    black, sheet = _square(chosen, right, up, half_black), _square(chosen, right, up, half_print)
    out = Scenery()
    geometry = {"corners": sheet, "normal": [view.side, 0.0, 0.0], "marker_id": spec.wall_marker_id}
    out.props.append(Prop("marker", (1.0, 1.0, 1.0), {**geometry, "marker_cm": spec.wall_marker_cm}))
    out.truth = {
        "dictionary": "DICT_4X4_50",
        "id": spec.wall_marker_id,
        "side_cm": spec.wall_marker_cm,
        "tilt_deg": spec.wall_marker_tilt_deg,
        "plane": f"the back wall (vertical), x = {x:.4f} m",
        "corners_world_m": rounded(black),
        "corners_px": rounded(view.project(black), 2),
        "corner_order": "ArUco: top-left, top-right, bottom-right, bottom-left as printed",
        "clear_of_subject": in_view,
    }
    for k, (a, b) in enumerate(((3, 0), (2, 1))):  # the two vertical edges, bottom -> top
        out.edges[f"wall_marker_edge_{k}"] = edge_points(black[a], black[b])
    taken["y"].append(float(chosen[1]))
    return out


def _blocked(y: float, taken: dict, min_dy: float, y_end: float | None = None) -> bool:
    """Return True if ``y`` (or the span ``y``..``y_end``) is near a placed prop or beyond a side wall."""
    lo, hi = (y, y) if y_end is None else (min(y, y_end), max(y, y_end))
    if any(lo - min_dy < other < hi + min_dy for other in taken["y"]):
        return True
    corner = taken.get("corner")
    return corner is not None and max((lo - corner[0]) * corner[1], (hi - corner[0]) * corner[1]) > -0.05


def plumb_line(view: View, wall_x: float, rng: np.random.Generator, taken: dict) -> Scenery:
    """Hang a dark cord from above the image to a bob near the floor, with two coloured balls on it."""
    depth = float(rng.uniform(0.15, max(0.2, min(0.6, abs(wall_x) - 0.15))))
    x = -view.side * depth
    out = Scenery()
    for u in candidate_columns(view, rng, gap_px=15 + 0.05 * view.width):
        base = view.ray_to_plane(u, 0.5 * view.height, 0, x)
        if _blocked(base[1], taken, 0.3):
            continue
        top, bottom = np.array([x, base[1], 2.6]), np.array([x, base[1], float(rng.uniform(0.08, 0.25))])
        while view.project(top)[1] > -5 and top[2] < 6.0:
            top[2] += 0.3
        radius = float(rng.uniform(0.002, 0.004))
        balls = []
        colours = rng.permutation([(0.85, 0.1, 0.1), (0.95, 0.8, 0.1), (0.95, 0.45, 0.05), (0.1, 0.3, 0.85)])
        for k, z in enumerate((rng.uniform(1.3, 1.8), rng.uniform(0.4, 0.9))):
            c = np.array([x, base[1], float(z)])
            r = float(rng.uniform(0.015, 0.025))
            rgb = tuple(float(v) for v in colours[k])
            balls.append(
                {
                    "centre_m": rounded(c),
                    "radius_m": round(r, 4),
                    "rgb": rgb,
                    "centre_px": rounded(view.project(c), 2),
                }
            )
            out.props.append(Prop("sphere", rgb, {"centre": c, "radius": r}))
        out.props.append(Prop("cylinder", (0.08, 0.08, 0.08), {"p0": bottom, "p1": top, "radius": radius}))
        out.props.append(
            Prop("cylinder", (0.25, 0.25, 0.27), {"p0": bottom - [0, 0, 0.04], "p1": bottom, "radius": 0.012})
        )
        out.truth = {
            **vertical_truth(view, "plumb_line", "plumb_line", bottom, top),
            "cord_diameter_m": round(2 * radius, 4),
            "balls": balls,
        }
        out.edges["plumb_line"] = edge_points(bottom, top)
        taken["y"].append(float(base[1]))
        return out
    return out


def door_frame(view: View, wall_x: float, wall_rgb, rng: np.random.Generator, taken: dict) -> Scenery:
    """Put a door frame in the back wall: two posts and a lintel 1.5 cm proud of the wall, and the door."""
    out = Scenery()
    centre_y = 0.5 * (view.subject_lo[1] + view.subject_hi[1])
    for u in candidate_columns(view, rng, gap_px=15):
        edge = view.ray_to_plane(u, 0.5 * view.height, 0, wall_x)
        away = 1.0 if edge[1] > centre_y else -1.0
        width, post, height = rng.uniform(0.8, 0.95), rng.uniform(0.06, 0.09), rng.uniform(2.0, 2.1)
        if _blocked(edge[1], taken, 0.3, edge[1] + away * (width + post)) or abs(edge[1] - centre_y) < 0.3:
            continue
        frame_rgb = tuple(rng.choice([(0.95, 0.95, 0.93), (0.45, 0.3, 0.18), (0.15, 0.15, 0.16)]))
        door_rgb = tuple(np.clip(np.asarray(wall_rgb) * rng.uniform(0.6, 0.8), 0, 1))
        proud = view.side * 0.015
        y_in0, y_in1 = edge[1], edge[1] + away * width
        x0, x1 = wall_x, wall_x + proud
        for k, y_in in enumerate((y_in0, y_in1)):
            sign = -away if k == 0 else away
            ys = sorted([y_in, y_in + sign * post])
            out.props.append(
                Prop("box", frame_rgb, {"lo": [min(x0, x1), ys[0], 0.0], "hi": [max(x0, x1), ys[1], height]})
            )
            for name, y in (("inner", y_in), ("outer", y_in + sign * post)):
                label = f"door_{'near' if k == 0 else 'far'}_post_{name}"
                b, t = np.array([x1, y, 0.0]), np.array([x1, y, height])
                out.truth.setdefault("verticals", []).append(vertical_truth(view, label, "door_frame", b, t))
                out.edges[label] = edge_points(b, t)
        ys = sorted([y_in0 - away * post, y_in1 + away * post])
        out.props.append(
            Prop(
                "box",
                frame_rgb,
                {"lo": [min(x0, x1), ys[0], height], "hi": [max(x0, x1), ys[1], height + post]},
            )
        )
        ys = sorted([y_in0, y_in1])
        out.props.append(
            Prop(
                "box",
                door_rgb,
                {"lo": [min(x0, x0 + proud / 3), ys[0], 0.0], "hi": [max(x0, x0 + proud / 3), ys[1], height]},
            )
        )
        out.truth["door"] = {
            "width_m": round(float(width), 3),
            "height_m": round(float(height), 3),
            "frame_rgb": frame_rgb,
        }
        taken["y"] += [float(edge[1] + away * f * width) for f in (0.0, 0.5, 1.0)]
        return out
    return out


def wall_corner(view: View, wall_x: float, wall_rgb, rng: np.random.Generator, taken: dict) -> Scenery:
    """Add a side wall meeting the back wall at a vertical corner that hides neither subject nor camera."""
    out = Scenery()
    ys = [view.subject_lo[1], view.subject_hi[1], view.eye[1]]
    for u in candidate_columns(view, rng, gap_px=20):
        y = view.ray_to_plane(u, 0.5 * view.height, 0, wall_x)[1]
        if min(ys) - 0.1 < y < max(ys) + 0.1 or _blocked(y, taken, 0.3):
            continue
        reach = wall_x + view.side * (abs(wall_x) + abs(view.eye[0]) + 1.5)
        shade = tuple(np.clip(np.asarray(wall_rgb) * rng.uniform(0.75, 0.92), 0, 1))
        lo, hi = sorted([wall_x, reach]), 4.0
        out.props.append(
            Prop(
                "quad",
                shade,
                {
                    "corners": np.array([[lo[0], y, hi], [lo[1], y, hi], [lo[1], y, 0.0], [lo[0], y, 0.0]]),
                    "normal": [0.0, -np.sign(y - view.eye[1]), 0.0],
                },
            )
        )
        b, t = np.array([wall_x, y, 0.0]), np.array([wall_x, y, 3.0])
        out.truth["verticals"] = [vertical_truth(view, "wall_corner", "wall_corner", b, t)]
        out.edges["wall_corner"] = edge_points(b, t)
        sign = float(np.sign(y - ys[0]))
        out.truth["beyond_y_sign"] = sign
        taken["corner"] = (float(y), sign)
        return out
    return out


def cabinet(view: View, wall_x: float, rng: np.random.Generator, taken: dict) -> Scenery:
    """Stand a cabinet against the back wall, its two front vertical edges tracked."""
    out = Scenery()
    centre_y = 0.5 * (view.subject_lo[1] + view.subject_hi[1])
    depth = float(min(rng.uniform(0.3, 0.5), abs(wall_x) - 0.3))
    if depth < 0.1:
        return out
    front_x = wall_x + view.side * depth
    for u in candidate_columns(view, rng, gap_px=15):
        edge = view.ray_to_plane(u, 0.75 * view.height, 0, front_x)
        away = 1.0 if edge[1] > centre_y else -1.0
        width, height = float(rng.uniform(0.4, 0.9)), float(rng.uniform(0.8, 1.9))
        if _blocked(edge[1], taken, 0.3, edge[1] + away * width) or abs(edge[1] - centre_y) < 0.35:
            continue
        y0, y1 = edge[1], edge[1] + away * width
        rgb = tuple(float(c) for c in rng.uniform(0.15, 0.85, 3))
        out.props.append(
            Prop(
                "box",
                rgb,
                {
                    "lo": [min(wall_x, front_x), min(y0, y1), 0.0],
                    "hi": [max(wall_x, front_x), max(y0, y1), height],
                },
            )
        )
        out.truth["cabinet"] = {
            "width_m": round(width, 3),
            "depth_m": round(depth, 3),
            "height_m": round(height, 3),
            "rgb": rgb,
        }
        out.truth["verticals"] = []
        for name, y in (("cabinet_front_near", y0), ("cabinet_front_far", y1)):
            b, t = np.array([front_x, y, 0.0]), np.array([front_x, y, height])
            out.truth["verticals"].append(vertical_truth(view, name, "furniture", b, t))
            out.edges[name] = edge_points(b, t)
        taken["y"] += [float(y0), float(0.5 * (y0 + y1)), float(y1)]
        return out
    return out


def clutter(view: View, wall_x: float, n: int, rng: np.random.Generator) -> list[Prop]:
    """``n`` background objects against the back wall: boxes, pots and pictures, seeded colours and sizes."""
    props = []
    room = max(0.0, min(0.45, abs(wall_x) - 0.35))
    centre_y = 0.5 * (view.subject_lo[1] + view.subject_hi[1])
    for _ in range(n):
        y = centre_y + float(rng.uniform(-3.0, 3.0))
        rgb = tuple(float(c) for c in rng.uniform(0.1, 0.9, 3))
        kind = rng.choice(["box", "cylinder", "picture"]) if room > 0.12 else "picture"
        if kind == "picture":
            z, w, h = rng.uniform(1.0, 2.0), rng.uniform(0.2, 0.7), rng.uniform(0.2, 0.6)
            x = wall_x + view.side * 0.003
            c = np.array(
                [
                    [x, y - w / 2, z + h / 2],
                    [x, y + w / 2, z + h / 2],
                    [x, y + w / 2, z - h / 2],
                    [x, y - w / 2, z - h / 2],
                ]
            )
            props.append(Prop("quad", rgb, {"corners": c, "normal": [view.side, 0.0, 0.0]}))
        elif kind == "box":
            d, w, h = rng.uniform(0.12, room), rng.uniform(0.2, 0.8), rng.uniform(0.2, 1.2)
            xs = sorted([wall_x, wall_x + view.side * d])
            props.append(Prop("box", rgb, {"lo": [xs[0], y - w / 2, 0.0], "hi": [xs[1], y + w / 2, h]}))
        else:
            r = rng.uniform(0.05, room / 2)
            x = wall_x + view.side * (r + 0.01)
            props.append(
                Prop(
                    "cylinder",
                    rgb,
                    {
                        "p0": np.array([x, y, 0.0]),
                        "p1": np.array([x, y, rng.uniform(0.2, 0.9)]),
                        "radius": float(r),
                    },
                )
            )
    return props


def plan_scenery(
    level, n_clutter: int, view: View, wall_x: float, wall_rgb, rng: np.random.Generator
) -> Scenery:
    """Place the requested level references (corner first, so the others stay in front of it) and clutter.

    Returns the props, the ``level_references`` ground truth (only the references requested) and the edges
    whose per-frame visibility the renderer fills in.
    """
    taken: dict = {"y": [], "corner": None}
    out = Scenery()
    parts = [
        ("wall_corner", level.wall_corner, lambda: wall_corner(view, wall_x, wall_rgb, rng, taken)),
        ("wall_marker", level.wall_marker, lambda: wall_marker(view, level, wall_x, rng, taken)),
        ("plumb_line", level.plumb_line, lambda: plumb_line(view, wall_x, rng, taken)),
        ("door_frame", level.door_frame, lambda: door_frame(view, wall_x, wall_rgb, rng, taken)),
        ("furniture", level.furniture, lambda: cabinet(view, wall_x, rng, taken)),
    ]
    for name, wanted, make in parts:
        if not wanted:
            continue
        part = make()
        out.props += part.props
        out.edges.update(part.edges)
        out.truth[name] = part.truth if part.truth else {"placed": False, "reason": "no free place in view"}
    out.props += clutter(view, wall_x, n_clutter, rng)
    return out
