"""End a reply as soon as it holds the list lines its prompt asked for.

Small models often keep writing after the requested list (notes, repeats, a second list). In a
batched ``generate`` the whole batch runs until its longest reply ends, so one rambling reply
costs every row its tokens. :func:`list_stopper` builds a transformers stopping criterion that
marks a row finished once it has ``Prompt.n_new`` complete list lines (``1. ...``, ``2) ...``,
``- ...``); replies that never number their lines run to ``max_new_tokens`` as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

_ITEM = re.compile(r"^\s*(?:\d{1,3}\s*[.):]|[-*\u2022])\s*\S")


def complete_items(text: str) -> int:
    """List items on the finished lines of ``text`` (the part after the last newline is still open)."""
    head, sep, _tail = text.rpartition("\n")
    if not sep:
        return 0
    return sum(1 for line in head.split("\n") if _ITEM.match(line))


def new_items(text: str, known: frozenset[str]) -> int:
    """Complete list items of ``text`` that are neither in ``known`` (normalised texts, e.g. the
    ones the prompt showed) nor repeats of an earlier item: echoed lines do not end a reply."""
    from mils_core.parsing import clean_candidate, normalize

    head, sep, _tail = text.rpartition("\n")
    if not sep:
        return 0
    seen: set[str] = set()
    for line in head.split("\n"):
        if _ITEM.match(line):
            key = normalize(clean_candidate(line))
            if key and key not in known:
                seen.add(key)
    return len(seen)


def newline_token_ids(tokenizer: Any) -> frozenset[int]:
    """Ids of the tokens whose text contains a newline (a line can only end on one of them)."""
    size = len(tokenizer)
    texts = tokenizer.batch_decode([[i] for i in range(size)], skip_special_tokens=False)
    return frozenset(i for i, text in enumerate(texts) if "\n" in text)


def list_stopper(tokenizer: Any, start: int, wanted: Sequence[int], newline_ids: frozenset[int]) -> tuple[Any, list[int | None]]:
    """A stopping criterion for one batched ``generate`` call, and the per-row stop positions.

    ``start`` is where generated tokens begin (the padded prompt width); ``wanted[row]`` is how
    many list lines row ``row`` needs. ``stopped_at[row]`` becomes the number of tokens that row
    had generated when it stopped (``None`` while it runs).
    """
    import torch
    from transformers import StoppingCriteria

    stopped_at: list[int | None] = [None] * len(wanted)

    class ListComplete(StoppingCriteria):  # type: ignore[misc]
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            generated = input_ids.shape[1] - start
            last = input_ids[:, -1].tolist()
            for row, token in enumerate(last):
                if stopped_at[row] is None and token in newline_ids:
                    text = tokenizer.decode(input_ids[row, start:].tolist(), skip_special_tokens=True)
                    if complete_items(text) >= wanted[row]:
                        stopped_at[row] = generated
            return torch.tensor([s is not None for s in stopped_at], dtype=torch.bool, device=input_ids.device)

    return ListComplete(), stopped_at
