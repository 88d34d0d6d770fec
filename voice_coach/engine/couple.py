"""What the coach remembers of a couple between evenings: a small private JSON file.

Only what the coach needs to behave well on a later evening, nothing of what was said:

- whether the couple has heard the first evening's words (`onboarding` step);
- whether the names were asked for once already (`voice-coach run`);
- their calm pace, syllables per second, from the last calibration;
- who took role A in each alternating repeat last time, per script and step.

The file is `couple.json` in the data folder (`~/.local/share/voice-coach/`), mode
0600 in a 0700 folder, written whole through `files.write_private`. A file that
cannot be read is treated as empty: the worst that happens is that the first evening's
words are said once more. Simulations and previews use a record in memory only.
The journal (journal/) is a separate, fuller record and not read here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voice_coach.config import data_dir
from voice_coach.files import private_dir, write_private
from voice_coach.script.model import Partner

VERSION = 1
"""Format of the file; a file of another version is left alone (treated as empty)."""


def record_path() -> Path:
    """Where a couple's record lives: `couple.json` in the user's data folder."""
    return data_dir() / "couple.json"


@dataclass
class CoupleRecord:
    """What the coach remembers of this couple (see the module's docstring)."""

    onboarded: bool = False
    """The first evening's words were said."""
    names_asked: bool = False
    """`voice-coach run` asked for the names once (answered or not)."""
    calm_pace: float | None = None
    """Syllables per second of speech when the couple talked calmly (a calibration)."""
    starts: dict[str, Partner] = field(default_factory=dict)
    """Who took role A in an alternating repeat, by "script-id@step"."""
    path: Path | None = None
    """The file this record is kept in (None: in memory only)."""

    def save(self) -> None:
        """Write the record to its file, privately and whole (nothing when in memory);
        raises `files.FileError` when it cannot."""
        if self.path is None:
            return
        data = {
            "version": VERSION,
            "onboarded": self.onboarded,
            "names_asked": self.names_asked,
            "calm_pace": self.calm_pace,
            "starts": dict(sorted(self.starts.items())),
        }
        private_dir(self.path.parent)
        write_private(self.path, (json.dumps(data, indent=2) + "\n").encode(), "couple record")


def load_record(path: Path | None = None) -> CoupleRecord:
    """The record kept at `path` (default `record_path()`); empty when there is none
    or it cannot be read."""
    path = path or record_path()
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return CoupleRecord(path=path)
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return CoupleRecord(path=path)
    pace = data.get("calm_pace")
    starts = data.get("starts")
    starts = starts if isinstance(starts, dict) else {}
    return CoupleRecord(
        onboarded=data.get("onboarded") is True,
        names_asked=data.get("names_asked") is True,
        calm_pace=float(pace) if isinstance(pace, int | float) and 0 < pace < 20 else None,
        starts={str(k): v for k, v in starts.items() if v in ("A", "B")},
        path=path,
    )
