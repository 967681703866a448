#!/usr/bin/env bash
# Opt-in: build llama-cpp-python (source only on PyPI; ~7 min on 2 cores) once into .cache/,
# and a separate venv with its OpenAI-compatible server, for tests/optional/test_llama_server.py.
set -euo pipefail
cd "$(dirname "$0")/.."
ver=0.3.36
if [ ! -x .cache/llama-venv/bin/python ] || ! .cache/llama-venv/bin/python -c 'import llama_cpp.server' 2>/dev/null; then
  mkdir -p .cache/wheels
  ls .cache/wheels/llama_cpp_python-$ver-*.whl >/dev/null 2>&1 || \
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF" \
    .venv/bin/python -m pip wheel -q --no-deps "llama-cpp-python==$ver" -w .cache/wheels
  python3 -m venv .cache/llama-venv
  .cache/llama-venv/bin/pip install -q --find-links .cache/wheels "llama-cpp-python[server]==$ver"
fi
echo "[setup-llama] ready: .cache/llama-venv"
