"""Reads of screen recordings (track: screen recording)."""

from __future__ import annotations

from typing import Any

from solvent.screen_recording.models import ScreenRecording


def screen_recordings_for_call(*, user: Any, call_id: int) -> list[ScreenRecording]:
    """The screen recordings tied to a call, for a person who may review it (else [])."""
    return []
