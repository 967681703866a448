"""Test-wide guards: DDS stays on loopback and every run has its own domain id."""
import os

os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
os.environ.setdefault('ROS_DOMAIN_ID', str(150 + os.getpid() % 50))

import pytest


@pytest.fixture(scope='module')
def pg_cluster():
    """A private PostgreSQL server (karma_bench.pgcluster.PgCluster) on loopback in a temporary
    folder, started for the module and destroyed after it; ``.url``, ``.kill()``, ``.start()``."""
    from karma_bench.pgcluster import PgCluster
    pg = PgCluster().start()
    yield pg
    pg.destroy()
