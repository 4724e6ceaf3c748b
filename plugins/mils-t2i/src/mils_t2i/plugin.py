"""Registers the diffusers renderers, the ``t2i-enhancement`` task, its prompt style and pool, the
``drawbench`` dataset and ``mils enhance`` (entry point ``t2i``). Imports nothing heavy."""

from __future__ import annotations

from typing import Any

from mils_core.hookspecs import hookimpl
from mils_core.registry import RegisterFn


@hookimpl
def mils_register_renderers(register: RegisterFn) -> None:
    from mils_t2i.renderers import DiffusersRenderer, FluxRenderer, Sd3Renderer, SdxlRenderer

    register("sdxl", SdxlRenderer, options=SdxlRenderer.Options,
             description="Stable Diffusion XL (base, turbo) via diffusers; hub name or pipeline folder")
    register("sd3", Sd3Renderer, options=Sd3Renderer.Options,
             description="Stable Diffusion 3 via diffusers; hub name or pipeline folder")
    register("flux", FluxRenderer, options=FluxRenderer.Options,
             description="FLUX.1 (schnell, dev) via diffusers; hub name or pipeline folder")
    register("diffusers", DiffusersRenderer, options=DiffusersRenderer.Options,
             description="any diffusers text-to-image pipeline (AutoPipelineForText2Image) by hub name or folder")


@hookimpl
def mils_register_tasks(register: RegisterFn) -> None:
    from mils_t2i.task import T2iEnhancement

    register("t2i-enhancement", T2iEnhancement, options=T2iEnhancement.Options,
             description="rewrite text-to-image prompts; images scored against the original prompt")


@hookimpl
def mils_register_prompt_styles(register: RegisterFn) -> None:
    from mils_t2i.task import RewriteList

    register("t2i-rewrite-list", RewriteList, options=RewriteList.Options,
             description="the user's prompt, rated rewrites, and a request for better ones that keep its intent")


@hookimpl
def mils_register_pools(register: RegisterFn) -> None:
    from mils_t2i.task import UserPrompt

    register("t2i-user-prompt", UserPrompt, description="each sample's own prompt as its initial pool")


@hookimpl
def mils_register_datasets(register: RegisterFn) -> None:
    from mils_t2i.drawbench import DrawBench

    register("drawbench", DrawBench, options=DrawBench.Options,
             description="DrawBench's 200 prompts from the CSV you downloaded (Prompts, Category)")


@hookimpl
def mils_register_commands(subparsers: Any) -> None:
    from mils_t2i.enhance import add_enhance_command

    add_enhance_command(subparsers)
