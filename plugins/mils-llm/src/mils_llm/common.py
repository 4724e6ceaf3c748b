"""Small helpers shared by the generators (no heavy imports)."""

from __future__ import annotations

from collections.abc import Sequence

from mils_core.components import Message, Prompt


def chat_messages(prompt: Prompt) -> list[dict[str, str]]:
    """The prompt's messages as OpenAI-style dicts."""
    return [{"role": m.role, "content": m.content} for m in prompt.messages]


def merge_system(messages: Sequence[Message]) -> list[dict[str, str]]:
    """Messages with any system message folded into the first user message.

    For chat templates that reject the ``system`` role (e.g. Gemma's).
    """
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    out = [{"role": m.role, "content": m.content} for m in messages if m.role != "system"]
    if system:
        for msg in out:
            if msg["role"] == "user":
                msg["content"] = f"{system}\n\n{msg['content']}"
                break
        else:
            out.insert(0, {"role": "user", "content": system})
    return out


def plain_prompt(prompt: Prompt) -> str:
    """A prompt for a model without a chat template: the messages' texts, blank-line separated."""
    return "\n\n".join(m.content for m in prompt.messages) + "\n\n"


def one_line(text: object, limit: int = 200) -> str:
    """``text`` squeezed onto one line and cut to ``limit`` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
