"""A batched sampling loop for causal LMs that wastes as little work as a CPU can afford.

``transformers``' ``generate`` runs every row of a batch until the longest reply ends and
re-reads the whole prompt of every row. MILS prompts of one task share a long head (system
text, worked example), and replies end at very different lengths, so this loop:

* encodes the prompts' **shared token prefix once** and lends its key/value cache to every row
  (rows are laid out ``[prefix][padding][own suffix]``, padding masked out, positions explicit);
* reads **identical prompts once** (a sample asked several times with different seeds);
* **drops finished rows** from the batch (and their cache) as soon as a quarter of it is done;
* samples each row with **its own random generator**, seeded by its prompt, so a reply does not
  depend on which prompts share its batch;
* keeps keys and values in **buffers allocated once per call** (prompt plus reply length): the
  default cache concatenates every layer's whole cache at every step, which on a CPU cost a
  third of the decode time at 32 rows.

Greedy decoding (temperature 0) gives the same tokens as decoding each prompt alone.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from typing import Any, cast

import attrs


@attrs.frozen
class DecodeSettings:
    """How to sample: ``temperature`` 0 means greedy; ``top_p`` < 1 keeps the smallest nucleus."""

    max_new_tokens: int
    temperature: float = 0.0
    top_p: float = 1.0
    eos_ids: frozenset[int] = frozenset()
    #: Never repeat a span of this many tokens within one reply (0: off). Small models fall into
    #: loops that write the same list line again and again; this makes every line new.
    no_repeat_ngram: int = 0
    #: Shortest shared prefix worth encoding once (shorter ones are just re-read per row).
    min_shared_prefix: int = 8
    share_prefix: bool = True


@attrs.define
class DecodeStats:
    """What one call did: tokens read for prompts, shared-prefix tokens saved, rows dropped early."""

    prompt_tokens_encoded: int = 0
    shared_prefix: int = 0
    steps: int = 0
    row_steps: int = 0
    prefill_s: float = 0.0
    decode_s: float = 0.0


class PrefixStore:
    """Key/value tensors of recently seen shared prefixes (batch of one), by their token ids.

    A task's prompts keep the same head from call to call, so it is encoded once per process.
    """

    def __init__(self, capacity: int = 4) -> None:
        self.capacity = capacity
        self._items: dict[tuple[int, ...], list[tuple[Any, Any]]] = {}
        self.hits = 0

    def get(self, tokens: tuple[int, ...]) -> list[tuple[Any, Any]] | None:
        found = self._items.pop(tokens, None)
        if found is not None:
            self._items[tokens] = found  # most recently used last
            self.hits += 1
        return found

    def put(self, tokens: tuple[int, ...], layers: list[tuple[Any, Any]]) -> None:
        self._items.pop(tokens, None)
        self._items[tokens] = layers
        while len(self._items) > self.capacity:
            self._items.pop(next(iter(self._items)))

    def clear(self) -> None:
        self._items.clear()


def shared_prefix_length(rows: Sequence[Sequence[int]]) -> int:
    """Length of the longest token prefix common to every row, leaving each row at least one own token."""
    if not rows:
        return 0
    shortest = min(len(r) for r in rows)
    first = rows[0]
    n = 0
    while n < shortest - 1 and all(r[n] == first[n] for r in rows):
        n += 1
    return n


#: Candidates looked at first for top-p sampling (a full vocabulary sort costs ~25 ms per step on a CPU).
NUCLEUS_SEARCH = 256


def _inverse_cdf(probs: Any, uniforms: Any) -> Any:
    """Column index per row drawn from (unnormalised) ``probs`` by inverse CDF on ``uniforms``."""
    import torch

    cdf = torch.cumsum(probs, dim=-1)
    target = uniforms.unsqueeze(-1) * cdf[:, -1:]
    return torch.searchsorted(cdf, target).clamp(max=probs.shape[-1] - 1)


def _nucleus_sample(probs: Any, top_p: float, uniforms: Any) -> Any:
    """One token per row from ``probs`` restricted to its top-p nucleus, by inverse CDF on ``uniforms``.

    The nucleus is searched among the ``NUCLEUS_SEARCH`` most probable tokens and the full
    vocabulary is sorted only for rows whose nucleus is wider: the result is exact either way.
    """
    import torch

    if top_p >= 1.0:
        return _inverse_cdf(probs, uniforms).squeeze(-1)
    k = min(NUCLEUS_SEARCH, probs.shape[-1])
    top, order = torch.topk(probs, k, dim=-1)
    if bool((top.sum(dim=-1) < top_p).any()):
        top, order = torch.sort(probs, dim=-1, descending=True)
    before = torch.cumsum(top, dim=-1) - top
    top = torch.where(before < top_p, top, torch.zeros_like(top))
    return order.gather(-1, _inverse_cdf(top, uniforms)).squeeze(-1)


def _banned_next(tokens: list[int], n: int) -> list[int]:
    """Tokens that would complete an n-gram already in ``tokens`` (the reply so far)."""
    if n <= 0 or len(tokens) < n:
        return []
    tail = tokens[len(tokens) - n + 1:]
    return [tokens[i + n - 1] for i in range(len(tokens) - n + 1) if tokens[i:i + n - 1] == tail]


@functools.cache
def _preallocated_layer_class() -> type:
    """A transformers cache layer that writes into buffers of fixed capacity and returns views."""
    from transformers.cache_utils import DynamicLayer

    class PreallocatedLayer(DynamicLayer):  # type: ignore[misc,no-untyped-call]
        """Grows like ``DynamicLayer`` without copying: appends in place up to ``capacity``."""

        def __init__(self, capacity: int) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self.capacity = capacity
            self.length = 0
            self.key_buffer: Any = None
            self.value_buffer: Any = None

        def _views(self) -> None:
            self.keys = self.key_buffer[:, :, : self.length]
            self.values = self.value_buffer[:, :, : self.length]

        def update(self, key_states: Any, value_states: Any, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
            if not self.is_initialized:
                self.lazy_initialization(key_states, value_states)
            new = int(key_states.shape[-2])
            need = self.length + new
            if self.key_buffer is None or need > self.key_buffer.shape[2]:
                capacity = max(need, self.capacity if self.key_buffer is None else 2 * self.key_buffer.shape[2])
                self.key_buffer = self._grown(self.key_buffer, key_states, capacity)
                self.value_buffer = self._grown(self.value_buffer, value_states, capacity)
            self.key_buffer[:, :, self.length:need] = key_states
            self.value_buffer[:, :, self.length:need] = value_states
            self.length = need
            self._views()
            return self.keys, self.values

        def _grown(self, old: Any, like: Any, capacity: int) -> Any:
            shape = (like.shape[0], like.shape[1], capacity, like.shape[3])
            buffer = like.new_empty(shape)
            if old is not None and self.length:
                buffer[:, :, : self.length] = old[:, :, : self.length]
            return buffer

        def get_seq_length(self) -> int:
            return self.length

        def batch_select_indices(self, indices: Any) -> None:
            if self.key_buffer is not None:
                self.key_buffer = self.key_buffer[indices]
                self.value_buffer = self.value_buffer[indices]
                self._views()

        def crop(self, tokens_to_remove: int) -> None:
            if tokens_to_remove > 0:
                raise ValueError("crop takes a negative number of tokens to remove")
            self.length = max(0, self.length + tokens_to_remove)
            if self.key_buffer is not None:
                self._views()

        def batch_repeat_interleave(self, repeats: int) -> None:
            if self.key_buffer is not None:
                self.key_buffer = self.key_buffer.repeat_interleave(repeats, dim=0)
                self.value_buffer = self.value_buffer.repeat_interleave(repeats, dim=0)
                self._views()

        def reset(self) -> None:
            self.key_buffer = self.value_buffer = None
            self.length = 0
            super().reset()

    return PreallocatedLayer


def preallocated_cache(model: Any, capacity: int) -> Any:
    """A ``DynamicCache`` for ``model`` whose layers append in place into ``capacity``-token buffers."""
    from transformers import DynamicCache

    cache = DynamicCache(config=model.config)
    layer = _preallocated_layer_class()
    cache.layers = [layer(capacity) for _ in range(model.config.get_text_config(decoder=True).num_hidden_layers)]
    return cache


def _cache_keyword(model: Any) -> str:
    """The forward() keyword that takes the key/value cache (``cache`` in newer transformers)."""
    import inspect

    try:
        params = inspect.signature(model.forward).parameters
    except (TypeError, ValueError):  # pragma: no cover - C-implemented forward
        return "past_key_values"
    return "cache" if "cache" in params else "past_key_values"


def decode(
    model: Any,
    prompts: Sequence[Sequence[int]],
    settings: DecodeSettings,
    seeds: Sequence[int],
    *,
    stop: Callable[[int, list[int]], bool] | None = None,
    device: Any = None,
    stats: DecodeStats | None = None,
    prefixes: PrefixStore | None = None,
) -> list[list[int]]:
    """New tokens for each prompt (token ids in, token ids out; an end-of-sequence token is kept).

    ``stop(row, tokens)`` is asked after each token and ends that row when it returns true.
    ``prefixes`` keeps the shared prefix's keys and values for later calls.
    """
    import torch
    from transformers import DynamicCache

    n = len(prompts)
    if n == 0:
        return []
    t0 = time.perf_counter()
    stats = stats if stats is not None else DecodeStats()
    device = device if device is not None else next(model.parameters()).device
    plain_cache = all(t in ("full_attention", None) for t in (getattr(model.config, "layer_types", None) or [None]))
    shared = shared_prefix_length(prompts) if settings.share_prefix and n > 1 and plain_cache else 0
    if shared < settings.min_shared_prefix:
        shared = 0
    stats.shared_prefix = shared
    suffixes = [list(p[shared:]) for p in prompts]
    width = max(len(s) for s in suffixes)
    # models with sliding-window or other special layers keep transformers' own cache
    cache = (preallocated_cache(model, shared + width + settings.max_new_tokens) if plain_cache
             else DynamicCache(config=model.config))
    kw = _cache_keyword(model)
    # identical prompts (one sample asked several times, with different seeds) are read once
    firsts: dict[tuple[int, ...], int] = {}
    source = [firsts.setdefault(tuple(suffix), row) for row, suffix in enumerate(suffixes)]
    unique = sorted(set(source))
    if shared:
        key = tuple(prompts[0][:shared])
        layers = prefixes.get(key) if prefixes is not None else None
        if layers is None:
            head = torch.tensor([list(key)], dtype=torch.long, device=device)
            head_cache = DynamicCache(config=model.config)
            model(input_ids=head, use_cache=True, logits_to_keep=1, **{kw: head_cache})
            layers = [(cast(Any, layer).keys, cast(Any, layer).values) for layer in head_cache.layers]
            stats.prompt_tokens_encoded += shared
            if prefixes is not None:
                prefixes.put(key, layers)
        for layer_index, (k, v) in enumerate(layers):
            cache.update(k.expand(len(unique), -1, -1, -1), v.expand(len(unique), -1, -1, -1), layer_index)
    pad = 0
    ids = torch.full((n, width), pad, dtype=torch.long)
    mask = torch.zeros((n, shared + width), dtype=torch.long)
    mask[:, :shared] = 1
    for row, suffix in enumerate(suffixes):
        ids[row, width - len(suffix):] = torch.tensor(suffix, dtype=torch.long)
        mask[row, shared + width - len(suffix):] = 1
    positions = (mask.cumsum(-1) - 1).clamp(min=0)[:, shared:]
    stats.prompt_tokens_encoded += sum(len(suffixes[row]) for row in unique)
    ids, mask, positions = ids.to(device), mask.to(device), positions.to(device)
    picked_rows = torch.tensor(unique, dtype=torch.long, device=device)
    logits = model(input_ids=ids[picked_rows], attention_mask=mask[picked_rows], position_ids=positions[picked_rows],
                   use_cache=True, logits_to_keep=1, **{kw: cache}).logits[:, -1, :]
    if len(unique) < n:  # lend each duplicate its original's keys, values and logits
        slot = {row: i for i, row in enumerate(unique)}
        spread = torch.tensor([slot[row] for row in source], dtype=torch.long, device=device)
        cache.batch_select_indices(spread)
        logits = logits[spread]
    next_pos = positions[:, -1] + 1
    t1 = time.perf_counter()
    stats.prefill_s += t1 - t0

    generators = [torch.Generator().manual_seed(int(s) & 0x7FFF_FFFF_FFFF_FFFF) for s in seeds]
    out: list[list[int]] = [[] for _ in range(n)]
    alive = list(range(n))  # original row of each live batch row
    done_rows: set[int] = set()
    for step in range(settings.max_new_tokens):
        stats.steps += 1
        stats.row_steps += len(alive)
        if settings.no_repeat_ngram > 0:
            for b, row in enumerate(alive):
                banned = _banned_next(out[row], settings.no_repeat_ngram)
                if banned:
                    logits[b, banned] = float("-inf")
        if settings.temperature > 0:
            probs = torch.softmax(logits.float() / settings.temperature, dim=-1)
            uniforms = torch.stack([torch.rand((), generator=generators[r]) for r in alive]).to(probs.device)
            tokens = _nucleus_sample(probs, settings.top_p, uniforms)
        else:
            tokens = logits.argmax(dim=-1)
        picked = tokens.tolist()
        for b, row in enumerate(alive):
            if row in done_rows:  # finished, waiting to be dropped
                continue
            token = int(picked[b])
            out[row].append(token)
            if token in settings.eos_ids or (stop is not None and stop(row, out[row])):
                done_rows.add(row)
        if step + 1 == settings.max_new_tokens:
            break
        finished = [b for b, row in enumerate(alive) if row in done_rows]
        if len(finished) == len(alive):
            break
        if finished and len(finished) * 4 >= len(alive):
            keep = [b for b, row in enumerate(alive) if row not in done_rows]
            index = torch.tensor(keep, dtype=torch.long, device=device)
            cache.batch_select_indices(index)
            mask, next_pos, tokens = mask[index], next_pos[index], tokens[index]
            alive = [alive[b] for b in keep]
        mask = torch.cat([mask, torch.ones((len(alive), 1), dtype=mask.dtype, device=device)], dim=-1)
        logits = model(input_ids=tokens.unsqueeze(-1), attention_mask=mask, position_ids=next_pos.unsqueeze(-1),
                       use_cache=True, **{kw: cache}).logits[:, -1, :]
        next_pos = next_pos + 1
    stats.decode_s += time.perf_counter() - t1
    return out


@attrs.frozen
class ContextState:
    """A context encoded once: its keys and values (batch of one) and the log-probabilities of
    the token after it."""

    tokens: tuple[int, ...]
    layers: list[tuple[Any, Any]]
    next_log_probs: Any


def encode_context(model: Any, tokens: Sequence[int], *, device: Any) -> ContextState:
    """Run ``tokens`` through ``model`` once and keep what continuations of it need."""
    import torch
    from transformers import DynamicCache

    cache = DynamicCache(config=model.config)
    ids = torch.tensor([list(tokens)], dtype=torch.long, device=device)
    logits = model(input_ids=ids, use_cache=True, logits_to_keep=1, **{_cache_keyword(model): cache}).logits
    layers = [(cast(Any, layer).keys, cast(Any, layer).values) for layer in cache.layers]
    return ContextState(tuple(tokens), layers, torch.log_softmax(logits[0, -1].float(), dim=-1))


def mean_log_probs(model: Any, context: ContextState, texts: Sequence[Sequence[int]], *, device: Any,
                   pad_id: int = 0) -> list[float]:
    """Mean log-probability of each text's tokens as a continuation of ``context``, in one batch.

    The context is not re-read: its keys and values are shared by every row, so only the texts'
    own tokens pass through the model. An empty text gets NaN.
    """
    import torch
    from transformers import DynamicCache

    n = len(texts)
    if n == 0:
        return []
    c, width = len(context.tokens), max(1, max(len(t) for t in texts))
    ids = torch.full((n, width), pad_id, dtype=torch.long)
    mask = torch.zeros((n, c + width), dtype=torch.long)
    mask[:, :c] = 1
    for row, text in enumerate(texts):
        ids[row, : len(text)] = torch.tensor(list(text), dtype=torch.long)
        mask[row, c: c + len(text)] = 1
    positions = torch.arange(c, c + width, dtype=torch.long).expand(n, -1)
    cache = DynamicCache(config=model.config)
    for index, (k, v) in enumerate(context.layers):
        cache.update(k.expand(n, -1, -1, -1), v.expand(n, -1, -1, -1), index)
    ids, mask, positions = ids.to(device), mask.to(device), positions.to(device)
    logits = model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True,
                   **{_cache_keyword(model): cache}).logits
    # token j is predicted by the logits after token j-1; the first by the context's own
    first = context.next_log_probs.to(device).gather(0, ids[:, 0]).unsqueeze(-1)
    rest = torch.log_softmax(logits[:, :-1].float(), dim=-1).gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    picked = torch.cat([first, rest], dim=-1)
    weight = mask[:, c:].float()
    means = (picked * weight).sum(-1) / weight.sum(-1).clamp(min=1)
    return [float(means[row]) if texts[row] else float("nan") for row in range(n)]
