"""Registers the audio-captioning task, its prompt style and pool, and the audio scorers (imports nothing heavy)."""

from __future__ import annotations

from mils_core.hookspecs import hookimpl
from mils_core.registry import RegisterFn


@hookimpl
def mils_register_tasks(register: RegisterFn) -> None:
    from mils_audio.task import AudioCaptioning

    register("audio-captioning", AudioCaptioning, options=AudioCaptioning.Options,
             description="caption sounds with an LLM and an audio-text scorer")


@hookimpl
def mils_register_prompt_styles(register: RegisterFn) -> None:
    from mils_audio.task import AudioCaptionList

    register("audio-caption-list", AudioCaptionList, options=AudioCaptionList.Options,
             description="rated descriptions of a sound, random pool examples, and a request for better ones")


@hookimpl
def mils_register_pools(register: RegisterFn) -> None:
    from mils_audio.task import AudioPool

    register("audio-pool", AudioPool, options=AudioPool.Options,
             description="the shipped generic sound descriptions (24,000: sources, actions, places, qualities), or a file")


@hookimpl
def mils_register_scorers(register: RegisterFn) -> None:
    from mils_audio.hf_clap import HfClapOptions, HfClapScorer

    register("hf-clap", HfClapScorer, options=HfClapOptions,
             description="audio-text cosine with a transformers CLAP model (hub name or local folder)")

    from mils_audio.laion_clap import ClapOptions, ClapScorer

    register("clap", ClapScorer, options=ClapOptions,
             description="audio-text cosine with LAION-CLAP through laion-clap (checkpoint path or release name)")

    from mils_audio.imagebind import ImageBindOptions, ImageBindScorer

    register("imagebind", ImageBindScorer, options=ImageBindOptions,
             description="audio-text cosine with ImageBind-huge's text and audio towers (official .pth; the paper's)")


@hookimpl
def mils_register_datasets(register: RegisterFn) -> None:
    from mils_audio.datasets import AudioCaps

    register("audiocaps", AudioCaps, options=AudioCaps.Options,
             description="AudioCaps captions (test.csv etc.) with the clips a user downloaded from YouTube")
