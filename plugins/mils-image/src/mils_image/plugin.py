"""Registers the image-captioning task and the ``mils caption`` command (imports nothing heavy)."""

from __future__ import annotations

from typing import Any

from mils_core.hookspecs import hookimpl
from mils_core.registry import RegisterFn


@hookimpl
def mils_register_tasks(register: RegisterFn) -> None:
    from mils_image.task import ImageCaptioning

    register("image-captioning", ImageCaptioning, options=ImageCaptioning.Options,
             description="caption images with an LLM and an image-text scorer")


@hookimpl
def mils_register_commands(subparsers: Any) -> None:
    from mils_image.bench import add_bench_command
    from mils_image.caption import add_caption_command

    add_caption_command(subparsers)
    add_bench_command(subparsers)

