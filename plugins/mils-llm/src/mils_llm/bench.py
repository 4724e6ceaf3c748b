"""``mils bench-generators``: load time and throughput of the generators on this machine.

* ``transformers`` and ``llama-cpp``: load time of the model (the packaged SmolLM2-135M by
  default), then completion tokens per second when answering 1, 4 and 16 prompts at once.
* ``openai``: requests per second against the local fake server (with an artificial
  per-request latency) with 1 request in flight versus many.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from typing import Any

from mils_core.components import Generator, Message, Prompt, ScoredText
from mils_core.errors import ConfigError, ModelUnavailableError

SHOWN = (
    "a dog running on a sandy beach",
    "a plate of pasta on a wooden table",
    "a city street at night with lights",
    "two children playing in a park",
)


def bench_prompt(seed: int, n_new: int = 5) -> Prompt:
    """A short MILS-style prompt: scored texts, then a request for ``n_new`` new ones."""
    shown = tuple(ScoredText(text, round(0.4 - 0.05 * i, 3)) for i, text in enumerate(SHOWN))
    lines = "\n".join(f"{s.score:.3f}: {s.text}" for s in shown)
    user = (
        f"Each description below has a score (higher is better):\n{lines}\n\n"
        f"Write {n_new} new short image descriptions that could score higher, one per line, numbered."
    )
    messages = (Message("system", "Reply only with a numbered list."), Message("user", user))
    return Prompt(messages, shown, n_new, seed)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options."""
    parser.add_argument("--batch-sizes", default="1,4,16", help="prompts answered at once (default 1,4,16)")
    parser.add_argument("--max-new-tokens", type=int, default=64, help="tokens per reply (default 64)")
    parser.add_argument("--generators", default="transformers,llama-cpp,openai",
                        help="which generators to measure (default transformers,llama-cpp,openai); also "
                        "transformers-generate, transformers-float32, transformers-generate-float32")
    parser.add_argument("--model", default=None,
                        help="model for transformers/llama-cpp (default: the packaged SmolLM2-135M GGUF)")
    parser.add_argument("--device", default="auto", help="device for transformers/llama-cpp (default auto)")
    parser.add_argument("--threads", default="auto",
                        help="CPU threads for torch and llama.cpp: a number, 'auto' (CPU count - 1, at least 1: "
                        "spin-waiting threads collapse when another process holds a core) or 'default' "
                        "(the libraries' own choice)")
    parser.add_argument("--openai-delay", type=float, default=0.05,
                        help="artificial latency of the fake server per request, seconds (default 0.05)")
    parser.add_argument("--openai-concurrency", default="1,32", help="requests in flight to compare (default 1,32)")
    parser.add_argument("--openai-requests", type=int, default=64, help="requests per measurement (default 64)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def _ints(text: str, what: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ConfigError(f"{what} must be comma-separated integers, e.g. 1,4,16; got {text!r}") from None
    if not values or min(values) < 1:
        raise ConfigError(f"{what} must list positive integers, e.g. 1,4,16; got {text!r}")
    return values


def _threads(text: str) -> int | None:
    if text == "default":
        return None
    if text == "auto":
        return max(1, (os.cpu_count() or 1) - 1)
    values = _ints(text, "--threads")
    if len(values) != 1:
        raise ConfigError(f"--threads must be one number, 'auto' or 'default'; got {text!r}")
    return values[0]


#: Variants of the transformers generator measured by name: options set on top of the defaults.
TRANSFORMERS_VARIANTS: dict[str, dict[str, Any]] = {
    "transformers": {},
    "transformers-generate": {"decoder": "generate"},
    "transformers-float32": {"dtype": "float32"},
    "transformers-generate-float32": {"decoder": "generate", "dtype": "float32"},
}
LOCAL = (*TRANSFORMERS_VARIANTS, "llama-cpp")


def _local(name: str, model: str | None, device: str, batch_sizes: list[int], max_new: int,
           threads: int | None) -> dict[str, Any]:
    if name in TRANSFORMERS_VARIANTS:
        if threads is not None:
            from mils_core.torch_utils import require_torch

            require_torch().set_num_threads(threads)
        from mils_llm import hf
        from mils_llm.options import TransformersOptions

        hf.clear_model_cache()
        # Raw decoding speed: replies are not cut at their list's end (that saving is measured by mils bench).
        variant = TRANSFORMERS_VARIANTS[name]
        opts = TransformersOptions(model=model, device=device, max_new_tokens=max_new,
                                   batch_size=max(batch_sizes), stop_after_list=False, **variant)
        gen: Generator[Any] = hf.TransformersGenerator(opts)
        warm: Generator[Any] = hf.TransformersGenerator(
            TransformersOptions(model=model, device=device, max_new_tokens=4, **variant))
    else:
        from mils_llm import llamacpp
        from mils_llm.options import LlamaCppOptions

        llamacpp.clear_model_cache()
        common: dict[str, Any] = {"model": model, "device": device, "n_threads": threads}
        gen = llamacpp.LlamaCppGenerator(LlamaCppOptions(max_new_tokens=max_new, **common))
        warm = llamacpp.LlamaCppGenerator(LlamaCppOptions(max_new_tokens=4, **common))
    t0 = time.perf_counter()
    gen.ensure_loaded()
    load_s = time.perf_counter() - t0
    warm.generate([bench_prompt(0)])  # first-call overheads (kernels, caches) are not throughput
    runs = []
    for b in batch_sizes:
        prompts = [bench_prompt(1000 * b + i) for i in range(b)]
        t0 = time.perf_counter()
        out = gen.generate(prompts)
        seconds = time.perf_counter() - t0
        tokens = sum(g.completion_tokens for g in out)
        runs.append({
            "batch": b,
            "completion_tokens": tokens,
            "prompt_tokens": sum(g.prompt_tokens for g in out),
            "seconds": round(seconds, 3),
            "tokens_per_s": round(tokens / seconds, 2) if seconds > 0 else None,
            "errors": sum(1 for g in out if g.error),
        })
    described = getattr(gen, "source", None) or getattr(gen, "path", None)
    label = getattr(described, "name", None) or (str(described) if described is not None else str(model))
    return {"model": label, "device": str(getattr(gen, "device", device) or device), "load_s": round(load_s, 3),
            "dtype": str(getattr(gen, "dtype", None) or "-").removeprefix("torch."), "runs": runs}


def _openai(delay_s: float, concurrency: list[int], requests: int, max_new: int) -> dict[str, Any]:
    from mils_llm.openai_compat import OpenAIGenerator
    from mils_llm.options import OpenAIOptions
    from mils_llm.testing_server import serve_in_subprocess

    runs = []
    # The server runs in its own process so that it does not share this process's GIL.
    with serve_in_subprocess(delay_s=delay_s) as base_url:
        for c in concurrency:
            gen = OpenAIGenerator(OpenAIOptions(model="fake-model", base_url=base_url, max_concurrency=c,
                                                max_new_tokens=max_new, batch_size=max(requests, 1),
                                                api_key_env="MILS_BENCH_NO_KEY"))
            gen.ensure_loaded()
            prompts = [bench_prompt(i) for i in range(requests)]
            t0 = time.perf_counter()
            out = gen.generate(prompts)
            seconds = time.perf_counter() - t0
            runs.append({
                "in_flight": c,
                "requests": requests,
                "seconds": round(seconds, 3),
                "requests_per_s": round(requests / seconds, 2) if seconds > 0 else None,
                "errors": sum(1 for g in out if g.error),
            })
    return {"server": "mils_llm.testing_server (127.0.0.1, separate process)", "delay_s": delay_s, "runs": runs}


def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    """Run the measurements named by ``args``; one entry per generator (or why it was skipped)."""
    batch_sizes = _ints(args.batch_sizes, "--batch-sizes")
    threads = _threads(args.threads)
    concurrency = _ints(args.openai_concurrency, "--openai-concurrency")
    wanted = [g.strip() for g in args.generators.split(",") if g.strip()]
    unknown = sorted(set(wanted) - {*LOCAL, "openai"})
    if unknown:
        raise ConfigError(f"--generators: unknown {', '.join(unknown)}; choose from {', '.join(LOCAL)}, openai")
    results: dict[str, Any] = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
        "max_new_tokens": args.max_new_tokens,
        "threads": threads,
    }
    for name in wanted:
        t0 = time.perf_counter()
        try:
            if name == "openai":
                results[name] = _openai(args.openai_delay, concurrency, args.openai_requests, args.max_new_tokens)
            else:
                results[name] = _local(name, args.model, args.device, batch_sizes, args.max_new_tokens, threads)
        except (ConfigError, ModelUnavailableError) as exc:
            results[name] = {"skipped": str(exc)}
        results[name]["total_s"] = round(time.perf_counter() - t0, 1)
    return results


