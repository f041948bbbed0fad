"""tiltscreen.screening."""
