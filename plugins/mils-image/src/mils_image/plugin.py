"""Registers the image-captioning task, its prompt style and its pool (imports nothing heavy)."""

from __future__ import annotations

from mils_core.hookspecs import hookimpl
from mils_core.registry import RegisterFn


@hookimpl
def mils_register_tasks(register: RegisterFn) -> None:
    from mils_image.task import ImageCaptioning

    register("image-captioning", ImageCaptioning, options=ImageCaptioning.Options,
             description="caption images with an LLM and an image-text scorer")


@hookimpl
def mils_register_prompt_styles(register: RegisterFn) -> None:
    from mils_image.task import CaptionList

    register("caption-list", CaptionList, options=CaptionList.Options,
             description="rated captions of a photo and a request for merged, better ones")


@hookimpl
def mils_register_pools(register: RegisterFn) -> None:
    from mils_image.task import ImagePool

    register("image-pool", ImagePool, options=ImagePool.Options,
             description="the shipped 24k generic image descriptions, or a file of them")
