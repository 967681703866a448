"""openai backend against a real llama.cpp server (llama-cpp-python) on loopback, SmolLM2 GGUF,
with the plan schema (skills, retrieved ids) constraining decoding.

Opt-in, not part of `make test`: PyPI ships llama-cpp-python only as source and its build
takes about 7 minutes on 2 cores. `make test-llama` builds it once into .cache/ (see
scripts/setup_llama.sh) and runs this file. $KARMA_LLAMA_PYTHON points at another interpreter.
"""
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from karma_planning.backends import make_backend
from karma_planning.backends.hf import default_gguf
from karma_planning.planner import Planner
from karma_planning.prompt import PromptBuilder
from karma_planning.retrieval import Retriever

import sys  # noqa: E402
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / 'unit' / 'planning'))
from planning_fixtures import kitchen  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PY = Path(os.environ.get('KARMA_LLAMA_PYTHON', ROOT / '.cache/llama-venv/bin/python'))
pytestmark = [pytest.mark.slow]


def test_llama_interpreter_is_installed():
    assert PY.exists(), f'no llama-cpp-python server interpreter at {PY}: run make test-llama'



@pytest.fixture(scope='module')
def llama_url():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    d, f = default_gguf()
    proc = subprocess.Popen([str(PY), '-m', 'llama_cpp.server', '--model', f'{d}/{f}', '--host', '127.0.0.1',
                             '--port', str(port), '--n_ctx', '4096', '--n_threads', '1'],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f'http://127.0.0.1:{port}/v1'
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + '/models', timeout=1).read()
                break
            except OSError:
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def test_llama_cpp_server_with_schema_gives_a_valid_plan(llama_url, embedder, synonyms):
    backend = make_backend('openai', base_url=llama_url, model='smollm2', timeout_s=300,
                           json_schema=True, schema_style='llama_cpp')
    r = Planner(Retriever(embedder, synonyms), PromptBuilder(), backend).plan('Put the apple on the plate.', kitchen())
    assert r.success, r.message
    assert r.steps[0] == ('navigate_to', ['Apple_1'])
    assert r.prompt_tokens > 100 and r.completion_tokens > 0
