"""Untrusted text made safe to show: characters that would act instead of print, written
as visible escapes.

Posts, names, hashtags and file names are written by adversaries. On a terminal, an
escape sequence in a post (``ESC [ ...``) moves the cursor, recolours or erases what was
printed before it, so a campaign's own text could overwrite the label "coordinated" in
the row that shows it; a right-to-left override reverses the characters after it. Such
characters are shown as ``\\x1b`` or ``\\u202e`` instead: C0 controls (tab and newline
too: one table cell, one line), DEL, C1 controls and the bidirectional formatting
characters. :func:`markup` also escapes rich markup, so ``[bold]`` in a post prints as
written.

Example:
    >>> visible("\\x1b[32morganic\\x1b[0m \\u202eevil")
    '\\\\x1b[32morganic\\\\x1b[0m \\\\u202eevil'
    >>> markup("[link=https://x.example]click[/link]")
    '\\\\[link=https://x.example]click\\\\[/link]'
"""

from __future__ import annotations

import re

#: C0 controls, DEL, C1 controls, and the bidirectional marks, embeddings, overrides and
#: isolates (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
_ACTIVE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible_escape(match: re.Match[str]) -> str:
    """The visible escape of one matched character: ``\\xNN`` below 256, else ``\\uNNNN``."""
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every character that would act on a terminal written as an escape."""
    return _ACTIVE.sub(visible_escape, text)


def markup(text: object) -> str:
    """``text`` as rich markup that prints as written (:func:`visible`, then markup
    escaped). For a whole markup string or a table cell; text that markup follows
    directly is safer as a :class:`rich.text.Text` part (:func:`rich.markup.escape`
    cannot protect an odd run of backslashes before a tag of ours)."""
    from rich.markup import escape

    return escape(visible(str(text)))
