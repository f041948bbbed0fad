"""tiltscreen.protocols."""
