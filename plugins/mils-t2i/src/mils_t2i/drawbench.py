"""The ``drawbench`` dataset reader: DrawBench's 200 prompts from the CSV the user downloaded.

DrawBench (Saharia et al., 2022, the Imagen paper) ships as a spreadsheet with the columns
``Prompts`` and ``Category``; export it as CSV (or take ``drawbench.csv`` from a mirror) and
point ``[dataset] path`` at it. Nothing is downloaded here.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import attrs

from mils_core.components import Dataset, Sample
from mils_core.errors import ConfigError
from mils_t2i.task import read_prompt_file

DRAWBENCH_WHERE = ("DrawBench's prompt sheet from the Imagen paper (https://imagen.research.google/, 'DrawBench'; "
                   "export it as CSV with the columns Prompts and Category)")


@attrs.frozen
class DrawBenchOptions:
    """Options of ``drawbench``: ``path`` to the CSV; ``category`` keeps one category; ``limit`` the first N."""

    path: str = "drawbench.csv"
    category: str = ""
    limit: int | None = attrs.field(default=None, validator=attrs.validators.optional(attrs.validators.ge(1)))
    prompt_column: str = "Prompts"


class DrawBench(Dataset[DrawBenchOptions]):
    """DrawBench prompts as ``t2i-enhancement`` samples (``meta["category"]``)."""

    Options = DrawBenchOptions
    path_options = ("path",)
    sample_media = "text"

    def check(self) -> None:
        path = Path(self.options.path).expanduser()
        if not path.is_file():
            raise ConfigError(f"drawbench: CSV {str(path)!r} not found; download {DRAWBENCH_WHERE} and set "
                              "[dataset] path")
        with path.open(encoding="utf-8", newline="") as fh:
            fields = next(csv.reader(fh), [])
        if self.options.prompt_column not in fields:
            raise ConfigError(f"drawbench: CSV {str(path)!r} has no {self.options.prompt_column!r} column (columns: "
                              f"{', '.join(fields) or 'none'}); it should be {DRAWBENCH_WHERE}")

    def samples(self) -> Iterator[Sample]:
        self.check()
        out = read_prompt_file(Path(self.options.path).expanduser(), self.options.prompt_column)
        if self.options.category:
            out = [s for s in out if str(s.meta.get("category", "")).lower() == self.options.category.lower()]
        return iter(out[: self.options.limit] if self.options.limit else out)
