"""What untrusted text may do on a terminal: nothing but print."""

from __future__ import annotations

import doctest
import io

from rich.console import Console

from undertow import escapes
from undertow.escapes import markup, visible


def test_doctests() -> None:
    assert doctest.testmod(escapes).failed == 0


def test_every_character_that_acts_is_shown_and_nothing_else_changes() -> None:
    acting = ([chr(c) for c in range(0x20)] + [chr(c) for c in range(0x7F, 0xA0)]
              + ["\u061c", "\u200e", "\u200f"] + [chr(c) for c in range(0x202A, 0x202F)]
              + [chr(c) for c in range(0x2066, 0x206A)])
    for ch in acting:
        shown = visible(f"a{ch}b")
        assert ch not in shown and shown.startswith("a\\") and shown.endswith("b")
    assert visible("\t\n") == "\\x09\\x0a"
    plain = "Xiaomi 续航 Akku größer — 👍 [b] \\ \u200d"  # ZWJ joins emoji: left alone
    assert visible(plain) == plain
    assert visible(visible("\x1b[2K")) == visible("\x1b[2K") == "\\x1b[2K"


def test_a_post_printed_as_markup_on_a_colour_terminal_is_only_text() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor",
                      width=200)
    console.print("[bold]label[/bold] " + markup("\x1b[1A\x1b[2K[red]organic[/red]\u202e"),
                  highlight=False)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    # The only escape sequences are the console's own bold on and off.
    assert out.count("\x1b") == 2 and "\u202e" not in out
    assert "\\x1b[1A\\x1b[2K[red]organic[/red]\\u202e" in out
