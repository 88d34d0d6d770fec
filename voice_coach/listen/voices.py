"""Whose voice it is, in an open dialogue: talk time split by each partner's calm pitch.

In a turn of both partners nobody says who speaks. Once each partner's calm pitch is
known (learned in their own turns, `Listener.partner_pitches`), a voiced block whose
pitch lies clearly nearer one partner's calm pitch than the other's is that partner's.
The speech around it — consonants, short pauses, the start of the utterance before
the first voiced block — goes with it, until the other voice is heard for a moment.
Speech no voice was heard in stays unattributed (counted as shared). Pure: block
lengths, speech flags and pitches in, attributed seconds out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from voice_coach.listen.pitch import semitones

MIN_APART_ST = 4.0
"""Semitones the partners' calm pitches must lie apart to tell their voices apart."""
MARGIN_ST = 2.0
"""Semitones a block's pitch must lie nearer one partner than the other to count."""
SWITCH_BLOCKS = 4
"""Voiced blocks in a row of the other partner that change whose utterance it is."""


@dataclass
class VoiceSplit:
    """Attributes the speech of an open dialogue to partners by pitch (seconds)."""

    pitches_hz: Mapping[str, float]
    """Each partner's calm pitch in Hertz, by role ("A", "B")."""
    current: str | None = None
    """Whose voice the utterance going on is (None: not heard yet)."""
    pending_s: float = 0.0
    """Seconds of this utterance heard before any voice was recognised in it."""
    _streak: tuple[str | None, int] = field(default=(None, 0))

    @classmethod
    def of(cls, pitches_hz: Mapping[str, float]) -> VoiceSplit | None:
        """A split when two partners' calm pitches are known and far enough apart."""
        if len(pitches_hz) != 2:
            return None
        low, high = sorted(pitches_hz.values())
        return cls(dict(pitches_hz)) if semitones(high, low) >= MIN_APART_ST else None

    def voice_of(self, pitch_hz: float) -> str | None:
        """The partner whose calm pitch `pitch_hz` is clearly nearest (None: unclear)."""
        (a, a_hz), (b, b_hz) = self.pitches_hz.items()
        to_a, to_b = abs(semitones(pitch_hz, a_hz)), abs(semitones(pitch_hz, b_hz))
        if abs(to_a - to_b) < MARGIN_ST:
            return None
        return a if to_a < to_b else b

    def update(self, seconds: float, is_speech: bool, pitch_hz: float | None) -> dict[str, float]:
        """Feed one block: its length, whether it is speech, its pitch (None: unvoiced).
        Returns the seconds this block attributes, by role (often none)."""
        if not is_speech:
            self.current, self.pending_s, self._streak = None, 0.0, (None, 0)
            return {}
        voice = self.voice_of(pitch_hz) if pitch_hz is not None else None
        if voice is not None and voice != self.current:
            who, count = self._streak
            count = count + 1 if who == voice else 1
            self._streak = (voice, count)
            if self.current is None or count >= SWITCH_BLOCKS:
                self.current = voice
        elif voice is not None:
            self._streak = (voice, 0)
        if self.current is None:
            self.pending_s += seconds
            return {}
        out = {self.current: seconds + self.pending_s}
        self.pending_s = 0.0
        return out
