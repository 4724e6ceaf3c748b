#!/usr/bin/env bash
# Prepare .whl/ for a GPU machine that has PyTorch and transformers but no network:
# wheels of mils and the plugins the GPU benchmark needs, plus the few dependencies such an
# image usually lacks. Run here (with network to the package index), then carry .whl there.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .whl
.venv/bin/python -m pip wheel --quiet --no-deps -w .whl . plugins/mils-llm plugins/mils-clip plugins/mils-image
.venv/bin/python -m pip download --quiet --no-deps --only-binary=:all: --python-version "${DEVICE_PYTHON:-3.12}" \
  --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 --platform any -d .whl structlog tomli_w open_clip_torch ftfy wcwidth
ls -la .whl
