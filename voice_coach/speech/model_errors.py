"""The errors shared by every step of fetching, checking and installing speech models."""

from __future__ import annotations


class ModelError(Exception):
    """A model cannot be fetched or used; the message says what, where and what to do."""


class ChecksumError(ModelError):
    """The downloaded bytes are not the published file; the `.part` file was deleted."""
