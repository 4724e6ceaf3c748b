#!/usr/bin/env bash
# Install llama-cpp-python into .venv as a portable build, and prove it runs on this CPU.
#
# PyPI ships llama-cpp-python as source; a plain 'pip install' compiles it with -march=native and
# pip caches that wheel by the source archive alone, then reuses it on any later machine whatever
# its CPU. A build made on one CPU can die with "Illegal instruction" on the next. So this script
# builds with the instruction sets chosen deliberately (x86-64-v3: AVX2, FMA, F16C, BMI2; no
# AVX-512, no AMX), keeps the wheel in its own cache folder keyed by version and flags, installs
# it, and runs one token of the packaged model in a child process. A cached wheel that crashes
# here is thrown away and rebuilt once from source.
#
#   MILS_LLAMA_CMAKE_ARGS   replaces the flags (e.g. "-DGGML_CUDA=on" for a GPU build)
#   MILS_WHEEL_CACHE        where built wheels are kept (default ~/.cache/mils/wheels)
set -euo pipefail
cd "$(dirname "$0")/.."

py=.venv/bin/python
version=$(sed -n 's/^llama-cpp-python==//p' requirements/constraints.txt)
[[ -n "$version" ]] || { echo "install_llama_cpp: no llama-cpp-python pin in requirements/constraints.txt" >&2; exit 2; }
default_args="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
default_args+=" -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAVA_BUILD=OFF"
cmake_args=${MILS_LLAMA_CMAKE_ARGS:-$default_args}
key=$(printf '%s|%s|%s' "$version" "$cmake_args" "$(uname -m)" | sha256sum | cut -c1-12)
wheels="${MILS_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mils/wheels}/llama-cpp-python-$version-$key"

build() {
  echo "install_llama_cpp: compiling llama-cpp-python $version (about 8 minutes on 2 cores) with: $cmake_args" >&2
  rm -rf "$wheels"
  mkdir -p "$wheels.partial"
  CMAKE_ARGS="$cmake_args" CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
    "$py" -m pip wheel --quiet --disable-pip-version-check --no-deps --no-cache-dir \
    -w "$wheels.partial" "llama-cpp-python==$version"
  mv "$wheels.partial" "$wheels"
}

install() {  # replace whatever build is there, then add its (pure-Python) dependencies
  "$py" -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall "$wheels"/llama_cpp_python-*.whl
  "$py" -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt "$wheels"/llama_cpp_python-*.whl
}

probe() {
  "$py" -m mils_llm.llama_probe >/dev/null
}

if ! ls "$wheels"/llama_cpp_python-*.whl >/dev/null 2>&1; then
  build
fi
install
if probe; then
  echo "install_llama_cpp: llama-cpp-python $version runs on this CPU ($wheels)" >&2
  exit 0
fi
echo "install_llama_cpp: the cached llama-cpp-python wheel does not run on this CPU; rebuilding it" >&2
build
install
if ! probe; then
  echo "install_llama_cpp: llama-cpp-python $version built with '$cmake_args' does not run on this CPU;" \
       "set MILS_LLAMA_CMAKE_ARGS to flags this CPU supports and run scripts/setup.sh --test again" >&2
  exit 1
fi
echo "install_llama_cpp: llama-cpp-python $version rebuilt and runs on this CPU" >&2
