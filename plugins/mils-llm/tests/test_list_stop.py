"""The list stop check: a reply ends once it holds the list lines its prompt asked for."""

from __future__ import annotations

from pathlib import Path

import pytest

from mils_llm.list_stop import complete_items, list_stopper, newline_token_ids


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("", 0),
        ("1. a dog", 0),  # the line is still open
        ("1. a dog\n", 1),
        ("Here you go:\n\n1. a dog\n2) a cat\n- a cow\n3", 3),
        ("1. a dog\nnot an item\n2: a cat\n", 2),
        ("12. a dog on a bed\n• a bird\n", 2),
        ("1.\n", 0),  # a marker with no text is not an item
    ],
)
def test_complete_items(text: str, items: int) -> None:
    assert complete_items(text) == items


def test_stopper_marks_rows_done_once_they_hold_their_list(tiny_llama: Path) -> None:
    import torch
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_llama)
    newlines = newline_token_ids(tok)
    assert tok.encode("\n")[-1] in newlines and tok.encode("dog")[0] not in newlines

    prompt = tok.encode("prompt words")
    texts = ["1. a dog\n2. a cat\n", "1. a dog\n2. a cat\n", "1. a dog on a mat"]
    rows = [tok.encode(t) for t in texts]
    width = max(len(r) for r in rows)
    ids = torch.full((3, len(prompt) + width), tok.pad_token_id)
    for i, r in enumerate(rows):  # pad on the right of each reply: the stopper looks at the last token
        ids[i, : len(prompt)] = torch.tensor(prompt)
        ids[i, len(prompt) : len(prompt) + len(r)] = torch.tensor(r)
    criterion, stopped_at = list_stopper(tok, len(prompt), [2, 3, 1], newlines)
    # Feed the replies token by token, as generate does.
    for end in range(len(prompt) + 1, ids.shape[1] + 1):
        done = criterion(ids[:, :end], None)
    assert done.tolist() == [True, False, False]
    assert stopped_at[0] == len(rows[0]) and stopped_at[1] is None and stopped_at[2] is None


def test_new_items_do_not_count_echoes_or_repeats() -> None:
    from mils_llm.list_stop import new_items

    known = frozenset({"a cat on a bed", "a striped cat"})
    text = "1. a cat on a bed\n2. A striped cat.\n3. a cat asleep on a quilt\n4. a cat asleep on a quilt\n5. a tabby"
    assert new_items(text, known) == 1  # the open last line does not count yet
    assert new_items(text + "\n", known) == 2
    assert new_items(text + "\n", frozenset()) == 4
