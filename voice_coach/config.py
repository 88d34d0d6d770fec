"""Settings as frozen dataclasses, with defaults, loaded from the user's config file.

The config file is TOML at `$XDG_CONFIG_HOME/voice-coach/config.toml`
(usually `~/.config/voice-coach/config.toml`); every key is optional:

    [couple]
    names = "Anna,Bram"    # how the coach addresses you (partner A first)
    [audio]
    mic = "USB"            # device name part or index; empty: the system default
    speaker = "USB"
    [speech]
    voice_nl = "nl_BE-nathalie-medium"
    voice_en = "en_US-joe-medium"
    [listen]
    raised_voice_db = 8.0
    [privacy]
    keep_recordings = false
    journal = true         # live sessions are remembered (no words, no audio)
    [wake]                 # `voice-coach serve`: the always-on coach
    word = "okay_nabu"     # `voice-coach serve --list-wake-words`
    sensitivity = 0.5
    [serve]
    enabled_hours = "18:00-23:30"
    default_script = "avond-checkin"
    [schedule]
    checkin = "21:00"      # "" for no nightly invitation
    days = "ma,di,wo,do,vr,za,zo"
    script = "avond-checkin"
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voice_coach.errors import VoiceCoachError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


class ConfigError(VoiceCoachError):
    """The config file cannot be used; the message names the file, the key and the fix."""


@dataclass(frozen=True)
class ListenSettings:
    """Thresholds of the listening detectors (scripts may override them)."""

    breathing_pause: bool = True
    """Interrupt with guided breathing when voices rise."""
    raised_voice_db: float = 8.0
    """dB above a partner's own calm level that counts as raised when their pitch rises
    with it; at their calm pitch it takes 3 dB more (a partner leaning in)."""
    raised_voice_seconds: float = 0.6
    """Seconds of a partner's voice the raise is measured over (it must hold a little
    longer: with the pauses between words, a raise is caught about a second in)."""
    breathing_cooldown: float = 60.0
    """Seconds after a breathing pause before another may start."""
    pace_feedback: bool = False
    """Nudge a partner who talks clearly faster than the target. Off by default: pace is
    the slowed-down talking exercise's business (scripts and turns turn it on), and
    nudging someone at an ordinary pace in a check-in is nagging."""
    pace_target: float = 3.5
    """Calm speaking rate in syllables per second of speech."""
    pace_margin: float = 0.3
    """Fraction above the target that earns a nudge (0.3 = 30 % faster)."""
    pace_nudges_per_turn: int = 1
    """At most this many pace nudges in one turn."""
    pace_window: float = 6.0
    """Seconds of speech over which the pace is measured."""
    pace_words: bool = True
    """Cross-check a fast pace with a recogniser's word timings before a nudge (when a
    recogniser is there: a second, free-speech pass during turns; words are counted,
    never kept)."""
    silence_margin_db: float = 10.0
    """dB above the tracked noise floor that counts as speech."""
    echo_tail: float = 0.4
    """Seconds after the coach stops speaking during which the input is ignored."""

    def with_overrides(self, changes: Mapping[str, object]) -> ListenSettings:
        """These settings with `changes` applied; keys that are not ours are ignored.

        A script's `settings:` and a turn's own settings arrive this way
        (`script.model.Settings.overrides()`), so this module never imports scripts.
        """
        names = {f.name for f in dataclasses.fields(self)}
        ours: dict[str, Any] = {k: v for k, v in changes.items() if k in names}
        return dataclasses.replace(self, **ours)


@dataclass(frozen=True)
class CoupleSettings:
    """Who the coach talks to."""

    names: str = ""
    """The partners' names, A first, separated by a comma ("" = the language's default)."""


@dataclass(frozen=True)
class AudioSettings:
    """Which devices to use."""

    mic: str = ""
    """Input device: index or part of its name ("" = the system default)."""
    speaker: str = ""
    """Output device: index or part of its name ("" = the system default)."""
    device_timeout: float = 120.0
    """Seconds to wait for a lost device to come back before ending the session."""


@dataclass(frozen=True)
class SpeechSettings:
    """Which voices and recognisers to use."""

    voice_nl: str = "nl_BE-nathalie-medium"
    """Piper voice for Dutch (x_low voices suit a Raspberry Pi 3)."""
    voice_en: str = "en_US-joe-medium"
    """Piper voice for English (installed with the package)."""
    recognizer_nl: str = "vosk-model-small-nl-0.22"
    recognizer_en: str = "vosk-model-small-en-us-0.15"
    espeak_fallback: bool = True
    """Speak with espeak-ng when no Piper voice is there for the language."""

    def voice_for(self, language: str) -> str:
        """Configured Piper voice name for a language code."""
        return str(getattr(self, f"voice_{language}", ""))

    def recognizer_for(self, language: str) -> str:
        """Configured Vosk model name for a language code."""
        return str(getattr(self, f"recognizer_{language}", ""))


@dataclass(frozen=True)
class PrivacySettings:
    """What may be written to disk. Nothing of what a couple says, unless turned on."""

    keep_recordings: bool = False
    """Save the microphone audio of each live session (readable by the user only).
    Recognised words are never written anywhere: only answers and commands."""
    journal: bool = True
    """Remember each live session in the journal (`voice-coach journal`): when, which
    exercise, talk time, breathing pauses, answer words and ratings; never what was
    said. Simulated and typed sessions are remembered only with `run --journal`."""


WAKE_WORDS = ("okay_nabu", "hey_jarvis", "hey_mycroft", "alexa")
"""Wake-word models that ship with pymicro-wakeword (`serve --list-wake-words` says more)."""

DAY_NAMES: dict[str, int] = {
    **{d: i for i, d in enumerate(("ma", "di", "wo", "do", "vr", "za", "zo"))},
    **{d: i for i, d in enumerate(("mo", "tu", "we", "th", "fr", "sa", "su"))},
    **{d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{
        d: i
        for i, d in enumerate(
            ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
        )
    },
    **{
        d: i
        for i, d in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}
"""Dutch and English day names and abbreviations -> weekday (Monday 0)."""

_CLOCK = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_clock(text: str, key: str) -> dt.time:
    """ "21:00" -> 21:00; ValueError naming `key` otherwise."""
    match = _CLOCK.match(text.strip())
    if not match:
        raise ValueError(f'\'{key}\' should be a time like "21:00", not "{text}"')
    return dt.time(int(match.group(1)), int(match.group(2)))


def parse_days(text: str, key: str = "days") -> frozenset[int]:
    """ "ma,di,wo" or "mon-fri" -> weekdays (Monday 0); ValueError naming `key` otherwise."""
    days: set[int] = set()
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        ends = [e.strip() for e in part.split("-")]
        if len(ends) == 2 and all(e in DAY_NAMES for e in ends):
            first, last = DAY_NAMES[ends[0]], DAY_NAMES[ends[1]]
            days.update(
                range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
            )
        elif part in DAY_NAMES:
            days.add(DAY_NAMES[part])
        else:
            raise ValueError(
                f"'{key}' has an unknown day \"{part}\"; use ma,di,wo,do,vr,za,zo "
                "or mon,tue,wed,thu,fri,sat,sun"
            )
    return frozenset(days)


def parse_hours(text: str, key: str = "enabled_hours") -> tuple[dt.time, dt.time]:
    """ "18:00-23:30" -> (18:00, 23:30); an end before the start runs past midnight."""
    parts = text.split("-")
    if len(parts) != 2:
        raise ValueError(f'\'{key}\' should be two times like "18:00-23:30", not "{text}"')
    start, end = parse_clock(parts[0], key), parse_clock(parts[1], key)
    if start == end:
        raise ValueError(
            f"'{key}' starts and ends at the same time; use \"00:00-23:59\" for all day"
        )
    return start, end


@dataclass(frozen=True)
class WakeSettings:
    """The wake word of `voice-coach serve`."""

    word: str = "okay_nabu"
    """Wake-word model: okay_nabu ("Oké Nabu" works for Dutch speakers), hey_jarvis,
    hey_mycroft or alexa."""
    sensitivity: float = 0.5
    """0 to 1. 0.5 keeps the model's own threshold; higher wakes more easily (and more
    often by mistake), lower needs a clearer word."""

    def __post_init__(self) -> None:
        if self.word not in WAKE_WORDS:
            raise ValueError(
                f"'word' should be one of {', '.join(WAKE_WORDS)}, not \"{self.word}\""
            )
        if not 0.0 <= self.sensitivity <= 1.0:
            raise ValueError(f"'sensitivity' should be between 0 and 1, not {self.sensitivity:g}")


@dataclass(frozen=True)
class ServeSettings:
    """The always-on coach (`voice-coach serve`)."""

    enabled_hours: str = "18:00-23:30"
    """When the service listens (for the wake word and the invitation); deaf outside."""
    language: str = "nl"
    """Language of the coach's own questions and of the exercises it offers (nl or en)."""
    default_script: str = "avond-checkin"
    """Started by the wake word when no recogniser can hear which exercise is wanted."""
    refractory: float = 2.0
    """Seconds after a session or a cancelled wake before the wake word counts again."""
    choose_timeout: float = 8.0
    """Seconds to wait for the name of an exercise after the wake word."""

    def __post_init__(self) -> None:
        parse_hours(self.enabled_hours)
        if self.language not in ("nl", "en"):
            raise ValueError(f"'language' should be nl or en, not \"{self.language}\"")
        if not self.default_script.strip():
            raise ValueError("'default_script' should name a script (see `voice-coach list`)")
        if not 0.0 <= self.refractory <= 60.0:
            raise ValueError(f"'refractory' should be 0 to 60 seconds, not {self.refractory:g}")
        if not 2.0 <= self.choose_timeout <= 60.0:
            raise ValueError(
                f"'choose_timeout' should be 2 to 60 seconds, not {self.choose_timeout:g}"
            )

    @property
    def hours(self) -> tuple[dt.time, dt.time]:
        """(start, end) of the listening hours; an end before the start runs past midnight."""
        return parse_hours(self.enabled_hours)


