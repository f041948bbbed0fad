"""tiltscreen.synth."""
