"""tiltscreen.kinematics."""
