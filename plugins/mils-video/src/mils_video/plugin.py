"""Registers the video-captioning task, its prompt style and pool, and the video scorers (imports nothing heavy)."""

from __future__ import annotations

from mils_core.hookspecs import hookimpl
from mils_core.registry import RegisterFn


@hookimpl
def mils_register_tasks(register: RegisterFn) -> None:
    from mils_video.task import VideoCaptioning

    register("video-captioning", VideoCaptioning, options=VideoCaptioning.Options,
             description="caption videos with an LLM and a video-text scorer")


@hookimpl
def mils_register_prompt_styles(register: RegisterFn) -> None:
    from mils_video.task import VideoCaptionList

    register("video-caption-list", VideoCaptionList, options=VideoCaptionList.Options,
             description="rated descriptions of a video clip and a request for better ones")


@hookimpl
def mils_register_pools(register: RegisterFn) -> None:
    from mils_video.task import VideoPool

    register("video-pool", VideoPool, options=VideoPool.Options,
             description="the shipped generic video descriptions (actions, motion, camera, scene), or a file of them")


@hookimpl
def mils_register_scorers(register: RegisterFn) -> None:
    from mils_video.scorers import FramePooledOptions, FramePooledScorer, XClipOptions, XClipScorer

    register("x-clip", XClipScorer, options=XClipOptions,
             description="video-text cosine with a transformers X-CLIP model (hub name or local folder)")
    register("frame-pooled", FramePooledScorer, options=FramePooledOptions,
             description="any registered image scorer made a video scorer: frame embeddings pooled")

    from mils_video.viclip import ViClipOptions, ViClipScorer

    register("viclip", ViClipScorer, options=ViClipOptions,
             description="video-text cosine with ViCLIP-L/14 (official InternVid checkpoint by hub name or local .pth)")
