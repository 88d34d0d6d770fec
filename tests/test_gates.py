"""The listening gates with plain numbers: seconds in, decisions out."""

from __future__ import annotations

from voice_coach.listen.gates import RAISE_WAIT_FOR_BREATH, BreathGate, PaceGate, SilenceGate

BLOCK = 0.03


def _feed_breath(gate: BreathGate, blocks: list[tuple[float, float | None]]) -> list[float]:
    """Feed (silence run, detection) per block; the seconds at which the gate fired."""
    fired = []
    for index, (silence, raised) in enumerate(blocks):
        if gate.update(BLOCK, silence, raised) is not None:
            fired.append(round((index + 1) * BLOCK, 2))
    return fired


def test_a_raise_waits_for_a_breath() -> None:
    gate = BreathGate()
    blocks = [(0.0, 9.0)] + [(0.0, None)] * 9 + [(0.12, None), (0.27, None), (0.3, None)]
    assert _feed_breath(gate, blocks) == [0.36]  # the block where 0.25 s of silence was reached
    assert gate.pending_db is None


def test_a_raise_in_unbroken_speech_is_named_after_the_wait() -> None:
    gate = BreathGate()
    assert gate.wait_s == RAISE_WAIT_FOR_BREATH == 1.2
    fired = _feed_breath(gate, [(0.0, 11.0)] + [(0.0, None)] * 100)
    assert fired == [1.23]  # the detection block, then 1.2 s more


def test_a_later_detection_restarts_the_wait_and_carries_its_level() -> None:
    gate = BreathGate(wait_s=0.3)
    assert gate.update(BLOCK, 0.0, 8.0) is None
    assert gate.update(0.2, 0.0, None) is None
    assert gate.update(BLOCK, 0.0, 12.0) is None  # a stronger one: the wait starts again
    assert gate.update(0.2, 0.0, None) is None
    assert gate.update(0.2, 0.0, None) == 12.0


def test_nothing_pending_never_fires() -> None:
    assert _feed_breath(BreathGate(), [(5.0, None)] * 50) == []


def test_a_fast_pace_waits_for_a_pause() -> None:
    gate = PaceGate(limit=4.5)
    assert not gate.update(BLOCK, 0.0, 5.5)
    assert not gate.update(BLOCK, 0.2, None)
    assert gate.update(BLOCK, 0.4, None)
    assert gate.pending_sps == 5.5
    assert gate.call(None, words_expected=False) == "nudge"
    assert gate.pending_sps is None


def test_a_calm_pace_is_never_pending() -> None:
    gate = PaceGate(limit=4.5)
    assert not any(gate.update(BLOCK, 1.0, 4.0) for _ in range(100))


def test_the_words_can_clear_a_fast_sound_estimate() -> None:
    gate = PaceGate(limit=4.5)
    gate.update(BLOCK, 0.5, 6.0)
    assert gate.call(3.9, words_expected=True) == "fine"
    assert gate.pending_sps is None


def test_without_a_verdict_the_gate_waits_then_decides_alone() -> None:
    gate = PaceGate(limit=4.5, patience_s=1.0)
    gate.update(BLOCK, 0.5, 6.0)
    assert gate.call(None, words_expected=True) == "wait"
    for _ in range(40):  # 1.2 s of pause
        gate.update(BLOCK, 0.5, None)
    assert gate.age_s >= 1.0
    assert gate.call(None, words_expected=True) == "nudge"


def test_words_that_agree_nudge_at_once() -> None:
    gate = PaceGate(limit=4.5)
    gate.update(BLOCK, 0.5, 6.0)
    assert gate.call(5.8, words_expected=True) == "nudge"


def test_silence_gate() -> None:
    gate = SilenceGate(6.0)
    assert not gate.ends(5.99)
    assert gate.ends(6.0)
