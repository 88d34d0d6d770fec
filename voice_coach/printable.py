"""Text from scripts, config and files, made safe to print on a terminal.

A script's title or a partner's name can hold control characters; printed as they
are, an escape sequence (`ESC ]0;...BEL` sets the window title, others move the
cursor, clear the screen or worse) would be executed by the terminal. `visible`
shows them as `\\x1b`-style escapes instead.
"""

from __future__ import annotations

import re

_HIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f"  # C0 and C1 controls, DEL
    "\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidirectional overrides
    "\u2028\u2029]"  # line and paragraph separators
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control character shown as an escape (one printed line)."""
    return _HIDDEN.sub(_escape, text)
