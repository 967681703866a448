"""Session fixtures: models load once per test session (2 shared cores)."""
import pytest

from karma_planning.prompt import default_prompts_dir


@pytest.fixture(scope='session')
def embedder():
    from karma_planning.embedding import SentenceEmbedder
    e = SentenceEmbedder()
    e.encode(['warm up'])
    return e


@pytest.fixture(scope='session')
def smol():
    from karma_planning.backends import make_backend
    return make_backend('transformers', threads=1)   # 2 shared cores: avoid oversubscription


@pytest.fixture(scope='session')
def synonyms():
    from karma_planning.synonyms import SynonymTable
    return SynonymTable.load(default_prompts_dir() / 'synonyms.yaml')
