"""Registers the built-in components (entry point ``builtin`` of mils-core)."""

from __future__ import annotations

from mils_core.builtin.chaining import Combinations, RunRecords
from mils_core.builtin.merge import MergeCoverage, MergeJoins, MergeList, MergeTask
from mils_core.builtin.mutate import Mutate
from mils_core.builtin.stopping import MaxIterations, Plateau, TargetScore, TimeBudget
from mils_core.builtin.text_target import GenericPool, GuessList, PoolFile, TextTarget
from mils_core.builtin.word_overlap import WordOverlap
from mils_core.hookspecs import hookimpl
from mils_core.registry import RegisterFn


@hookimpl
def mils_register_generators(register: RegisterFn) -> None:
    register("mutate", Mutate, options=Mutate.Options, description="seeded word edits of the shown texts (no model)")


@hookimpl
def mils_register_scorers(register: RegisterFn) -> None:
    register("word-overlap", WordOverlap, description="word-overlap F1 against a target sentence (no model)")
    register("merge-coverage", MergeCoverage, options=MergeCoverage.Options,
             description="how much of every input a merged prompt keeps, as one scene (no model)")


@hookimpl
def mils_register_tasks(register: RegisterFn) -> None:
    register("text-target", TextTarget, options=TextTarget.Options, description="recover a hidden sentence from scores")
    register("merge", MergeTask, options=MergeTask.Options, description="combine several descriptions into one prompt")


@hookimpl
def mils_register_stopping_rules(register: RegisterFn) -> None:
    register("max-iterations", MaxIterations, options=MaxIterations.Options, aliases=("iterations",),
             description="stop after n iterations")
    register("plateau", Plateau, options=Plateau.Options, description="stop when the best score stops improving")
    register("target-score", TargetScore, options=TargetScore.Options, description="stop at a good-enough score")
    register("time-budget", TimeBudget, options=TimeBudget.Options, description="stop after a wall-time budget")


@hookimpl
def mils_register_prompt_styles(register: RegisterFn) -> None:
    register("guess-list", GuessList, description="text-target's scored guesses and request for recombinations")
    register("merge-list", MergeList, description="merge's inputs, scored prompts and request for one-scene prompts")


@hookimpl
def mils_register_pools(register: RegisterFn) -> None:
    register("generic-pool", GenericPool, options=GenericPool.Options,
             description="generic short sentences from the built-in vocabulary")
    register("pool-file", PoolFile, options=PoolFile.Options, description="a text file, one candidate per line")
    register("merge-joins", MergeJoins, description="a merge's inputs alone and joined in every order")


@hookimpl
def mils_register_datasets(register: RegisterFn) -> None:
    register("run-records", RunRecords, options=RunRecords.Options,
             description="an earlier run's answers as samples (runs that feed runs)")
    register("combinations", Combinations, options=Combinations.Options,
             description="rows of inputs, mapped columns replaced by earlier runs' answers")