def format_table(results: dict[str, Any]) -> str:
    """Human-readable tables of :func:`run_bench`'s results."""
    threads = results.get("threads") or "default"
    lines = [f"machine: {results['machine']['platform']}, {results['machine']['cpus']} CPUs; "
             f"max_new_tokens={results['max_new_tokens']}, threads={threads}"]
    local = [n for n in LOCAL if n in results]
    if local:
        lines.append("")
        lines.append(f"{'generator':<30} {'load_s':>7} {'batch':>5} {'tokens':>7} {'seconds':>8} {'tokens/s':>9}")
        for name in local:
            res = results[name]
            if "skipped" in res:
                lines.append(f"{name:<30} skipped: {res['skipped']}")
                continue
            for i, run in enumerate(res["runs"]):
                load = f"{res['load_s']:.2f}" if i == 0 else ""
                lines.append(f"{name:<30} {load:>7} {run['batch']:>5} {run['completion_tokens']:>7} "
                             f"{run['seconds']:>8.2f} {run['tokens_per_s']:>9.1f}")
            lines.append(f"{'':<30} model: {res['model']}, device: {res['device']}, dtype: {res.get('dtype', '-')}")
    if "openai" in results:
        res = results["openai"]
        lines.append("")
        if "skipped" in res:
            lines.append(f"openai skipped: {res['skipped']}")
        else:
            lines.append(f"openai against the local fake server, {res['delay_s'] * 1000:.0f} ms per request:")
            lines.append(f"{'in flight':>9} {'requests':>8} {'seconds':>8} {'req/s':>8} {'errors':>6}")
            for run in res["runs"]:
                lines.append(f"{run['in_flight']:>9} {run['requests']:>8} {run['seconds']:>8.2f} "
                             f"{run['requests_per_s']:>8.1f} {run['errors']:>6}")
    return "\n".join(lines)


def run_from_args(args: argparse.Namespace) -> int:
    """The command's handler."""
    results = run_bench(args)
    print(json.dumps(results, indent=2) if args.json else format_table(results))
    return 0
