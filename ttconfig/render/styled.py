"""A render that carries its colours by meaning without being anything but a string.

A plan or drift render is read in three places: a pipe or a file (golden files, CI logs,
`--out`), a terminal that may not want colour (NO_COLOR, --no-color), and a terminal that
does. `Styled` is the exact string the first two get, plus the pieces and their rich styles
for the third — so colour never changes a byte of the plain text, and only rich turns styles
into escape codes (`render.console.show`).

The plain string is joined from the pieces as they are; it is not `rich.text.Text.plain`,
which strips control characters (a bell or a carriage return in a TT name) and would make
the file differ from what a plan has always written.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

Piece = tuple[str, str]
"""Some text and the rich style it is shown in on a terminal ("" for none)."""


class Styled(str):
    """The plain text of a render (it *is* the string) and where its colours go."""

    pieces: tuple[Piece, ...]

    def __new__(cls, pieces: Iterable[Piece]) -> Styled:
        kept = tuple(pieces)
        styled = super().__new__(cls, unstyled(kept))
        styled.pieces = kept
        return styled

    def rich(self) -> Text:
        """The same text for a terminal, each piece in its style."""
        text = Text()
        text.append_tokens((piece, style or None) for piece, style in self.pieces)
        return text


def plain(text: str) -> Piece:
    return (text, "")


def unstyled(pieces: Iterable[Piece]) -> str:
    """The text of some pieces, as a pipe gets it."""
    return "".join(text for text, _ in pieces)


def joined(lines: Iterable[list[Piece]]) -> list[Piece]:
    """Lines of pieces as one run of pieces, like `"\\n".join` joins strings."""
    pieces: list[Piece] = []
    for number, line in enumerate(lines):
        pieces += [plain("\n"), *line] if number else line
    return pieces
