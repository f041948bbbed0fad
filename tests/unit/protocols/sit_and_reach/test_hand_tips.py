"""The hand model's fingertip as the first source: near arm, forward-most tip, frame matching, summary."""

from __future__ import annotations

import numpy as np

from tiltscreen.protocols.sit_and_reach import hand_tips
from tiltscreen.protocols.sit_and_reach.hold import seen_around
from tiltscreen.protocols.sit_and_reach.measure import hand_position
from tiltscreen.protocols.sit_and_reach.reach import fingertips_from

SIZE = (200, 100)  # width, height (px)


def _hand(x0: float) -> np.ndarray:
    """21 normalised landmarks: wrist at x0, every point 0.01 further right; the ring tip (16) furthest right
    (x0 + 0.30) and furthest left of all is the wrist; y = 0.5 throughout (the row does not matter)."""
    lms = np.column_stack([x0 + 0.01 * np.arange(21), np.full(21, 0.5)])
    lms[16, 0] = x0 + 0.30
    return lms


def _arrays(n: int, *, hand_rows: set[int], near: str = "left") -> dict[str, np.ndarray]:
    """One hand per listed frame, fitting only the ``near`` arm (mismatch 0.2 palm lengths, 9 the other)."""
    lms = np.full((n, 2, 21, 2), np.nan)
    mismatch = np.full((n, 2, 2), np.nan)
    score = np.full((n, 2), np.nan)
    for i in hand_rows:
        lms[i, 0] = _hand(0.1)
        mismatch[i, 0] = (0.2, 9.0) if near == "left" else (9.0, 0.2)
        score[i, 0] = 0.9
    return {
        "hand_slots_landmarks": lms,
        "hand_slots_mismatch": mismatch,
        "hand_slots_score": score,
        "hand_slots_label": np.zeros((n, 2), np.int8),
        "hand_ms": np.full(n, 20.0),
        "hand_frame_index": np.arange(n) + 100,
    }


def test_near_hand_forward_tip_in_pixels():
    """Facing image-right the ring tip (x = 0.40 -> 80 px, y = 0.5 -> 50 px) is the forward-most tip; the
    constant track survives the 6 Hz low-pass unchanged. Facing image-left the forward-most of the four finger
    tips is the index tip (8): x = 0.1 + 0.08 = 0.18 -> 36 px."""
    n = 30
    arr = _arrays(n, hand_rows=set(range(n)))
    t = np.arange(n) / 30.0
    rows = np.arange(n) + 100
    right = hand_tips.hand_points_px(arr, side="left", facing=1, frame_index=rows, image_size=SIZE, t_s=t)
    np.testing.assert_allclose(right.tip, np.tile([80.0, 50.0], (n, 1)), atol=1e-9)
    left = hand_tips.hand_points_px(arr, side="left", facing=-1, frame_index=rows, image_size=SIZE, t_s=t)
    np.testing.assert_allclose(left.tip, np.tile([36.0, 50.0], (n, 1)), atol=1e-9)
    # the index knuckle (landmark 5) whichever way the subject faces: x = 0.1 + 0.05 = 0.15 -> 30 px
    np.testing.assert_allclose(left.knuckle, np.tile([30.0, 50.0], (n, 1)), atol=1e-9)


def test_far_arm_hand_is_not_the_near_tip():
    """The only hand fits the right arm; with the left side near there is no near tip (all NaN)."""
    arr = _arrays(10, hand_rows=set(range(10)), near="right")
    out = hand_tips.hand_points_px(
        arr, side="left", facing=1, frame_index=np.arange(10) + 100, image_size=SIZE, t_s=np.arange(10) / 30
    )
    assert out.tip.shape == (10, 2) and np.isnan(out.tip).all() and np.isnan(out.knuckle).all()


