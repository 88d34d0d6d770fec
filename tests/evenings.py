"""Generated evenings for `voice-coach serve`: real speech of the wake word in a room.

"Okay Nabu" comes from the Piper English joe voice and from espeak-ng's Dutch voice
("Oké Nabu") at several speeds and levels; the room has a fan or a TV under it; the
talk without the word is espeak-ng Dutch and English dialogue. Each builder returns a
`speechgen.Scene` whose `marks` say where every wake word ends (seconds).
"""

from __future__ import annotations

import numpy as np

from tests import speechgen as sg
from voice_coach.audio.chunk import LISTEN_RATE, Samples

RATE = LISTEN_RATE


def okay_nabu(kind: str = "piper", wpm: int = 150) -> Samples:
    """The wake word: "piper" (en joe voice) or "espeak" (Dutch "Oké Nabu" at `wpm`)."""
    if kind == "piper":
        return sg.piper_joe("Okay nabu.").samples
    return sg.espeak("Oké Nabu", "nl", wpm).samples


def evening(
    parts: list[tuple[str, object]],
    *,
    background: str = "fan",
    background_dbfs: float = -50.0,
    seed: int = 5,
) -> sg.Scene:
    """Build a scene from parts: ("silence", seconds), ("wake", (kind, wpm, dbfs)),
    ("talk", (turns, language)); a fan, a TV or nothing ("none") under all of it.

    Marks "wake1", "wake2", ... hold where each wake word ends.
    """
    scene = sg.Scene()
    wakes = 0
    for kind, value in parts:
        if kind == "silence":
            scene.silence(float(value))  # type: ignore[arg-type]
        elif kind == "wake":
            voice, wpm, level = value  # type: ignore[misc]
            scene.say(sg.Utterance(okay_nabu(voice, wpm), 4), level, pause=0.0)
            wakes += 1
            scene.marks[f"wake{wakes}"] = scene.seconds
        elif kind == "talk":
            turns, language = value  # type: ignore[misc]
            sg.dialogue(turns, -26.0, language=language, scene=scene)
        else:
            raise ValueError(kind)
    if background == "fan":
        scene.mix(sg.fan(scene.seconds, background_dbfs, seed))
    elif background == "tv":
        scene.mix(sg.tv(scene.seconds, background_dbfs, seed))
    return sg.room(scene)


def quiet_room(seconds: float, fan_dbfs: float = -55.0, seed: int = 5) -> Samples:
    """A room with a fan and nobody talking: 20 s of fan and hiss, repeated (cheap to make)."""
    loop = sg.room(sg.Scene().silence(20.0).mix(sg.fan(20.0, fan_dbfs, seed))).samples
    reps = int(np.ceil(seconds * RATE / len(loop)))
    return np.tile(loop, reps)[: round(seconds * RATE)].astype(np.float32)


def talk_without_the_word(seconds: float, seed: int = 11) -> Samples:
    """Dutch and English dialogue (two voices each, varied pace) for `seconds`, over a TV."""
    scene = sg.Scene()
    turn = 0
    while scene.seconds < seconds:
        language = "nl" if (turn // 6) % 2 == 0 else "en"
        sg.dialogue(6, -26.0 + (turn % 4) * 2.0, language=language, scene=scene, offset=turn)
        turn += 6
    scene.samples = scene.samples[: round(seconds * RATE)]
    scene.mix(sg.tv(scene.seconds, -42.0, seed))
    return np.asarray(sg.room(scene).samples, dtype=np.float32)
