"""tiltscreen.pose."""