def test_rows_matched_by_frame_index_and_gaps_fall_back_to_the_outline():
    """Landmark rows are frames 100..109 but frame 103 is missing from the table; the hook saw 100..109 with a
    hand on frames 100-104 only. Row 3 (frame 104) gets the hand; rows 4-8 (frames 105-109) have none, so the
    outline (source 1) is used there."""
    arr = _arrays(10, hand_rows={0, 1, 2, 3, 4})
    rows = np.array([100, 101, 102, 104, 105, 106, 107, 108, 109])
    out = hand_tips.hand_points_px(
        arr, side="left", facing=1, frame_index=rows, image_size=SIZE, t_s=np.arange(9) / 30
    ).tip
    assert np.isfinite(out[:4]).all() and np.isnan(out[4:]).all()
    np.testing.assert_allclose(out[3], [80.0, 50.0])
    tips = fingertips_from([(hand_tips.HAND_SOURCE, out), ("outline", np.full((9, 2), 5.0))])
    assert tips.source.tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 1]
    summary = hand_tips.fingertip_summary(tips, arr)
    assert summary["frames"] == {"hand model": 4, "outline": 5, "none": 0, "total": 9}
    assert summary["order"] == ["hand model", "outline"]
    assert summary["hand_model_ms_per_frame"] == 20.0


def test_no_hand_arrays_no_source():
    """Without the hook's arrays (no hand model) there is no hand source at all."""
    kw = {"side": "left", "facing": 1, "frame_index": np.arange(3), "image_size": SIZE, "t_s": np.arange(3.0)}
    assert hand_tips.hand_points_px(None, **kw) is None
    assert hand_tips.hand_points_px({"border_contacts": np.zeros((3, 4, 2))}, **kw) is None


def test_missing_hand_model_gives_a_reason(tmp_path, monkeypatch):
    """A model path that does not exist: no hook, one sentence naming the outline fallback."""
    hook = hand_tips.open_hand_hook(str(tmp_path / "absent.task"))
    assert hook.recorder is None
    assert hook.reason.startswith("Fingertips from the body outline only")
    assert hook.arrays() == {}
    hook.close()


def test_summary_note_without_reason():
    tips = fingertips_from([("outline", np.zeros((2, 2)))])
    assert hand_tips.fingertip_summary(tips, None)["note"] == hand_tips.SOURCES_NOTE


def test_hand_position_joins_the_pose_knuckle_without_a_step():
    """Facing image-right, no roll: forward = x. The hand model's knuckle reads 2 px ahead of the pose's on
    the 6 frames both have; on the 4 frames it lacks, the pose's knuckle + 2 px is used: a still hand stays at
    102 px throughout. Without the hand model the pose's knuckle (100 px) alone."""
    pose = np.tile([100.0, 50.0], (10, 1))
    model = np.tile([102.0, 50.0], (10, 1))
    model[6:] = np.nan
    out = hand_position(pose, model, facing=1, roll_deg=0.0)
    np.testing.assert_allclose(out, np.full(10, 102.0))
    np.testing.assert_allclose(hand_position(pose, None, facing=1, roll_deg=0.0), np.full(10, 100.0))


def test_seen_around_ignores_speeds_across_gaps():
    """30 fps, knuckle seen on frames 0-9 and 40-49 (a 1-s gap). A seen frame has itself on both sides; a
    frame in the gap needs a seen one within 0.15 s before AND after: frames 10-13 have frame 9 before
    (<= 0.13 s) but frame 40 after (>= 0.9 s), frames 36-39 the reverse, so none of the gap counts. With
    one-frame gaps (every other frame seen) each unseen frame has seen neighbours 1/30 s away: all count."""
    t = np.arange(50) / 30.0
    known = np.zeros(50, bool)
    known[:10] = known[40:] = True
    np.testing.assert_array_equal(seen_around(t, known), known)
    np.testing.assert_array_equal(seen_around(t, np.arange(50) % 2 == 0)[:-1], np.ones(49, bool))
    assert not seen_around(t, np.zeros(50, bool)).any()
