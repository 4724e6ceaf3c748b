"""The versioned contract between mils and its plugins.

Every hook is prefixed ``mils_``. Hooks only ever gain arguments; pluggy lets an
implementation accept any subset of a hook's arguments, so old plugins keep working.

Two kinds of hooks:

* **Registration hooks** declare components. Each receives a ``register`` callback and
  calls it once per component; a run then *selects* components by name from its config.
* **Observer hooks** are broadcast to every plugin (progress, logging, checkpoints).
  Their return values are ignored and results never depend on them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import argparse

    from mils_core.registry import RegisterFn
    from mils_core.runinfo import RunInfo

PROJECT = "mils"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def mils_register_generators(register: RegisterFn) -> None:
    """Declare text generators (LLMs or anything that proposes candidate texts).

    Called once per plugin manager, when the registry is first built.

    :param register: call ``register(name, factory, options=OptionsClass, aliases=(...),
        description="...")`` once per generator. ``factory(options)`` must return a
        :class:`mils_core.components.Generator` and must not load a model: loading
        happens in ``Generator.load()`` when a run starts.
    """


@hookspec
def mils_register_scorers(register: RegisterFn) -> None:
    """Declare scorers (multimodal models that rank candidate texts against a sample).

    Called once per plugin manager, when the registry is first built.

    :param register: as for :func:`mils_register_generators`; the factory returns a
        :class:`mils_core.components.Scorer`.
    """


@hookspec
def mils_register_prompt_styles(register: RegisterFn) -> None:
    """Declare prompt styles: how a task's prompt lists the best texts, and how replies are parsed.

    Called once per plugin manager, when the registry is first built. A run uses its
    ``[prompt]`` table, else its task's ``default_prompt``.

    :param register: as for :func:`mils_register_generators`; the factory returns a
        :class:`mils_core.components.PromptStyle`.
    """


@hookspec
def mils_register_pools(register: RegisterFn) -> None:
    """Declare initial pools: the candidate texts scored before the first iteration.

    Called once per plugin manager, when the registry is first built. A run uses its
    ``[pool]`` table, else its task's ``default_pool``.

    :param register: as for :func:`mils_register_generators`; the factory returns a
        :class:`mils_core.components.PoolSource`.
    """


@hookspec
def mils_register_renderers(register: RegisterFn) -> None:
    """Declare renderers (text-to-image models, image editors) that turn candidate texts into artifacts.

    Called once per plugin manager, when the registry is first built. A run uses a renderer
    when its ``[renderer]`` table (or its task's ``default_renderer``) names one; the scorer
    then scores the artifacts instead of the texts.

    :param register: as for :func:`mils_register_generators`; the factory returns a
        :class:`mils_core.components.Renderer`.
    """


@hookspec
def mils_register_tasks(register: RegisterFn) -> None:
    """Declare tasks (how samples are read, the prompt, the reply parser, defaults).

    Called once per plugin manager, when the registry is first built.

    :param register: as for :func:`mils_register_generators`; the factory returns a
        :class:`mils_core.components.Task`.
    """


@hookspec
def mils_register_stopping_rules(register: RegisterFn) -> None:
    """Declare stopping rules that decide when a sample's search ends.

    Called once per plugin manager, when the registry is first built.

    :param register: as for :func:`mils_register_generators`; the factory returns a
        :class:`mils_core.components.StoppingRule`.
    """


@hookspec
def mils_register_datasets(register: RegisterFn) -> None:
    """Declare dataset readers (benchmark splits a user has downloaded, or manifests).

    Called once per plugin manager, when the registry is first built.

    :param register: as for :func:`mils_register_generators`; the factory returns a
        :class:`mils_core.components.Dataset`. A run selects one with a ``[dataset]``
        table, which then supplies the samples instead of ``[run] samples``.
    """


@hookspec
def mils_register_commands(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add sub-commands to the ``mils`` command line.

    Called once when the CLI is built, after the core commands exist.

    :param subparsers: the ``argparse`` sub-parser collection of ``mils``. Add a parser
        with ``subparsers.add_parser(name, help=...)`` and set its handler with
        ``parser.set_defaults(handler=fn)``; ``fn(args) -> int`` returns the exit code.
    """


@hookspec
def mils_run_started(run: RunInfo) -> None:
    """Observer: a run has resolved its components and is about to process samples.

    :param run: the run's resolved config, output folder and component instances.
    """


@hookspec
def mils_iteration_finished(run: RunInfo, sample_id: str, iteration: int, best_score: float) -> None:
    """Observer: one search iteration of one sample finished.

    :param run: the run in progress.
    :param sample_id: the sample's id.
    :param iteration: the iteration just finished, counting from 1.
    :param best_score: the sample's best (scalarised) score after this iteration.
    """


@hookspec
def mils_sample_finished(run: RunInfo, record: dict[str, Any]) -> None:
    """Observer: a sample finished (``ok`` or ``failed``) and its record was written.

    :param run: the run in progress.
    :param record: the JSON-ready record exactly as appended to ``results.jsonl``.
    """


@hookspec
def mils_run_finished(run: RunInfo, summary: dict[str, Any]) -> None:
    """Observer: a run ended (all samples processed, or stopped early).

    :param run: the finished run.
    :param summary: counts of ``ok``/``failed``/``skipped`` samples and timings.
    """
