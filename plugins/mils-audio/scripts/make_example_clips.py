"""Synthesise the example clips bundled in ``src/mils_audio/data/examples`` (``examples/audio`` links there).

Every sound is made here with ``espeak-ng`` (speech) and ``sox`` (tones, noise), both from Debian,
in sox's repeatable mode, so the clips are original, free of third-party rights, and rebuilt the same
way: ``python plugins/mils-audio/scripts/make_example_clips.py``. 16 kHz mono FLAC, a few seconds each.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PLUGIN = Path(__file__).resolve().parents[1]
OUT = PLUGIN / "src" / "mils_audio" / "data" / "examples"
RATE = "16000"

LICENSES = """# Example audio clips

Synthesised for this project by `plugins/mils-audio/scripts/make_example_clips.py` with espeak-ng
(speech; GPL-3 program, its output is not covered by its licence) and sox (tones and noise; GPL-2
program, output likewise free). No recording or third-party material is included. The clips are
dedicated to the public domain (CC0-1.0).

| file | what it is |
| --- | --- |
| `speech.flac` | a synthetic voice saying "the train to the city leaves in five minutes" |
| `chime.flac` | a three-note door chime, each note fading out |
| `rain-noise.flac` | band-limited pink noise with a slow swell (rain-like hiss), with a low hum |
"""


def _sox(*args: str) -> None:
    subprocess.run(["sox", "-R", *args], check=True, capture_output=True)


def make(out: Path) -> list[Path]:
    """Write the clips into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "speech.wav"
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(raw), "the train to the city leaves in five minutes"],
                       check=True, capture_output=True)
        _sox(str(raw), "-r", RATE, "-c", "1", str(out / "speech.flac"), "norm", "-3")
        notes = []
        for i, freq in enumerate(("659", "523", "392")):
            note = Path(tmp) / f"n{i}.wav"
            _sox("-n", "-r", RATE, "-c", "1", str(note), "synth", "0.9", "sine", freq, "fade", "q", "0.01", "0.9", "0.8")
            notes.append(str(note))
        _sox(*notes, str(out / "chime.flac"), "norm", "-3")
        _sox("-n", "-r", RATE, "-c", "1", str(out / "rain-noise.flac"), "synth", "4", "pinknoise", "synth", "4", "sine",
             "mix", "60", "sinc", "400-6000", "tremolo", "0.3", "40", "norm", "-6")
    (out / "LICENSES.md").write_text(LICENSES, encoding="utf-8")
    return sorted(out.glob("*.flac"))


def main() -> int:
    for tool in ("sox", "espeak-ng"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (apt-get install {tool})", file=sys.stderr)
            return 2
    clips = make(OUT)
    print(f"wrote {len(clips)} clips to {OUT} (examples/audio links there)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
