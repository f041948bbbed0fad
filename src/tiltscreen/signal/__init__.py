"""tiltscreen.signal."""
