"""The sit-and-reach box's camera-facing side as the measuring surface (pure functions).

The printed square marker taped upright on the box's camera-facing side gives, through
its four corners, a homography between that side plane and the image. With the principal
point at the image centre and square pixels, the homography fixes the camera's pose
relative to the box once the focal length is known; the focal length itself is only
weakly fixed by a small marker seen almost square on, so it (and the two-fold ambiguity
of a planar pose) is resolved with stated priors (:class:`ViewPrior`). A point seen in
the image and known to lie at a given depth behind the side plane (a fingertip, a toe)
is then placed in box coordinates in centimetres: no single pixel scale and no separate
parallax guess is needed, and the uncertainty of the depth and of the pose carries
into the position (:func:`transfer`).

Box coordinates (cm), fixed to the box:

- ``u`` along the box's long axis, zero at the end face the soles press against,
  positive away from the subject (the direction of the reach);
- ``w`` up, zero at the box's top surface (negative down the side);
- ``d`` across the box, zero on the camera-facing side, positive away from the camera.

When the marker's placement on the box is not known, the same coordinates are anchored
at the marker's top edge and its edge towards the subject (``u`` and ``w`` then only
give differences, e.g. fingertip minus toe).

Image coordinates are continuous pixels: x right, y down, the image spanning ``0..W``
and ``0..H`` (a pixel's centre at ``+0.5``), so the principal point is ``(W/2, H/2)``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from tiltscreen.checks import facing_problems, number_problems, raise_if_problems
from tiltscreen.errors import ValidationError


@dataclass(frozen=True)
class MarkerPlacement:
    """Where the printed marker is taped on the box (cm), as the user measured it.

    Parameters
    ----------
    size_cm : float
        Side of the marker's black square.
    from_end_cm : float or None
        Distance along the box from the end face the soles press against to the black
        square's nearer vertical edge; None if not measured.
    from_top_cm : float or None
        Distance from the box's top surface down to the black square's top edge; None
        if not measured.
    box_width_cm : float or None
        Width of the box across (camera-facing side to the far side); None if unknown.

    """

    size_cm: float
    from_end_cm: float | None = None
    from_top_cm: float | None = None
    box_width_cm: float | None = None

    def __post_init__(self) -> None:
        problems = number_problems("size_cm", self.size_cm, low=0.0, high=100.0, strict_low=True)
        for name in ("from_end_cm", "from_top_cm", "box_width_cm"):
            value = getattr(self, name)
            if value is not None:
                problems += number_problems(name, value, low=0.0, high=300.0)
        raise_if_problems("MarkerPlacement", problems)

    @property
    def anchored(self) -> bool:
        """True when the marker's offsets from the box's end face and top are both known."""
        return self.from_end_cm is not None and self.from_top_cm is not None


@dataclass(frozen=True)
class ViewPrior:
    """Priors that resolve what a small marker leaves open (1 SD, degrees).

    The defaults are set-up assumptions, stated in the README: a horizontal field of view
    of 62 deg +- 10 deg covers common webcams and phone cameras in landscape video
    (about 55-70 deg); the camera is square to the box's side within 15 deg (yaw SD 7 deg)
    and looks at the box from about its own height (pitch SD 12 deg).
    """

    hfov_deg: float = 62.0
    hfov_sd_deg: float = 10.0
    yaw_sd_deg: float = 7.0
    pitch_sd_deg: float = 12.0
    hfov_grid_deg: tuple[float, float, float] = (30.0, 110.0, 1.0)


@dataclass(frozen=True)
class PlanePose:
    """Camera relative to the box, one candidate (object frame, see :func:`fit_plane`).

    ``rotation``/``translation``: OpenCV convention ``x_cam = R X + t`` with ``X`` in the
    right-handed object frame ``(p, q, n)`` = (``facing * u``, ``w``, ``-d``), cm.
    ``weight`` is the candidate's posterior probability.
    """

    focal_px: float
    rotation: np.ndarray
    translation: np.ndarray
    weight: float
    yaw_deg: float
    pitch_deg: float
    rms_px: float


@dataclass(frozen=True)
class PlaneFit:
    """Posterior over camera poses relative to the box side plane.

    Attributes
    ----------
    poses : tuple of PlanePose
        Candidates with weight > 1e-4, weights summing to 1.
    facing : {+1, -1}
        +1 when ``u`` (forward along the box) points image-right.
    image_size : tuple of int
        ``(width, height)`` in pixels.
    focal_px, focal_sd_px : float
        Posterior mean and SD of the focal length (px).
    focal_from_marker : bool
        True when the marker narrowed the focal length to under half the prior's SD.
    yaw_deg, yaw_sd_deg : float
        Posterior mean and SD of the camera's yaw relative to the box side (deg).
    placement : MarkerPlacement
        The marker's placement used for the object frame.
    corners_px : ndarray, shape (4, 2)
        The (ordered) marker corners the fit came from.

    """

    poses: tuple[PlanePose, ...]
    facing: int
    image_size: tuple[int, int]
    focal_px: float
    focal_sd_px: float
    focal_from_marker: bool
    yaw_deg: float
    yaw_sd_deg: float
    placement: MarkerPlacement
    corners_px: np.ndarray = field(default_factory=lambda: np.full((4, 2), np.nan))


def ordered_corners(corners_px: np.ndarray, *, facing: int) -> np.ndarray:
    """Marker corners ordered by their place in the image, whatever way the print was turned.

    Parameters
    ----------
    corners_px : ndarray, shape (4, 2)
        The four corners in any cyclic order (e.g. ArUco's).
    facing : {+1, -1}
        +1 when the subject faces image-right.

    Returns
    -------
    ndarray, shape (4, 2)
        Top-back, top-front, bottom-front, bottom-back, where "front" is the subject's
        forward direction (the way the reach goes) and "top" is up in the image.

    """
    problems = facing_problems(facing)
    c = np.asarray(corners_px, float)
    if c.shape != (4, 2) or not np.isfinite(c).all():
        problems.append(f"corners_px must be 4 finite (x, y) points, got shape {c.shape}")
    raise_if_problems("ordered_corners", problems)
    by_y = c[np.argsort(c[:, 1], kind="stable")]
    top, bottom = by_y[:2], by_y[2:]
    top = top[np.argsort(top[:, 0] * facing, kind="stable")]
    bottom = bottom[np.argsort(bottom[:, 0] * facing, kind="stable")]
    return np.array([top[0], top[1], bottom[1], bottom[0]])


def object_corners(placement: MarkerPlacement) -> np.ndarray:
    """Box coordinates ``(u, w)`` (cm) of the corners in :func:`ordered_corners` order.

    With an anchored placement the corners sit ``from_end_cm`` forward of the end face and
    ``from_top_cm`` below the top; otherwise at the marker's own top-back corner (0, 0).
    """
    e = placement.from_end_cm or 0.0
    t = placement.from_top_cm or 0.0
    s = placement.size_cm
    return np.array([[e, -t], [e + s, -t], [e + s, -t - s], [e, -t - s]])


def median_corners(detections: list[np.ndarray]) -> tuple[np.ndarray, float]:
    """Median of a static marker's corners over its detections, and their scatter.

    Parameters
    ----------
    detections : list of ndarray, shape (4, 2)
        Ordered corners (same order in every detection), pixels.

    Returns
    -------
    corners : ndarray, shape (4, 2)
        Per-coordinate median (px).
    scatter_px : float
        Robust SD of one detection's coordinate about the median (1.4826 x MAD, px).

    """
    if not detections:
        raise ValidationError("median_corners: no marker detection was given.")
    stack = np.asarray(detections, float)
    corners = np.median(stack, axis=0)
    scatter = float(1.4826 * np.median(np.abs(stack - corners))) if len(stack) > 1 else 0.0
    return corners, scatter


def fit_plane(
    corners_px: np.ndarray,
    *,
    placement: MarkerPlacement,
    facing: int,
    image_size: tuple[int, int],
    corner_sd_px: float,
    prior: ViewPrior = ViewPrior(),
) -> PlaneFit:
    """Posterior over the camera's focal length and pose from the marker's corners and the priors.

    Parameters
    ----------
    corners_px : ndarray, shape (4, 2)
        Corners in :func:`ordered_corners` order, continuous pixels.
    placement : MarkerPlacement
        Marker size and, if known, where it sits on the box.
    facing : {+1, -1}
        +1 when the subject faces image-right.
    image_size : (int, int)
        Width and height (px); the principal point is their centre.
    corner_sd_px : float
        Error (1 SD, px) of each corner coordinate, systematic part included.
    prior : ViewPrior
        Field-of-view, yaw and pitch priors.

    Returns
    -------
    PlaneFit

    Notes
    -----
    For every focal length on the grid, both poses of a planar square that OpenCV's IPPE
    solver returns are kept; each is weighted by ``exp(-RSS / (2 sd^2))`` (reprojection
    error of the four corners) times the Gaussian priors on field of view, yaw (the angle
    between the optical axis and the box side's normal, about the vertical) and pitch.
    A small marker seen nearly square on leaves the focal length to the prior, and its two
    poses (the plane turned either way about the line of sight) nearly equal: the yaw
    prior picks the one closer to a square view.

    """
    problems = facing_problems(facing) + number_problems(
        "corner_sd_px", corner_sd_px, low=0.0, strict_low=True
    )
    corners = np.asarray(corners_px, float)
    if corners.shape != (4, 2) or not np.isfinite(corners).all():
        problems.append(f"corners_px must be 4 finite (x, y) points, got shape {corners.shape}")
    raise_if_problems("fit_plane", problems)
    uw = object_corners(placement)
    obj = np.column_stack([uw[:, 0] * facing, uw[:, 1], np.zeros(4)])
    width = float(image_size[0])
    lo, hi, step = prior.hfov_grid_deg
    candidates = []
    for hfov in np.arange(lo, hi + step / 2, step):
        focal = width / 2 / math.tan(math.radians(hfov) / 2)
        for pose in _ippe_poses(obj, corners, focal, image_size):
            rss = pose[3]
            yaw, pitch = _yaw_pitch(pose[0])
            log_w = (
                -rss / (2 * corner_sd_px**2)
                - 0.5 * ((hfov - prior.hfov_deg) / prior.hfov_sd_deg) ** 2
                - 0.5 * (yaw / prior.yaw_sd_deg) ** 2
                - 0.5 * (pitch / prior.pitch_sd_deg) ** 2
            )
            candidates.append((log_w, focal, pose, yaw, pitch))
    fit = _posterior(candidates, placement=placement, facing=facing, image_size=image_size, prior=prior)
    return dataclasses.replace(fit, corners_px=corners.copy())


def _ippe_poses(obj: np.ndarray, img: np.ndarray, focal: float, size: tuple[int, int]) -> list[tuple]:
    """Both IPPE poses ``(R, t, rms_px, rss_px2)`` of a planar object for one focal length."""
    import cv2

    k = np.array([[focal, 0.0, size[0] / 2], [0.0, focal, size[1] / 2], [0.0, 0.0, 1.0]])
    n, rvecs, tvecs, _ = cv2.solvePnPGeneric(obj, img, k, None, flags=cv2.SOLVEPNP_IPPE)
    out = []
    for rvec, tvec in zip(rvecs[:n], tvecs[:n], strict=True):
        proj, _ = cv2.projectPoints(obj, rvec, tvec, k, None)
        rss = float(np.sum((proj.reshape(-1, 2) - img) ** 2))
        out.append((cv2.Rodrigues(rvec)[0], tvec.ravel(), math.sqrt(rss / 8), rss))
    return out


def _yaw_pitch(rotation: np.ndarray) -> tuple[float, float]:
    """Yaw and pitch (deg) of the camera relative to the box side: 0, 0 = optical axis along ``d``.

    ``d`` in camera coordinates is ``-R[:, 2]`` (the object's third axis points at the camera).
    Yaw: its angle from the optical axis about the image's vertical; pitch: its elevation.
    """
    d = -rotation[:, 2]
    yaw = math.degrees(math.atan2(d[0], d[2]))
    pitch = math.degrees(math.atan2(-d[1], math.hypot(d[0], d[2])))
    return yaw, pitch


def _posterior(
    candidates: list,
    *,
    placement: MarkerPlacement,
    facing: int,
    image_size: tuple[int, int],
    prior: ViewPrior,
) -> PlaneFit:
    """Normalise candidate weights into a :class:`PlaneFit` (posterior means and SDs)."""
    if not candidates:
        raise ValidationError("fit_plane: no pose fits the marker's corners.")
    log_w = np.array([c[0] for c in candidates])
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    keep = np.flatnonzero(w > 1e-4)
    wk = w[keep] / w[keep].sum()
    poses = tuple(
        PlanePose(candidates[i][1], candidates[i][2][0], candidates[i][2][1], float(p),
                  candidates[i][3], candidates[i][4], candidates[i][2][2])
        for i, p in zip(keep, wk, strict=True)
    )  # fmt: skip
    focal = np.array([p.focal_px for p in poses])
    yaw = np.array([p.yaw_deg for p in poses])
    f_mean = float(np.sum(wk * focal))
    f_sd = float(np.sqrt(np.sum(wk * (focal - f_mean) ** 2)))
    half = image_size[0] / 2
    prior_sd_px = half / math.tan(math.radians(prior.hfov_deg - prior.hfov_sd_deg) / 2) - half / math.tan(
        math.radians(prior.hfov_deg + prior.hfov_sd_deg) / 2
    )
    y_mean = float(np.sum(wk * yaw))
    return PlaneFit(
        poses=poses,
        facing=facing,
        image_size=(int(image_size[0]), int(image_size[1])),
        focal_px=f_mean,
        focal_sd_px=f_sd,
        focal_from_marker=bool(f_sd < 0.25 * prior_sd_px),
        yaw_deg=y_mean,
        yaw_sd_deg=float(np.sqrt(np.sum(wk * (yaw - y_mean) ** 2))),
        placement=placement,
    )


@dataclass(frozen=True)
class BoxPoints:
    """Image points placed in box coordinates, with their 1-SD errors from the pose and the depth prior.

    ``u_cm``, ``w_cm`` are posterior means over the fit's poses; ``u_sd_cm`` their SD
    (pose spread and depth uncertainty); ``d_cm`` the depth used. NaN where the input point
    is NaN.
    """

    u_cm: np.ndarray
    w_cm: np.ndarray
    d_cm: np.ndarray
    u_sd_cm: np.ndarray


def transfer(
    fit: PlaneFit,
    points_px: np.ndarray,
    *,
    depth_cm: float,
    depth_sd_cm: float,
) -> BoxPoints:
    """Place image points that lie about ``depth_cm`` behind the box side in box coordinates.

    Parameters
    ----------
    fit : PlaneFit
        From :func:`fit_plane`.
    points_px : ndarray, shape (n, 2)
        Continuous pixels; NaN rows give NaN.
    depth_cm, depth_sd_cm : float
        Prior on the points' depth ``d`` behind the camera-facing side (cm, 1 SD).

    Returns
    -------
    BoxPoints

    Notes
    -----
    For each pose, a point's ray ``C + s r`` meets depth ``d`` at ``u(d) = u0 + k_u d``,
    ``w(d) = w0 + k_w d``; the position's variance is ``k_u^2`` times the depth's variance.
    Means and variances are then mixed over the poses by their weights, so a focal length or
    yaw the marker leaves open widens the SD. (A height prior, e.g. the fingertip lying on the
    box top, was tried on the development renders: the camera looks almost horizontally
    across the top, so it fixes the depth poorly, and it moved the reach error little.)

    """
    pts = np.asarray(points_px, float).reshape(-1, 2)
    problems = number_problems("depth_cm", depth_cm, low=-500, high=500)
    problems += number_problems("depth_sd_cm", depth_sd_cm, low=0.0)
    raise_if_problems("transfer", problems)
    means_u, means_w, means_d, vars_u, weights = [], [], [], [], []
    for pose in fit.poses:
        u0, w0, ku, kw = _ray_terms(pose, pts, fit)
        d = np.full(len(pts), float(depth_cm))
        means_u.append(u0 + ku * d)
        means_w.append(w0 + kw * d)
        means_d.append(d)
        vars_u.append(ku**2 * depth_sd_cm**2)
        weights.append(pose.weight)
    wts = np.array(weights)[:, None]
    mu = np.sum(wts * np.array(means_u), axis=0)
    var = np.sum(wts * (np.array(vars_u) + (np.array(means_u) - mu) ** 2), axis=0)
    return BoxPoints(
        u_cm=mu,
        w_cm=np.sum(wts * np.array(means_w), axis=0),
        d_cm=np.sum(wts * np.array(means_d), axis=0),
        u_sd_cm=np.sqrt(var),
    )


def _ray_terms(pose: PlanePose, pts: np.ndarray, fit: PlaneFit) -> tuple[np.ndarray, ...]:
    """Per point: where its ray crosses the side plane (``u0``, ``w0``) and ``du/dd``, ``dw/dd``."""
    cx, cy = fit.image_size[0] / 2, fit.image_size[1] / 2
    rays_cam = np.column_stack(
        [(pts[:, 0] - cx) / pose.focal_px, (pts[:, 1] - cy) / pose.focal_px, np.ones(len(pts))]
    )
    rays = rays_cam @ pose.rotation  # = (R^T r)^T: object-frame directions
    centre = -pose.rotation.T @ pose.translation
    with np.errstate(divide="ignore", invalid="ignore"):
        s0 = -centre[2] / rays[:, 2]  # reach the plane n = 0
        p0 = centre + s0[:, None] * rays
        ds = -1.0 / rays[:, 2]  # ray parameter per cm of depth (n = -d)
    u0, w0 = p0[:, 0] * fit.facing, p0[:, 1]
    ku, kw = rays[:, 0] * ds * fit.facing, rays[:, 1] * ds
    return u0, w0, ku, kw


def project(fit: PlaneFit, uwd_cm: np.ndarray) -> np.ndarray:
    """Image pixels of box points ``(u, w, d)`` (cm), with the fit's most probable pose (for drawing)."""
    pose = max(fit.poses, key=lambda p: p.weight)
    pts = np.asarray(uwd_cm, float).reshape(-1, 3)
    obj = np.column_stack([pts[:, 0] * fit.facing, pts[:, 1], -pts[:, 2]])
    cam = obj @ pose.rotation.T + pose.translation
    k = np.array(
        [[pose.focal_px, 0, fit.image_size[0] / 2], [0, pose.focal_px, fit.image_size[1] / 2], [0, 0, 1]]
    )
    px = cam @ k.T
    return px[:, :2] / px[:, 2:]
