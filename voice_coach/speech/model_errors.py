"""The errors shared by every step of fetching, checking and installing speech models."""

from __future__ import annotations

from voice_coach.errors import VoiceCoachError


class ModelError(VoiceCoachError):
    """A model cannot be fetched or used; the message says what, where and what to do."""


class ChecksumError(ModelError):
    """The downloaded bytes are not the published file; the `.part` file was deleted."""
