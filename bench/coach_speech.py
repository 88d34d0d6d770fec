"""How much the coach talks in each built-in script, read aloud with `preview`.

Run from the checkout root: `python -m bench.coach_speech` (or name scripts by id:
`python -m bench.coach_speech avond-checkin spiegelen`). Each built-in script is
rendered the way `voice-coach preview` does it (the real voice for its language:
Piper's joe for English, a Dutch Piper voice when one is in models/, else espeak-ng;
every turn silent for its planned length, every question taking its first answer
after its time to answer: the script as written), with
the names Anna and Bram, twice: on a couple's first evening (the `onboarding` step
said) and on a later one. Per script and evening it prints:

- coach: seconds of coach speech in all (each line as rendered, with the 0.4 s echo
  tail the coach waits after a line);
- longest: the longest line, in seconds;
- opening: seconds of coach speech before the couple first speak (the first turn,
  calibration, question or rating), and the seconds on the clock until then;
- planned: the whole preview's length in minutes, against the description's promise;
- voice: which voice spoke.

The estimate `voice-coach validate` and `list` use (characters per second) is printed
beside it, so the two can be compared.

Measured on the build machine (Piper joe for English; espeak-ng for Dutch, as no Dutch
Piper voice can be downloaded here), first evening / later evening:

    script            coach s   longest s  opening s  planned min  promise
    evening-checkin   167/147   12.6       37.3/16.7  8.9/8.6      5-10
    avond-checkin     199/174   16.9       43.6/19.2  9.4/9.0      5-10
    gratitude         174/153   11.4       37.8/17.2  11.5/11.2    8-12
    dankbaarheid      200/175   12.5       43.2/18.8  11.9/11.5    8-12
    mirroring         267/246   11.7       32.1/10.9  14.2/13.9    10-15
    spiegelen         299/274   14.7       38.0/13.1  14.8/14.4    10-15
    repair            339/318   11.2       37.1/15.9  18.9/18.6    15-20
    herstelgesprek    391/366   13.5       43.7/18.8  19.8/19.3    15-20
    shared-values     166/145    9.9       38.1/17.5  10.3/9.9     8-12
    waardenkaart      196/172   12.4       44.4/20.0  10.8/10.4    8-12
    slow-talking      199/177   13.4       34.7/12.6  10.6/10.2    8-12
    vertraagd-praten  231/204   14.7       40.5/13.8  11.1/10.6    8-12
    our-pattern       283/261   11.5       35.5/14.1  14.6/14.2    12-18
    ons-patroon       335/309   13.7       41.8/16.3  15.4/15.0    12-18
    breathing         135       12.4       39.9       4.1          4-6
    ademhaling        153       14.6       44.5       4.2          4-6
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make the checkout importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from voice_coach.config import Config, builtin_scripts_dir
from voice_coach.engine import events as ev
from voice_coach.engine.couple import CoupleRecord
from voice_coach.engine.runner import RunOptions, preview, select_voice_for
from voice_coach.script.advice import opening_seconds, promised_minutes
from voice_coach.script.estimate import estimate_seconds
from voice_coach.script.load import load_script
from voice_coach.script.model import Script
from voice_coach.speech.voice import Voice

COUPLE_SPEAKS = ("calibrate", "ask", "rate")
"""Step kinds where the couple speaks (besides a turn)."""


@dataclass(frozen=True)
class Reading:
    """One script read aloud on one evening."""

    coach_s: float
    """Seconds of coach speech (each line with its echo tail)."""
    longest_s: float
    longest_text: str
    opening_s: float
    """Seconds of coach speech before the couple first speak."""
    opening_clock_s: float
    """Seconds on the clock until then."""
    planned_s: float
    """The preview's length in seconds."""


def read_aloud(script: Script, voice: Voice, first_evening: bool, out: Path) -> Reading:
    """Preview `script` with `voice` and measure the coach's part from the events."""
    options = RunOptions(names=["Anna", "Bram"], couple=CoupleRecord(onboarded=not first_evening))
    log, seconds = preview(script, voice, Config(), out, options)
    said = [e for e in log.events if isinstance(e, ev.Said)]
    first = _first_speech(log.events)
    before = [e for e in said if e.t < first]
    longest = max(said, key=lambda e: e.seconds)
    return Reading(
        coach_s=sum(e.seconds for e in said),
        longest_s=longest.seconds,
        longest_text=longest.text,
        opening_s=sum(e.seconds for e in before),
        opening_clock_s=first,
        planned_s=seconds,
    )


def _first_speech(events: list[ev.Event]) -> float:
    """When the couple first speak: a turn starts, or the line that puts a calibration,
    a question or a rating ends."""
    asking = False
    for event in events:
        if isinstance(event, ev.StepStarted):
            asking = event.kind in COUPLE_SPEAKS
        elif isinstance(event, ev.Said) and asking:
            return event.t + event.seconds
        elif isinstance(event, ev.TurnStarted):
            return event.t
    return events[-1].t


def main(ids: list[str] | None = None) -> None:
    """Print one line per script and evening (all built-in scripts, or those `ids`)."""
    wanted = set(ids or ())
    paths = sorted(builtin_scripts_dir().glob("*/*.yaml"))
    with tempfile.TemporaryDirectory() as folder:
        os.environ["XDG_CACHE_HOME"] = str(Path(folder) / "cache")  # renders, shared per run
        os.environ["XDG_DATA_HOME"] = str(Path(folder) / "data")
        voices: dict[str, Voice] = {}
        print(
            f"{'script':18} {'evening':7} {'coach s':>8} {'longest s':>9} {'opening s':>9} "
            f"{'(clock)':>8} {'planned min':>11} {'promise':>9} {'estimate min':>12} "
            f"{'est. opening':>12}  voice"
        )
        for path in paths:
            script = load_script(path)
            if wanted and script.id not in wanted:
                continue
            voice = voices.get(script.language)
            if voice is None:
                voice = voices[script.language] = select_voice_for(script, Config(), _quiet)
            promise = promised_minutes(script.description)
            promised = f"{promise[0]:g}-{promise[1]:g}" if promise else "-"
            estimate = estimate_seconds(script, longest=True) / 60
            est_opening, _ = opening_seconds(script)
            for first in (True, False):
                reading = read_aloud(script, voice, first, Path(folder) / "preview.wav")
                print(
                    f"{script.id:18} {'first' if first else 'later':7} {reading.coach_s:8.0f} "
                    f"{reading.longest_s:9.1f} {reading.opening_s:9.1f} "
                    f"{reading.opening_clock_s:8.1f} {reading.planned_s / 60:11.1f} "
                    f"{promised:>9} {estimate:12.1f} {est_opening:12.0f}  {_name(voice)}",
                    flush=True,
                )


def _quiet(text: str) -> None:
    """Voice notices (espeak-ng standing in for a Dutch Piper voice) are in the table."""


def _name(voice: Voice) -> str:
    inner = getattr(voice, "inner", voice)
    return type(inner).__name__.replace("Voice", "").lower()


if __name__ == "__main__":
    main(sys.argv[1:])
