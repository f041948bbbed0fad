from tiltscreen.app.capture import SIT_AND_REACH_PLAN, STANDING_PLAN, CaptureMachine, plan_for


def test_standing_capture_needs_checks_held_then_counts_down_then_records_fixed_length():
    m = CaptureMachine(STANDING_PLAN)  # still 1 s, countdown 3 s, record 4 s
    assert m.update(0.0, checks_pass=True) is None and m.state.phase == "setup"
    assert m.update(0.9, checks_pass=True) is None and m.state.phase == "setup"
    assert m.update(1.0, checks_pass=True) is None and m.state.phase == "countdown"
    assert m.state.remaining_s(2.5, STANDING_PLAN) == 1.5
    assert m.update(3.9, checks_pass=True) is None
    assert m.update(4.0, checks_pass=True) == "start" and m.state.phase == "recording"
    assert m.update(7.9, checks_pass=False) is None
    assert m.update(8.0, checks_pass=False) == "stop"
    assert m.state.phase == "done" and m.state.stop_reason == "length" and not m.state.override


def test_a_failing_check_during_the_countdown_returns_to_setup():
    m = CaptureMachine(STANDING_PLAN)
    m.update(0.0, checks_pass=True)
    m.update(1.0, checks_pass=True)
    assert m.state.phase == "countdown"
    m.update(2.0, checks_pass=False)
    assert m.state.phase == "setup" and m.state.since is None


def test_manual_override_is_recorded_and_redo_resets():
    m = CaptureMachine(STANDING_PLAN)
    assert m.override(5.0) == "start"
    assert m.state.override and m.state.phase == "recording"
    assert m.override(6.0) is None  # already recording
    m.reset()
    assert m.state.phase == "setup" and not m.state.override


def test_sit_and_reach_stops_after_the_wanted_holds_or_the_clinician():
    m = CaptureMachine(SIT_AND_REACH_PLAN)  # still 0.5 s, countdown 2 s, 2 holds
    m.update(0.0, checks_pass=True)
    m.update(0.5, checks_pass=True)
    assert m.update(2.5, checks_pass=True) == "start"
    assert m.update(5.0, checks_pass=True, hold_released=True) is None and m.state.holds_released == 1
    # the second release starts a 2.5-s tail so that the hands' return is recorded whole
    assert m.update(9.0, checks_pass=False, hold_released=True) is None and m.state.holds_released == 2
    assert m.update(11.4, checks_pass=False) is None
    assert m.update(11.5, checks_pass=False) == "stop"
    assert m.state.stop_reason == "holds"
    m2 = CaptureMachine(SIT_AND_REACH_PLAN)
    m2.override(0.0)
    assert m2.finish() == "stop" and m2.state.stop_reason == "clinician"
    m3 = CaptureMachine(SIT_AND_REACH_PLAN)
    m3.override(0.0)
    assert m3.update(39.9, checks_pass=True) is None
    assert m3.update(40.0, checks_pass=True) == "stop" and m3.state.stop_reason == "maximum"


def test_plans_by_step():
    assert plan_for("standing_left") is STANDING_PLAN and plan_for("sit_and_reach") is SIT_AND_REACH_PLAN
