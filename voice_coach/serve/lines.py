"""What the always-on coach says outside the exercises, and the answers it hears.

Short and warm; the invitation asks once and never nags (see domain.md). `{examples}`
are a few of the couple's exercises, `{wake}` is the wake word, `{title}` a script's
title, `{minutes}` the snooze.
"""

from __future__ import annotations

from dataclasses import dataclass

from voice_coach.lang import normalize


@dataclass(frozen=True)
class Lines:
    """One language's lines and answer words for `voice-coach serve`."""

    which: str
    not_heard: str
    cancelled: str
    no_recognizer: str
    invite: str
    invite_again: str
    invite_wake: str
    later: str
    declined: str
    unanswered: str
    goodbye: str
    yes: tuple[str, ...]
    no: tuple[str, ...]
    later_words: tuple[str, ...]
    cancel: tuple[str, ...]
    wake_names: dict[str, str]
    """How to say each wake word in this language."""

    def answer_words(self) -> list[str]:
        """Every word the invitation listens for."""
        return [*self.yes, *self.no, *self.later_words]

    def invitation_answer(self, text: str) -> str:
        """yes, no, later or none for what was heard."""
        said = normalize(text)
        first = said.split()[0] if said else ""
        for answer, words in (("yes", self.yes), ("no", self.no), ("later", self.later_words)):
            if said in words or first in words:
                return answer
        return "none"


LINES: dict[str, Lines] = {
    "nl": Lines(
        which="Ja? Welke oefening? Zeg bijvoorbeeld {examples}.",
        not_heard="Ik hoorde geen oefening. Roep me gerust als jullie willen.",
        cancelled="Goed. Ik ben er als jullie me nodig hebben.",
        no_recognizer="Ik kan nog niet verstaan welke oefening jullie kiezen, "
        "dus we beginnen met {title}.",
        invite="Het is tijd voor jullie check-in. Zullen we beginnen? Zeg ja, nee of straks.",
        invite_again="Daar ben ik weer. Zullen we aan jullie check-in beginnen? "
        "Zeg ja, nee of straks.",
        invite_wake="Het is tijd voor jullie check-in. Zeg {wake} als jullie willen beginnen.",
        later="Goed, dan vraag ik het over {minutes} minuten nog eens.",
        declined="Prima. Een fijne avond samen.",
        unanswered="Dan laat ik jullie vanavond met rust.",
        goodbye="Ik stop nu. Tot een volgende keer.",
        yes=("ja", "ja hoor", "jazeker", "zeker", "goed", "prima", "is goed", "we beginnen"),
        no=("nee", "nee hoor", "niet nu", "vanavond niet", "liever niet", "neen"),
        later_words=("straks", "later", "zo meteen", "zo", "even later", "nog niet"),
        cancel=("laat maar", "laat maar zitten", "niks", "niets", "stop", "stoppen"),
        wake_names={"okay_nabu": "Oké Nabu"},
    ),
    "en": Lines(
        which="Yes? Which exercise? Say for example {examples}.",
        not_heard="I did not hear an exercise. Just call me when you like.",
        cancelled="All right. I am here when you need me.",
        no_recognizer="I cannot understand which exercise you choose yet, "
        "so we will start with {title}.",
        invite="It is time for your check-in. Shall we begin? Say yes, no or later.",
        invite_again="Here I am again. Shall we begin your check-in? Say yes, no or later.",
        invite_wake="It is time for your check-in. Say {wake} when you want to begin.",
        later="All right, I will ask again in {minutes} minutes.",
        declined="Fine. Have a lovely evening together.",
        unanswered="Then I will leave you in peace tonight.",
        goodbye="I am stopping now. Until next time.",
        yes=("yes", "yeah", "sure", "okay", "let's begin", "yes please"),
        no=("no", "not now", "not tonight", "no thanks"),
        later_words=("later", "in a while", "not yet"),
        cancel=("never mind", "nothing", "stop", "cancel"),
        wake_names={},
    ),
}
"""Lines per language code."""


def wake_name(lines: Lines, model: str, phrase: str) -> str:
    """How the coach says the wake word `model` (the model's own `phrase` by default)."""
    return lines.wake_names.get(model, phrase)
