"""Held-out render sets (never open, fit, tune or debug on them); filled in below."""

from __future__ import annotations

from sets_common import RenderSet

HELDOUT_SETS: dict[str, RenderSet] = {}
