"""Registers the ``image-ops`` renderer, its prompt style and its pool (imports nothing heavy)."""

from __future__ import annotations

from mils_core.hookspecs import hookimpl
from mils_core.registry import RegisterFn


@hookimpl
def mils_register_renderers(register: RegisterFn) -> None:
    from mils_image_ops.renderer import ImageOpsOptions, ImageOpsRenderer

    register("image-ops", ImageOpsRenderer, options=ImageOpsOptions,
             description="offline editor: applies image-operations instructions (Pillow, scikit-image) to the content image")


@hookimpl
def mils_register_prompt_styles(register: RegisterFn) -> None:
    from mils_image_ops.prompt import ImageOpsPrompt, ImageOpsPromptOptions

    register("image-ops", ImageOpsPrompt, options=ImageOpsPromptOptions,
             description="scored image-ops instructions, the language, and a request for better ones")


@hookimpl
def mils_register_pools(register: RegisterFn) -> None:
    from mils_image_ops.pool import ImageOpsPool, ImageOpsPoolOptions

    register("image-ops-pool", ImageOpsPool, options=ImageOpsPoolOptions,
             description="600 shipped instructions in the image-ops language")
