"""A short, soft chime that closes a turn, synthesised so nothing has to ship."""

from __future__ import annotations

import numpy as np

from voice_coach.audio.chunk import AudioChunk


def chime(rate: int = 22_050, seconds: float = 0.9, level: float = 0.18) -> AudioChunk:
    """Two soft bell-like tones (a rising major third), `seconds` long at `rate` Hz.

    `level` is the peak amplitude (0.18 is about -15 dBFS): audible, never startling.
    """
    t = np.arange(round(seconds * rate)) / rate
    out = np.zeros_like(t)
    for start, freq in ((0.0, 659.25), (0.18, 830.61)):
        local = t - start
        on = local >= 0
        attack = np.clip(local / 0.01, 0.0, 1.0)
        decay = np.exp(-np.clip(local, 0.0, None) * 5.0)
        tone = np.sin(2 * np.pi * freq * local) + 0.25 * np.sin(2 * np.pi * 2 * freq * local)
        out += np.where(on, tone * attack * decay, 0.0)
    fade = np.clip((seconds - t) / 0.05, 0.0, 1.0)  # no click at the end
    out = out * fade
    peak = float(np.max(np.abs(out))) or 1.0
    return AudioChunk((out / peak * level).astype(np.float32), rate)
