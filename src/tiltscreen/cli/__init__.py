"""tiltscreen.cli."""
