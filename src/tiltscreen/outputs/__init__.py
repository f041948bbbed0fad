"""tiltscreen.outputs."""
