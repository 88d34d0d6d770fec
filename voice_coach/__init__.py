"""voice_coach: a local, hands-free voice coach for couples."""

__version__ = "0.1.0"
