"""Splitting list writes into TT-sized requests (at most 20 items each, contract rule 8)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ttconfig.tt import wire
from ttconfig.tt.errors import TTError
from ttconfig.tt.http import Json, TTHttp


def chunk_bodies(lists: Mapping[str, Sequence[Json]], extra: Json | None = None, *,
                 size: int = wire.MAX_POST_ITEMS) -> list[Json]:
    """Request bodies holding the items of `lists` in order, at most `size` items each.

    Items of several lists (product and contract limit rows) share a request and count
    together. `extra` (e.g. limit settings) goes into the first body only.
    """
    if not 1 <= size <= wire.MAX_POST_ITEMS:
        raise ValueError(f"batch size must be between 1 and {wire.MAX_POST_ITEMS}")
    tagged = [(name, item) for name, items in lists.items() for item in items]
    if not tagged:
        return [dict(extra)] if extra else []
    bodies: list[Json] = []
    for start in range(0, len(tagged), size):
        body: dict[str, Any] = dict(extra) if start == 0 and extra else {}
        for name, item in tagged[start:start + size]:
            body.setdefault(name, []).append(item)
        bodies.append(body)
    return bodies


async def post_batches(http: TTHttp, service: str, path: str, bodies: Sequence[Json]) -> list[Json]:
    """POST each body in turn. On a failure the error's `completed` holds the answers of the
    batches that did succeed, so the caller knows exactly which items are done."""
    answers: list[Json] = []
    for body in bodies:
        try:
            answers.append(await http.post(service, path, body))
        except TTError as exc:
            exc.completed = answers
            raise
    return answers
