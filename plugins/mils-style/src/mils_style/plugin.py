"""Registers the style-transfer task, its prompt and pool, the gram-style scorer, the instruct-pix2pix
renderer and ``mils stylize`` (imports nothing heavy)."""

from __future__ import annotations

from typing import Any

from mils_core.hookspecs import hookimpl
from mils_core.registry import RegisterFn


@hookimpl
def mils_register_tasks(register: RegisterFn) -> None:
    from mils_style.task import StyleTransfer

    register("style-transfer", StyleTransfer, options=StyleTransfer.Options,
             description="edit a content image towards a style image's look (two losses, minimised)")


@hookimpl
def mils_register_prompt_styles(register: RegisterFn) -> None:
    from mils_style.task import StyleEdits

    register("style-edits", StyleEdits, options=StyleEdits.Options,
             description="edit instructions with style and content losses (lower is better)")


@hookimpl
def mils_register_pools(register: RegisterFn) -> None:
    from mils_style.task import StyleEditPool

    register("style-edit-pool", StyleEditPool, options=StyleEditPool.Options,
             description="520 shipped style-edit instructions (movements, media, palettes, textures, lighting)")


@hookimpl
def mils_register_scorers(register: RegisterFn) -> None:
    from mils_style.scorer import GramStyle

    register("gram-style", GramStyle, options=GramStyle.Options,
             description="Gram-matrix style loss and feature content loss (VGG-19 or EfficientNet-Lite0), minimised")


@hookimpl
def mils_register_renderers(register: RegisterFn) -> None:
    from mils_style.pix2pix import InstructPix2Pix

    register("instruct-pix2pix", InstructPix2Pix, options=InstructPix2Pix.Options,
             description="InstructPix2Pix (diffusers) edits the content image with the instruction")


@hookimpl
def mils_register_commands(subparsers: Any) -> None:
    from mils_style.cli import add_stylize_command

    add_stylize_command(subparsers)