@dataclass(frozen=True)
class ScheduleSettings:
    """The nightly invitation of `voice-coach serve`."""

    checkin: str = "21:00"
    """When the coach invites the couple ("" for no invitation)."""
    days: str = "ma,di,wo,do,vr,za,zo"
    """Days with an invitation: Dutch or English names or abbreviations, or a range (ma-vr)."""
    script: str = "avond-checkin"
    """The exercise the invitation starts."""
    snooze: float = 15.0
    """Minutes until the coach asks again after "straks" (later)."""
    max_snoozes: int = 2
    """At most this many "straks" in one evening; then it stays quiet."""

    def __post_init__(self) -> None:
        if self.checkin.strip():
            parse_clock(self.checkin, "checkin")
        parse_days(self.days)
        if not self.script.strip():
            raise ValueError("'script' should name a script (see `voice-coach list`)")
        if not 1.0 <= self.snooze <= 180.0:
            raise ValueError(f"'snooze' should be 1 to 180 minutes, not {self.snooze:g}")
        if not 0 <= self.max_snoozes <= 5:
            raise ValueError(f"'max_snoozes' should be 0 to 5, not {self.max_snoozes}")

    @property
    def time(self) -> dt.time | None:
        """The invitation's time of day, or None when there is none."""
        return parse_clock(self.checkin, "checkin") if self.checkin.strip() else None

    @property
    def weekdays(self) -> frozenset[int]:
        """Weekdays with an invitation (Monday 0)."""
        return parse_days(self.days)


