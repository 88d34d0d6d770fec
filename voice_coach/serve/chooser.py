"""Which exercise the couple asked for, by its spoken name.

Each script offers the names in its `spoken` list (in the script's language), and
otherwise its title and its id read as words ("vertraagd-praten" -> "vertraagd
praten"). The recogniser's grammar after the wake word is exactly these names plus
the words for "never mind", so a small model hears them reliably.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voice_coach.lang import normalize
from voice_coach.script.model import Script


@dataclass(frozen=True)
class Offer:
    """One exercise and the names it answers to (normalised)."""

    script: Script
    names: tuple[str, ...]


def spoken_names(script: Script) -> tuple[str, ...]:
    """The names a script answers to, normalised, first the preferred one."""
    names = [*script.spoken, script.title, script.id.replace("-", " ")]
    return tuple(dict.fromkeys(n for n in (normalize(x) for x in names) if n))


def offers(scripts: Sequence[Script]) -> list[Offer]:
    """The scripts as offers; a name two scripts share belongs to neither."""
    made = [Offer(s, spoken_names(s)) for s in scripts]
    counts: dict[str, int] = {}
    for offer in made:
        for name in offer.names:
            counts[name] = counts.get(name, 0) + 1
    return [Offer(o.script, tuple(n for n in o.names if counts[n] == 1)) for o in made]


def grammar(choices: Sequence[Offer], cancel: Sequence[str]) -> list[str]:
    """Every phrase to listen for after the wake word."""
    words = [name for offer in choices for name in offer.names]
    return list(dict.fromkeys([*words, *(normalize(c) for c in cancel)]))


def choose(text: str, choices: Sequence[Offer]) -> Offer | None:
    """The offer whose name was said: the whole utterance, or a name inside it."""
    said = normalize(text)
    if not said:
        return None
    for offer in choices:
        if said in offer.names:
            return offer
    padded = f" {said} "
    best: tuple[int, Offer] | None = None
    for offer in choices:
        for name in offer.names:
            if f" {name} " in padded and (best is None or len(name) > best[0]):
                best = (len(name), offer)
    return best[1] if best else None


def examples(choices: Sequence[Offer], first: Sequence[str], count: int = 3) -> list[str]:
    """A few names to suggest: the scripts in `first` (by id) first, then the rest."""
    order = {sid: i for i, sid in enumerate(first)}
    ranked = sorted(choices, key=lambda o: order.get(o.script.id, len(order)))
    return [o.names[0] for o in ranked if o.names][:count]
