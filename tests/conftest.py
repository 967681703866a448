"""Test-wide guards: DDS stays on loopback and every run has its own domain id."""
import os

os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
os.environ.setdefault('ROS_DOMAIN_ID', str(150 + os.getpid() % 50))

import pytest

# The global --timeout (pytest.ini) guards against hangs; a test marked `slow` loads a language
# model or builds something, which on a loaded 2-core machine takes minutes, so it gets a
# longer guard unless it sets its own. Its waits are still on events, not on this bound.
SLOW_TEST_TIMEOUT_S = 1800


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker('slow') and not item.get_closest_marker('timeout'):
            item.add_marker(pytest.mark.timeout(SLOW_TEST_TIMEOUT_S))


@pytest.fixture(scope='module')
def pg_cluster():
    """A private PostgreSQL server (karma_bench.pgcluster.PgCluster) on loopback in a temporary
    folder, started for the module and destroyed after it; ``.url``, ``.kill()``, ``.start()``."""
    from karma_bench.pgcluster import PgCluster
    pg = PgCluster().start()
    yield pg
    pg.destroy()