@dataclass(frozen=True)
class Config:
    """Everything the user can set."""

    couple: CoupleSettings = field(default_factory=CoupleSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    listen: ListenSettings = field(default_factory=ListenSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    wake: WakeSettings = field(default_factory=WakeSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    models_dir: Path = field(default_factory=lambda: default_models_dir())
    """Where downloaded models live."""


def config_dir() -> Path:
    """The user's config folder for voice-coach."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "voice-coach"


def data_dir() -> Path:
    """The user's data folder for voice-coach (caches, history)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "voice-coach"


def user_scripts_dir() -> Path:
    """The coach's own scripts; one here overrides a built-in script of the same id."""
    return config_dir() / "scripts"


def checkout_dir() -> Path | None:
    """The source checkout this package runs from, if it runs from one."""
    root = Path(__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "scripts").is_dir() else None


def builtin_scripts_dir() -> Path:
    """The built-in spoken scripts (`scripts/<language>/*.yaml`)."""
    root = checkout_dir()
    if root is not None:
        return root / "scripts"
    return Path(__file__).resolve().parent / "builtin_scripts"


def default_models_dir() -> Path:
    """`models/` in a checkout, else the user's data folder; VOICE_COACH_MODELS wins."""
    env = os.environ.get("VOICE_COACH_MODELS")
    if env:
        return Path(env)
    root = checkout_dir()
    return root / "models" if root is not None else data_dir() / "models"


@dataclass(frozen=True)
class Range:
    """The numbers a setting accepts: `low` (excluded when `above`) up to `high`."""

    low: float
    above: bool
    high: float
    unit: str = ""

    def allows(self, value: float) -> bool:
        """Whether `value` is finite and inside the range."""
        if not math.isfinite(value) or value > self.high:
            return False
        return value > self.low if self.above else value >= self.low

    def __str__(self) -> str:
        low = f"more than {self.low:g}" if self.above else f"from {self.low:g}"
        unit = f" {self.unit}" if self.unit else ""
        return f"{low} up to {self.high:g}{unit}"


RANGES: dict[str, Range] = {
    "listen.raised_voice_db": Range(0, True, 40, "dB"),
    "listen.raised_voice_seconds": Range(0, True, 60, "seconds"),
    "listen.breathing_cooldown": Range(0, False, 3600, "seconds"),
    "listen.pace_target": Range(0, True, 10, "syllables per second"),
    "listen.pace_margin": Range(0, True, 2),
    "listen.pace_nudges_per_turn": Range(0, False, 100),
    "listen.pace_window": Range(1, False, 60, "seconds"),
    "listen.silence_margin_db": Range(0, True, 40, "dB"),
    "listen.echo_tail": Range(0, False, 5, "seconds"),
    "audio.device_timeout": Range(0, False, 86_400, "seconds"),
}
"""Allowed values of every number in the config file, by "section.key"."""


_SECTIONS: dict[str, type[Any]] = {
    "couple": CoupleSettings,
    "audio": AudioSettings,
    "speech": SpeechSettings,
    "listen": ListenSettings,
    "privacy": PrivacySettings,
    "wake": WakeSettings,
    "serve": ServeSettings,
    "schedule": ScheduleSettings,
}


def load_config(path: Path | None = None) -> Config:
    """Read the config file (missing file: all defaults)."""
    path = path or config_dir() / "config.toml"
    if not path.is_file():
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # a BOM is fine
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"{path}: cannot read the config file: {err}") from err
    parts: dict[str, Any] = {}
    for section, values in raw.items():
        if section == "models_dir":
            parts["models_dir"] = Path(str(values)).expanduser()
            continue
        cls = _SECTIONS.get(section)
        if cls is None or not isinstance(values, dict):
            known = ", ".join(sorted(_SECTIONS))
            raise ConfigError(f"{path}: unknown section [{section}]; known sections: {known}")
        parts[section] = _build(cls, values, f"{path}: [{section}]", section)
    return Config(**parts)


def _build(cls: type[Any], values: dict[str, Any], where: str, section: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    defaults = cls()
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            raise ConfigError(f"{where} unknown key '{key}'; known keys: {', '.join(fields)}")
        expected = type(getattr(defaults, key))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if expected is str and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            raise ConfigError(
                f"{where} '{key}' should be {expected.__name__}, not {type(value).__name__}"
            )
        allowed = RANGES.get(f"{section}.{key}")
        if allowed is not None and not allowed.allows(value):
            raise ConfigError(f"{where} '{key}' = {value} is out of range: use {allowed}")
        kwargs[key] = value
    try:
        return cls(**kwargs)
    except ValueError as err:  # a section's own check (times, days, ranges)
        raise ConfigError(f"{where} {err}") from err
