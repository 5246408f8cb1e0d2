"""How ttconfig counts things in what it says: "1 reason", "2 reasons", never "reason(s)".

At the root, as errors.py is, so every layer (the sandbox's answers and the client's checks
too) counts its nouns as the renders do; tests/test_words.py looks for "(s)" in every
message.
"""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """"1 write request", "2 write requests": the count and its noun, agreed."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
