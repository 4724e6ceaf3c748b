"""Registration, cheap import, the CLI command."""

from __future__ import annotations

import json

import pytest

from mils_core.cli import main
from mils_core.errors import ConfigError
from mils_core.plugins import make_plugin_manager
from mils_core.testing.helpers import assert_import_is_light
from mils_llm.hf import TransformersGenerator
from mils_llm.llamacpp import LlamaCppGenerator
from mils_llm.openai_compat import OpenAIGenerator


def test_import_is_cheap() -> None:
    assert_import_is_light("mils_llm.plugin", "mils_llm.options", "mils_llm.models",
                           forbidden=("torch", "transformers", "llama_cpp", "huggingface_hub"))


def test_registered_by_entry_point() -> None:
    pm = make_plugin_manager()
    registry = pm.registry
    built = {
        "transformers": registry.get("generator", "transformers").build({"max_new_tokens": 100, "batch_size": 4}),
        "llama-cpp": registry.get("generator", "llama-cpp").build({"n_ctx": 2048}),
        "openai": registry.get("generator", "openai").build({"model": "m", "base_url": "http://127.0.0.1:1/v1"}),
    }
    assert isinstance(built["transformers"], TransformersGenerator)
    assert isinstance(built["llama-cpp"], LlamaCppGenerator)
    assert isinstance(built["openai"], OpenAIGenerator)
    assert registry.get("generator", "transformers").provenance.distribution == "mils-llm"
    assert built["transformers"].options.temperature == 0.5 and built["transformers"].options.top_p == 0.9
    assert built["openai"].options.max_concurrency == 16 and built["openai"].options.max_retries == 5
    assert built["openai"].options.timeout_s == 60.0
    assert built["transformers"].model is None  # nothing is loaded at build time


def test_option_errors_name_the_option() -> None:
    spec = make_plugin_manager().registry.get("generator", "transformers")
    with pytest.raises(ConfigError, match="unknown option 'max_tokens'.*max_new_tokens"):
        spec.build({"max_tokens": 10})
    with pytest.raises(ConfigError, match="temperature"):
        spec.build({"temperature": -1})


def test_bench_command_openai_only(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["bench-generators", "--generators", "openai", "--openai-requests", "8",
                 "--openai-concurrency", "1,4", "--openai-delay", "0.02", "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    runs = result["openai"]["runs"]
    assert [r["in_flight"] for r in runs] == [1, 4]
    assert all(r["errors"] == 0 and r["requests"] == 8 for r in runs)
    assert runs[1]["requests_per_s"] > runs[0]["requests_per_s"]


def test_bench_command_rejects_bad_lists(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench-generators", "--batch-sizes", "1,x"]) == 2
    assert "--batch-sizes" in capsys.readouterr().err
