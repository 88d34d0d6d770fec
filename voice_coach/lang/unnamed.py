"""Text without the partners' names, for a couple whose names the coach was not given.

The coach never says "Partner een": where a text addresses someone by name, the name
goes, and where it refers to the other partner, a neutral word takes its place:

- "{A} en {B}" (or "{A} and {B}") is dropped with the space or comma before it:
  "Welkom {A} en {B}." -> "Welkom.";
- a name that opens a sentence as an address ("{B}, wat heb jij ...") is dropped and the
  next word gets its capital ("Wat heb jij ...");
- a name between commas or closing a sentence, as an address ("Dank je, {name}.",
  "Goed, {name}, dan ...") is dropped with its comma ("Dank je.", "Goed, dan ...");
- any other name becomes the language's word for the other partner ("je partner",
  "your partner"): "wat {B} vertelde" -> "wat je partner vertelde".

Phrases of the language pack that need more than this have a wording of their own under
`unnamed:` in the pack; this module handles scripts' text and everything else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NAME = r"\{(?:%s)\}"


def without_names(text: str, placeholders: Iterable[str], partner: str, pair: str) -> str:
    """`text` with the `placeholders` (names) removed or replaced, as described above.

    `partner` stands in for a name mid-sentence ("je partner"); `pair` is the
    language's word joining two names ("en", "and").
    """
    names = "|".join(re.escape(p) for p in placeholders)
    name = _NAME % names
    if not names or not re.search(name, text):
        return text  # nothing to leave out: the text stays exactly as written
    out = re.sub(rf"[,\s]*{name}\s+{re.escape(pair)}\s+{name}", "", text)
    out = re.sub(rf"(^|[.!?:]\s+){name},\s*(\w)", lambda m: m.group(1) + m.group(2).upper(), out)
    out = re.sub(rf",\s*{name}(?=[.!?,])", "", out)
    capital = partner[:1].upper() + partner[1:]
    out = re.sub(rf"(^|[.!?]\s+){name}", lambda m: m.group(1) + capital, out)
    out = re.sub(name, partner, out)
    out = re.sub(r"^\s*[,.]\s*", "", out)
    out = re.sub(r"\s+([,.!?])", r"\1", out)
    out = " ".join(out.split())
    return out[:1].upper() + out[1:]
