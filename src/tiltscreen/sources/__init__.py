"""tiltscreen.sources."""
