"""Out of frame only when a body part really leaves the image: the mask at the border, visible landmarks."""

from __future__ import annotations

import numpy as np
import pytest

from tiltscreen.protocols.sit_and_reach.edges import border_contacts, out_of_frame


def test_border_contacts_of_a_mask():
    """A 10 x 20 mask whose subject touches the right border in rows 3-5 and nothing else: right span
    (3.5/10, 5.5/10) = (0.35, 0.55); the other borders NaN."""
    mask = np.zeros((10, 20))
    mask[3:6, 12:20] = 1.0
    c = border_contacts(mask)
    assert c[1] == pytest.approx([0.35, 0.55])
    assert np.isnan(c[[0, 2, 3]]).all()


def test_mask_one_pixel_short_of_the_border_still_touches():
    """Anti-aliasing can leave the last column below 0.5: the 2-px band still sees the subject."""
    mask = np.zeros((10, 20))
    mask[4, 10:19] = 1.0
    assert border_contacts(mask)[1] == pytest.approx([0.45, 0.45])


def test_occluded_landmark_outside_the_image_is_not_out_of_frame():
    """The far hand hidden behind the body, placed by MediaPipe at x = 1.07 with visibility 0.1, while the
    mask stays clear of every border: in frame (the unseen recording called this 'out of frame')."""
    pts = np.array([[[0.5, 0.5], [1.07, 0.6]]])
    vis = np.array([[0.99, 0.1]])
    assert not out_of_frame(pts, vis, np.full((1, 4, 2), np.nan))[0]


def test_visible_landmark_outside_the_image_is_out_of_frame():
    pts = np.array([[[0.5, 0.5], [1.07, 0.6]]])
    vis = np.array([[0.99, 0.9]])
    assert out_of_frame(pts, vis, None)[0]


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        pytest.param([0.55, 0.65], True, id="contact-at-the-foot"),
        pytest.param([0.10, 0.20], False, id="contact-elsewhere"),
    ],
)
def test_mask_at_the_border_next_to_a_needed_part(span, expected):
    """A foot at (0.97, 0.6), 0.03 from the right border (within the 0.08 radius). A mask contact on the
    right border spanning y 0.55-0.65 covers it: the foot is cut. A contact at y 0.1-0.2 (0.4 away, e.g.
    a raised arm) is not next to a needed part."""
    pts = np.array([[[0.5, 0.5], [0.97, 0.6]]])
    vis = np.array([[0.99, 0.9]])
    contacts = np.full((1, 4, 2), np.nan)
    contacts[0, 1] = span
    assert out_of_frame(pts, vis, contacts)[0] is np.bool_(expected)
