"""What the coach says and understands in each language, outside any script.

Each language is a YAML file beside this module (`nl.yaml`, `en.yaml`) with:
- `phrases`: the coach's own lines (turn cues, the mirroring loop, breathing, ...),
  each a string or a list of wordings; a script may override any of them;
- `answers`: synonyms per answer word (ja: [ja, jazeker, klopt, ...]);
- `commands`: the spoken commands pause/continue/repeat/next/stop and their words;
- `numbers`: the words for 1 to 10, used to count breaths and to hear ratings;
- `rating_numbers`, `rating_skip`: more words for a number (één), and the words that
  skip a rating ("sla over");
- `keywords`: the language's words for yes, no, continue, stop and "or", which the
  engine's own questions use as answers, and its units and decimal point;
- `unnamed`: wordings of phrases for a couple whose names the coach was not given
  (other phrases lose their names by the rules of `lang.unnamed`).
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from voice_coach.errors import VoiceCoachError
from voice_coach.lang.unnamed import without_names
from voice_coach.yaml12 import load_yaml

SUPPORTED = ("nl", "en")
"""Language codes a script may use."""
NAMES = {"nl": "Dutch", "en": "English"}
"""The supported languages' names, for messages."""

COMMANDS = ("pause", "continue", "repeat", "next", "stop")

PHRASES: dict[str, str] = {
    "turn_open": "Opens a turn when the script gives no prompt. {name}",
    "turn_open_both": "Opens a turn for both partners when the script gives no prompt.",
    "turn_first": "Without names: before the first turn of the evening.",
    "turn_other": "Without names: before a turn of the partner who did not speak last.",
    "turn_again": "Without names: before a turn of the partner who spoke last.",
    "turn_warning": "Shortly before a turn ends. {name}, {seconds}",
    "turn_end": "Closes a turn whose time ran out, after the chime. {name}",
    "turn_silence_end": "Closes a turn the speaker finished (silence). {name}",
    "turn_end_both": "Closes a turn of both partners, after the chime.",
    "ask_again": "Asks once more when no answer matched. {answers}",
    "ask_default": "No answer came: says which answer is taken. {answer}",
    "ask_unheard": "Without a recogniser: says which answer is taken. {answer}",
    "no_recognizer": "Once per session without a recogniser: nothing spoken is understood, "
    "and how to stop instead.",
    "no_recognizer_wake": "The same, in `voice-coach serve`: how the wake word pauses. {wake}",
    "onboarding": "A couple's first evening: who the coach is, and that it is no therapist.",
    "onboarding_safety": "A couple's first evening: when this is not the right help.",
    "onboarding_commands": "A couple's first evening, with a recogniser: the spoken commands.",
    "mirror_open": "Opens the mirroring loop. {sender}, {receiver}",
    "mirror_send": "Invites the sender to give one message. {sender}, {receiver}",
    "mirror_reflect": "Invites the receiver to mirror. {sender}, {receiver}",
    "mirror_check": "Asks the sender whether the mirror was right. {sender}, {receiver}",
    "mirror_unheard": "No answer to the check was heard: the loop moves on.",
    "mirror_correct": "Invites the sender to correct the mirror. {sender}",
    "mirror_reflect_again": "Invites the receiver to mirror the correction. {receiver}",
    "mirror_more": "Asks the sender whether there is more. {sender}",
    "mirror_more_go": "Invites the sender to say more. {sender}",
    "mirror_summarize": "After more than one message: the receiver sums up. {sender}, {receiver}",
    "mirror_validate": "The receiver says what makes sense in it. {sender}, {receiver}",
    "mirror_empathize": "The receiver names the feeling they imagine. {sender}, {receiver}",
    "mirror_swap": "Before the roles swap. {sender}, {receiver} (the new roles)",
    "mirror_close": "Closes the loop. {sender}, {receiver}",
    "breathe_intro": "Before a scripted breathing exercise.",
    "breathe_in": "Cue to breathe in.",
    "breathe_in_more": "Cue for the short second inhale of the sigh.",
    "breathe_hold": "Cue to hold the breath.",
    "breathe_out": "Cue to breathe out.",
    "breathe_done": "After the last breath.",
    "raised_voice": "Names a raised voice kindly, without blame, and opens the breathing "
    "(one sentence).",
    "breathing_offer": "After the breathing pause: go on, or stop for tonight?",
    "resume": "Resuming where the conversation was (after a question).",
    "resume_turn": "Resuming a turn after the breathing pause. {name}",
    "resume_both": "Resuming a turn of both partners after the breathing pause.",
    "stop_for_evening": "Closing the evening after a breathing pause.",
    "pace_nudge": "Asks the speaker to slow down. {name}",
    "pace_nudge_both": "Asks both partners to slow down (a turn of both).",
    "paused": "After the pause command.",
    "still_paused": "Now and then during a long pause.",
    "resumed": "After the continue command.",
    "stopped": "After the stop command; the session ends.",
    "calibrate_open": "Opens a calibration when the script gives no prompt.",
    "calibrate_done": "After calibration.",
    "summary_talk": "Talk time. {A}, {B}, {a_time}, {b_time} (e.g. 40 seconds, 3 minutes)",
    "summary_shared": "Talk time in turns of both partners. {time}",
    "summary_balance_even": "When talk time was about even.",
    "summary_balance_uneven": "When one talked much more. {more}, {less}",
    "summary_pauses": "How many breathing pauses were taken. {times} (once, twice, 3 times)",
    "summary_unheard": "The summary has nothing to say: neither partner was heard.",
    "summary_pace_slower": "A partner spoke more calmly at the end than at the start. {name}",
    "summary_pace_steady": "A partner kept about the same pace. {name}",
    "summary_pace_faster": "A partner spoke faster at the end than at the start. {name}",
    "rate_labels": "After a rating question: what the ends mean. {low}, {high}, {top} (a word)",
    "rate_ask": "Asks one partner for their number. {name}",
    "rate_again": "When what was heard was not a number. {name}, {top} (a word)",
    "rate_heard": "Thanks for a number. {name}, {value} (the number as a word)",
    "rate_skipped": "When a partner skips their number (said so, or stayed silent). {name}",
    "recap_one": "Recap: one earlier evening in the last seven days.",
    "recap_count": "Recap: several evenings in the last seven days. {count} (a word)",
    "recap_back": "Recap: the first evening in over a week (welcome, never a reproach).",
    "recap_calmer": "Recap: fewer breathing pauses in the last week than the week before.",
    "recap_even": "Recap: talk time shared evenly over the recent evenings.",
}
"""Every phrase name, with when it is spoken and the placeholders it may use."""

