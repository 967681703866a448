"""Planner backends behind one interface (:class:`~karma_planning.backends.base.Backend`).

``make_backend(name, **params)``: ``transformers`` (local HF causal LM or VLM; constrained
choice decoding by default), ``openai`` (OpenAI-compatible HTTP endpoint), ``reference``
(goal oracle, no model).
"""
from .base import Backend, BackendOutput, PlanContext


def make_backend(name: str, **params) -> Backend:
    """Build a backend by name; ``params`` are the backend's constructor arguments."""
    if name == 'transformers':
        from .hf import TransformersBackend
        return TransformersBackend(**params)
    if name == 'openai':
        from .openai_compat import OpenAIBackend
        return OpenAIBackend(**params)
    if name == 'reference':
        from .base import ReferenceBackend
        return ReferenceBackend()
    raise ValueError(f'unknown planner backend {name!r} (known: transformers, openai, reference)')


__all__ = ['Backend', 'BackendOutput', 'PlanContext', 'make_backend']
