"""``openai`` backend: any OpenAI-compatible chat-completions endpoint (OpenAI, llama.cpp
server, vLLM, ...), over stdlib urllib.

URL, model and key come from the constructor (node parameters) or the environment
(``OPENAI_BASE_URL``, ``OPENAI_MODEL``, ``OPENAI_API_KEY``). Requests time out after
``timeout_s`` and are retried ``retries`` times with exponential back-off on connection
errors, 429 and 5xx. With ``json_schema=True`` the request carries a ``response_format``
JSON schema whose enums are the skills and the retrieved ids (servers that support it then
constrain decoding; the planner validates the answer either way). Images are sent as data
URLs when ``send_image`` is set. ``schema_style='llama_cpp'`` sends llama-cpp-python's form
(``{"type": "json_object", "schema": ...}``; its server rejects ``json_schema``).
"""
from __future__ import annotations

import base64
import io
import json
import os
import time
import urllib.error
import urllib.request

from karma_domain.skills import SKILLS
from .base import Backend, BackendOutput, PlanContext


class OpenAIBackend(Backend):
    name = 'openai'

    def __init__(self, base_url: str = '', model: str = '', api_key: str = '', timeout_s: float = 60.0,
                 retries: int = 2, max_tokens: int = 400, temperature: float = 0.0,
                 json_schema: bool = False, send_image: bool = False, schema_style: str = 'openai'):
        self.base_url = (base_url or os.environ.get('OPENAI_BASE_URL') or 'https://api.openai.com/v1').rstrip('/')
        self.model = model or os.environ.get('OPENAI_MODEL') or 'gpt-4o-mini'
        self.api_key = api_key or os.environ.get('OPENAI_API_KEY', '')
        self.timeout_s, self.retries = float(timeout_s), int(retries)
        self.max_tokens, self.temperature = int(max_tokens), float(temperature)
        if schema_style not in ('openai', 'llama_cpp'):
            raise ValueError("schema_style must be 'openai' or 'llama_cpp'")
        self.json_schema, self.send_image, self.schema_style = json_schema, send_image, schema_style
        self.takes_images = send_image

    def _messages(self, ctx: PlanContext) -> list[dict]:
        user: object = ctx.prompt.user
        if self.send_image and ctx.image is not None:
            buf = io.BytesIO()
            ctx.image.save(buf, format='PNG')
            url = 'data:image/png;base64,' + base64.b64encode(buf.getvalue()).decode()
            user = [{'type': 'text', 'text': ctx.prompt.user}, {'type': 'image_url', 'image_url': {'url': url}}]
        msgs = [{'role': 'system', 'content': ctx.prompt.system}, {'role': 'user', 'content': user}]
        for assistant, follow_up in ctx.history:
            msgs += [{'role': 'assistant', 'content': assistant}, {'role': 'user', 'content': follow_up}]
        return msgs

    def schema(self, ctx: PlanContext) -> dict:
        """JSON schema of a plan over the catalogue and the retrieved ids / regions."""
        ids = list(ctx.retrieved_ids) + list(ctx.regions)
        step = {'type': 'object', 'properties': {
            'skill': {'type': 'string', 'enum': list(SKILLS)},
            'args': {'type': 'array', 'items': {'type': 'string', 'enum': ids or ['none']}, 'maxItems': 1}},
            'required': ['skill', 'args']}
        return {'type': 'array', 'items': step, 'minItems': 1, 'maxItems': ctx.max_steps}

    def plan(self, ctx: PlanContext) -> BackendOutput:
        body = {'model': self.model, 'messages': self._messages(ctx), 'temperature': self.temperature,
                'max_tokens': self.max_tokens}
        if self.json_schema:
            schema = {'type': 'object', 'properties': {'plan': self.schema(ctx)}, 'required': ['plan']}
            body['response_format'] = (
                {'type': 'json_schema', 'json_schema': {'name': 'plan', 'schema': schema}}
                if self.schema_style == 'openai' else {'type': 'json_object', 'schema': schema})
        data = self._post('/chat/completions', body)
        text = data['choices'][0]['message'].get('content') or ''
        if self.json_schema:
            try:
                text = json.dumps(json.loads(text)['plan'])
            except (ValueError, KeyError, TypeError):
                pass
        usage = data.get('usage') or {}
        return BackendOutput(text=text, prompt_tokens=int(usage.get('prompt_tokens', 0)),
                             completion_tokens=int(usage.get('completion_tokens', 0)))

    def _post(self, path: str, body: dict) -> dict:
        req_body = json.dumps(body).encode()
        headers = {'Content-Type': 'application/json'}
        if self.api_key:
            headers['Authorization'] = f'Bearer {self.api_key}'
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(0.5 * 2 ** (attempt - 1), 8.0))
            req = urllib.request.Request(self.base_url + path, data=req_body, headers=headers, method='POST')
            try:
                with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                    return json.loads(resp.read().decode())
            except urllib.error.HTTPError as e:
                last = e
                if e.code != 429 and e.code < 500:
                    raise RuntimeError(f'{self.base_url}{path}: HTTP {e.code}: {e.read()[:300]!r}') from e
            except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
                last = e
        raise RuntimeError(f'{self.base_url}{path}: no answer after {self.retries + 1} tries: {last}')