NAME_PLACEHOLDERS = ("A", "B", "name", "sender", "receiver", "more", "less")
"""Placeholders that stand for a partner's name (left out when no names are known)."""


class LanguageError(VoiceCoachError):
    """A language file is incomplete; the message names the file and the key."""


@dataclass(frozen=True)
class Language:
    """One language's coach phrases, answer synonyms, commands and numbers."""

    code: str
    phrases: dict[str, tuple[str, ...]]
    answers: dict[str, tuple[str, ...]]
    commands: dict[str, tuple[str, ...]]
    numbers: tuple[str, ...]
    keywords: dict[str, str]
    unnamed: dict[str, tuple[str, ...]]
    """Wordings for a couple without names, by phrase name (where the rules fall short)."""
    rating_numbers: tuple[tuple[str, ...], ...] = ()
    """Words heard as each number in a rating (index 0: the words for 1)."""
    rating_skip: tuple[str, ...] = ()
    """Words that skip a rating ("sla over", "skip")."""

    def phrase(
        self,
        key: str,
        rng: random.Random | None = None,
        overrides: Mapping[str, tuple[str, ...]] | None = None,
        **values: object,
    ) -> str:
        """One wording of a phrase (a script's override first), placeholders filled."""
        options = (overrides or {}).get(key) or self.phrases[key]
        return fill(pick(options, rng), {k: str(v) for k, v in values.items()})

    def phrase_unnamed(
        self,
        key: str,
        rng: random.Random | None = None,
        overrides: Mapping[str, tuple[str, ...]] | None = None,
        **values: object,
    ) -> str:
        """Like `phrase`, for a couple whose names the coach does not know: a script's
        override or the pack's phrase without its names, or the pack's own wording."""
        override = (overrides or {}).get(key)
        if override:
            text = self.without_names(pick(override, rng))
        elif key in self.unnamed:
            text = pick(self.unnamed[key], rng)
        else:
            text = self.without_names(pick(self.phrases[key], rng))
        return fill(text, {k: str(v) for k, v in values.items()})

    def without_names(self, text: str) -> str:
        """`text` with its name placeholders left out or replaced (see `lang.unnamed`)."""
        return without_names(
            text, NAME_PLACEHOLDERS, self.keywords["partner"], self.keywords["and"]
        )

    def pair(self, first: str, second: str) -> str:
        """Two names joined as spoken: "Anna en Bram"."""
        return f"{first} {self.keywords['and']} {second}"

    def synonyms(self, answer: str) -> tuple[str, ...]:
        """Words that count as `answer` (the answer itself first)."""
        key = normalize(answer)
        for canonical, words in self.answers.items():
            if key == canonical or key in words:
                return (key, *[w for w in (canonical, *words) if w != key])
        return (key,)

    def command_words(self) -> list[str]:
        """All words of all commands (for a recogniser's grammar)."""
        return [w for words in self.commands.values() for w in words]

    def match_command(self, text: str) -> str | None:
        """The command `text` consists of, or None. Only a whole short utterance counts:
        'stop' is a command, 'we should stop arguing' is not."""
        said = normalize(text)
        for name, words in self.commands.items():
            if said in words:
                return name
        return None

    def match_answer(self, text: str, answers: list[str]) -> str | None:
        """Which of `answers` the utterance `text` gives, by synonyms, or None."""
        said = normalize(text)
        if not said:
            return None
        for answer in answers:
            if said in self.synonyms(answer):
                return answer
        tokens = said.split()
        for answer in answers:  # "ja hoor", "nee dank je": the first word decides
            if tokens and tokens[0] in self.synonyms(answer):
                return answer
        return None

    def rating_words(self, top: int) -> list[str]:
        """Everything a rating from 1 to `top` may be answered with: number words,
        digits (typed) and the skip words; for a recogniser's grammar."""
        words = [w for n in range(1, top + 1) for w in (*self._number_words(n), str(n))]
        return list(dict.fromkeys([*words, *self.rating_skip]))

    def parse_rating(self, text: str, top: int) -> int | Literal["skip"] | None:
        """The number (1 to `top`) in an answer, "skip", or None when it holds neither.

        The last number counts, so Dutch "een zeven" (a seven) is 7; a number outside
        the scale is no answer.
        """
        said = normalize(text)
        padded = f" {said} "
        if any(f" {word} " in padded for word in self.rating_skip):
            return "skip"
        value: int | None = None
        for token in said.split():
            number = self._number_of(token)
            if number is not None:
                value = number
        return value if value is not None and 1 <= value <= top else None

    def _number_words(self, n: int) -> tuple[str, ...]:
        extra = self.rating_numbers[n - 1] if n <= len(self.rating_numbers) else ()
        own = (normalize(self.numbers[n - 1]),) if n <= len(self.numbers) else ()
        return tuple(dict.fromkeys((*own, *extra)))

    def _number_of(self, token: str) -> int | None:
        if token.isdigit():
            return int(token)
        for n in range(1, len(self.numbers) + 1):
            if token in self._number_words(n):
                return n
        return None

    def either(self, answers: list[str]) -> str:
        """The answers as spoken choices: "ja of nee", "yes, no or later"."""
        if len(answers) < 2:
            return "".join(answers)
        return f"{', '.join(answers[:-1])} {self.keywords['or']} {answers[-1]}"

    def decimal(self, value: float) -> str:
        """A number as this language writes it for the voice (3,5 in Dutch)."""
        text = f"{value:g}"
        return text.replace(".", self.keywords["decimal_point"])

    def duration(self, seconds: float) -> str:
        """A spoken duration: to 5 seconds under a minute, else to the half minute."""
        if seconds < 59.5:
            return f"{round(seconds / 5) * 5} {self.keywords['seconds']}"
        minutes = round(seconds / 30) / 2
        unit = self.keywords["minute"] if minutes == 1 else self.keywords["minutes"]
        return f"{self.decimal(minutes)} {unit}"

    def times(self, n: int) -> str:
        """How often, as spoken: "once", "twice", "3 times" ("een keer", "3 keer")."""
        key = {1: "times_1", 2: "times_2"}.get(n, "times_n")
        return self.keywords[key].replace("{n}", str(n))

    def count(self, n: int) -> str:
        """The word for a number from 1 to 10 (digits past that)."""
        return self.numbers[n - 1] if 1 <= n <= len(self.numbers) else str(n)


