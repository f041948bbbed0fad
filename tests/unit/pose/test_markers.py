from __future__ import annotations

import cv2
import numpy as np
import pytest

from tiltscreen.errors import ValidationError
from tiltscreen.kinematics.camera import roll_from_marker
from tiltscreen.pose.markers import ArucoFinder


def marker_scene(angle_deg: float) -> np.ndarray:
    """A 480x640 white RGB image with ArUco DICT_4X4_50 id 0, 200 px wide (with a 40 px white
    border), at the centre, turned ``angle_deg`` counter-clockwise on screen."""
    tag = cv2.aruco.generateImageMarker(cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50), 0, 200)
    img = np.full((480, 640), 255, np.uint8)
    img[140:340, 220:420] = tag
    rot = cv2.getRotationMatrix2D((320, 240), angle_deg, 1.0)
    img = cv2.warpAffine(img, rot, (640, 480), flags=cv2.INTER_LINEAR, borderValue=255)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)


@pytest.mark.parametrize("angle", [0.0, 2.0, -3.0, 8.0])
def test_marker_found_with_its_size_and_roll(angle: float) -> None:
    """Turning the image counter-clockwise by a on screen turns the marker's top edge by +a
    in the y-up, counter-clockwise-positive convention of roll_from_marker."""
    found = ArucoFinder().find(marker_scene(angle))
    assert [d.marker_id for d in found] == [0]
    assert found[0].side_px == pytest.approx(200, abs=1.5)
    assert roll_from_marker(found[0].corners_px)[0] == pytest.approx(angle, abs=0.3)


def test_scale_factor_returns_full_size_corners() -> None:
    small = cv2.resize(marker_scene(0), (320, 240), interpolation=cv2.INTER_LINEAR)
    found = ArucoFinder().find(small, scale=0.5)
    assert found[0].side_px == pytest.approx(200, abs=3)


def test_no_marker_and_unknown_dictionary() -> None:
    assert ArucoFinder().find(np.full((100, 100, 3), 255, np.uint8)) == []
    with pytest.raises(ValidationError, match="Unknown ArUco dictionary"):
        ArucoFinder("DICT_NOPE")