def pick(options: Sequence[str], rng: random.Random | None = None) -> str:
    """One of several wordings of the same line (the only one, if there is one)."""
    return (rng or random).choice(options) if len(options) > 1 else options[0]


_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")


def fill(text: str, values: dict[str, str]) -> str:
    """Replace `{name}` placeholders that have a value; leave others untouched."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def normalize(text: str) -> str:
    """Lower case, punctuation removed, white space folded."""
    return " ".join(re.sub(r"[^\w\s'-]", " ", text.lower()).split())


@cache
def language(code: str) -> Language:
    """Load a language by code (nl or en)."""
    if code not in SUPPORTED:
        raise LanguageError(f"unsupported language '{code}'; use one of: {', '.join(SUPPORTED)}")
    path = Path(__file__).with_name(f"{code}.yaml")
    data = load_yaml(path.read_text(encoding="utf-8"))
    phrases = {k: _texts(v) for k, v in data["phrases"].items()}
    missing = sorted(set(PHRASES) - set(phrases))
    if missing:
        raise LanguageError(f"{path}: missing phrases: {', '.join(missing)}")
    unknown = sorted(set(data.get("unnamed", {})) - set(PHRASES))
    if unknown:
        raise LanguageError(f"{path}: unnamed wordings of unknown phrases: {', '.join(unknown)}")
    commands = {k: tuple(normalize(w) for w in v) for k, v in data["commands"].items()}
    if set(commands) != set(COMMANDS):
        raise LanguageError(f"{path}: commands must be exactly: {', '.join(COMMANDS)}")
    return Language(
        code=code,
        phrases=phrases,
        answers={normalize(k): tuple(normalize(w) for w in v) for k, v in data["answers"].items()},
        commands=commands,
        numbers=tuple(str(n) for n in data["numbers"]),
        keywords={str(k): _keyword(str(k), str(v)) for k, v in data["keywords"].items()},
        unnamed={k: _texts(v) for k, v in data.get("unnamed", {}).items()},
        rating_numbers=_rating_numbers(data.get("rating_numbers") or {}, len(data["numbers"])),
        rating_skip=tuple(normalize(str(w)) for w in data.get("rating_skip") or ()),
    )


def _rating_numbers(extra: Mapping[object, object], count: int) -> tuple[tuple[str, ...], ...]:
    """More words per number, from `{1: [één]}`, as a tuple indexed by number - 1."""
    words: list[tuple[str, ...]] = []
    for n in range(1, count + 1):
        given = extra.get(n, ())
        items = given if isinstance(given, list) else [given] if given else []
        words.append(tuple(normalize(str(w)) for w in items))
    return tuple(words)


_ANSWER_KEYWORDS = ("yes", "no", "continue", "stop")


def _keyword(key: str, value: str) -> str:
    """Answer words are compared with what was heard, so normalised; the rest verbatim."""
    return normalize(value) if key in _ANSWER_KEYWORDS else value


def _texts(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)
