"""Fleet memory on a real PostgreSQL server (a private cluster per module, see tests/conftest.py):
migrations from empty and from an older version on both backends, the same history and
provenance as SQLite, two robots sharing one memory (visibility, association across robots,
conflicts by recency then confidence with both observations in history), a lost server,
concurrent writers."""
import json
import os
import sqlite3
import subprocess
import sys
import uuid

import psycopg
import pytest

from karma_memory import MemoryConfig, MemoryStore, Observation
from karma_memory.stores import migrations
from karma_memory.stores.fleet import FleetStore
from karma_memory.stores.postgres import PostgresStore


@pytest.fixture
def db_url(pg_cluster):
    """A fresh database on the module's server for each test."""
    name = 'k' + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_cluster.url, autocommit=True) as c:
        c.execute(f'CREATE DATABASE {name}')
    return pg_cluster.url.rsplit('/', 1)[0] + '/' + name


def robot(tmp_path, url, name, **cfg):
    store = FleetStore(str(tmp_path / name), url, name)
    graph = store.load(MemoryConfig(id_suffix=f':{name}', confirm_frames=1, **cfg))
    return store, graph


def see(store, graph, stamp, *obs):
    graph.apply(list(obs), stamp=stamp)
    store.commit(graph)


def mug(x=1.0, iid='', conf=0.9):
    return Observation('Mug', iid, confidence=conf, position=(x, 0.4, 0.85), size=(.1, .1, .1))


TABLE = Observation('DiningTable', 'Table|1', position=(1, 0.4, 0.4), size=(1.2, .8, .8),
                    is_receptacle=True)


# ---------------------------------------------------------------- migrations
def test_sqlite_migrates_from_empty_and_from_the_first_release(tmp_path):
    fresh = MemoryStore(str(tmp_path / 'fresh'))
    assert fresh.schema_version == migrations.CURRENT
    # A store file as the first release wrote it: no schema_version, history without robot.
    old = tmp_path / 'old'
    old.mkdir()
    db = sqlite3.connect(old / 'memory.sqlite3', isolation_level=None)
    db.executescript(migrations.SQLITE[1])
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO nodes VALUES ('Mug|1', 'object', ?)", (json.dumps(
        {'type': 'Mug', 'position': [1, 1, 1], 'size': [.1, .1, .1], 'confidence': 0.9,
         'times_seen': 2, 'first_seen': 1.0, 'last_seen': 2.0}),))
    db.execute("INSERT INTO history (id, t, op, layer, cause, data) VALUES "
               "('Mug|1', 1.0, 'set', 'object', 'perception:x', '{\"type\": \"Mug\"}')")
    db.close()
    assert migrations.sqlite_version(sqlite3.connect(old / 'memory.sqlite3')) == 1
    store = MemoryStore(str(old))
    assert store.schema_version == 2
    assert store.load().ids() == ['Mug|1']
    assert store.history.events(0, 10) == [
        {'id': 'Mug|1', 't': 1.0, 'op': 'set', 'cause': 'perception:x', 'robot': ''}]
    g = store.load()
    g.apply([mug(2.0, 'Mug|2')], stamp=5.0)
    store.commit(g)                      # the migrated file takes new commits
    assert sorted(MemoryStore(str(old)).load().ids()) == ['Mug|1', 'Mug|2']


def test_postgres_migrates_from_empty_and_from_version_1(db_url, tmp_path):
    with psycopg.connect(db_url, autocommit=True) as c:
        c.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        for stmt in migrations._statements(migrations.POSTGRES[1]):
            c.execute(stmt)
        c.execute("INSERT INTO meta VALUES ('schema_version', '1')")
        c.execute("INSERT INTO nodes VALUES ('Mug|1', 'object', %s)", (json.dumps(
            {'type': 'Mug', 'position': [1, 1, 1], 'size': [.1, .1, .1]}),))
    pg = PostgresStore(db_url, 'robot1')
    assert pg.schema_version == migrations.CURRENT
    (row,) = pg.changes_since(0)
    assert row[0] == 'Mug|1' and row[3] == '' and not row[6] and row[7] > 0   # has a revision
    assert PostgresStore(db_url, 'robot2').schema_version == migrations.CURRENT   # idempotent


# ---------------------------------------------------------------- same history as SQLite
def test_postgres_history_answers_like_the_sqlite_history(db_url, tmp_path):
    solo = MemoryStore(str(tmp_path / 'solo'))
    fleet, g = robot(tmp_path, db_url, 'robot1')
    gs = solo.load(MemoryConfig(confirm_frames=1))
    steps = [(10.0, [TABLE, mug(1.0, 'Mug|1')]), (20.0, [mug(3.0, 'Mug|1')]),
             (30.0, [mug(3.0, 'Mug|1'), Observation('Apple', 'Apple|1', position=(2, 0, 1))])]
    for t, obs in steps:
        for st, gr in ((solo, gs), (fleet, g)):
            gr.apply(obs, stamp=t, source='perception:test')
            st.commit(gr)
    gs.remove('Apple|1')
    solo.commit(gs, stamp=40.0, cause='operator')
    g.remove('Apple|1')
    fleet.commit(g, stamp=40.0, cause='operator')
    assert fleet.sync(g).online
    shared, local = fleet.remote.history, solo.history
    for t in (5.0, 15.0, 25.0, 35.0, 45.0):
        a, b = local.where_at('Mug|1', t), shared.where_at('Mug|1', t)
        assert (a and a['node']['position']) == (b and b['node']['position'])
        assert sorted(n['id'] for n in local.nodes_at(t)) == sorted(n['id'] for n in shared.nodes_at(t))
    strip = lambda es: [(e['id'], e['t'], e['op'], e['cause']) for e in es]
    assert strip(local.events(0, 100)) == strip(shared.events(0, 100))
    assert {e['robot'] for e in shared.events(0, 100)} == {'robot1'}
    d1 = [(c['id'], c['kind'], c['fields'], c['cause']) for c in local.diff(15.0, 45.0)]
    d2 = [(c['id'], c['kind'], c['fields'], c['cause']) for c in shared.diff(15.0, 45.0)]
    assert d1 == d2 and ('Apple|1', 'added', [], 'operator') not in d1
    assert shared.last_seen('Mug|1') == local.last_seen('Mug|1') == 30.0
    assert shared.compact() >= 0        # retention SQL runs on PostgreSQL too


# ---------------------------------------------------------------- two robots
def test_what_robot1_sees_reaches_robot2_with_its_robot(db_url, tmp_path):
    s1, g1 = robot(tmp_path, db_url, 'robot1')
    s2, g2 = robot(tmp_path, db_url, 'robot2')
    see(s1, g1, 10.0, TABLE, mug())
    (mid,) = [i.id for i in g1.objects() if i.type == 'Mug']
    assert mid == 'Mug_1:robot1'                      # minted ids carry the robot
    assert s1.sync(g1).online
    rep = s2.sync(g2)
    assert mid in g2 and (mid, 'robot1', 10.0) in rep.applied
    item = g2.get(mid)
    assert item.robot == 'robot1' and item.receptacle_id == 'Table|1' and item.relation == 'on'
    assert g2.find('mug', 1)[0].id == mid
    # robot2 sees the same mug (no id, a little off): associated, no second mug anywhere.
    see(s2, g2, 12.0, mug(1.04))
    assert [i.id for i in g2.objects() if i.type == 'Mug'] == [mid]
    s2.sync(g2)
    s1.sync(g1)
    assert g1.get(mid).robot == 'robot2' and abs(g1.get(mid).position[0] - 1.04) < 0.05
    assert s1.remote.count() == 2
    robots = [e['robot'] for e in s1.remote.history.events(0, 100) if e['id'] == mid]
    assert robots == ['robot1', 'robot2']            # both observations kept


def test_both_robots_meeting_a_new_mug_at_once_keep_one(db_url, tmp_path):
    s1, g1 = robot(tmp_path, db_url, 'robot1')
    s2, g2 = robot(tmp_path, db_url, 'robot2')
    see(s1, g1, 20.0, mug(3.0))
    see(s2, g2, 20.5, mug(3.1))
    for _ in range(3):
        s1.sync(g1)
        s2.sync(g2)
    m1 = sorted(i.id for i in g1.objects() if i.type == 'Mug')
    m2 = sorted(i.id for i in g2.objects() if i.type == 'Mug')
    assert m1 == m2 == ['Mug_1:robot1']              # the older one keeps its id
    assert s1.remote.count() == 1
    assert s1.remote.node('Mug_1:robot2') is None    # a tombstone reached both


def test_two_mugs_seen_together_stay_two(db_url, tmp_path):
    s1, g1 = robot(tmp_path, db_url, 'robot1')
    s2, g2 = robot(tmp_path, db_url, 'robot2')
    see(s1, g1, 10.0, mug(1.0, 'Mug|a'), mug(1.2, 'Mug|b'))
    s1.sync(g1)
    s2.sync(g2)
    assert sorted(i.id for i in g2.objects() if i.type == 'Mug') == ['Mug|a', 'Mug|b']


def test_conflicts_resolve_by_recency_then_confidence_and_keep_both(db_url, tmp_path):
    s1, g1 = robot(tmp_path, db_url, 'robot1')
    s2, g2 = robot(tmp_path, db_url, 'robot2')
    see(s1, g1, 10.0, mug(1.0, 'Mug|1'))
    s1.sync(g1)
    s2.sync(g2)
    # Offline from each other: robot2 sees the mug moved later, robot1 an older sighting.
    see(s2, g2, 30.0, mug(5.0, 'Mug|1'))
    see(s1, g1, 20.0, mug(2.0, 'Mug|1'))
    s2.sync(g2)
    rep = s1.sync(g1)                                  # robot1's write is older: it loses
    assert rep.lost == 1
    assert abs(g1.get('Mug|1').position[0] - 5.0) < 1e-6   # and it adopts the newer one
    assert abs(s1.remote.node('Mug|1')['position'][0] - 5.0) < 1e-6
    events = [(e['robot'], e['t']) for e in s1.remote.history.events(0, 100) if e['id'] == 'Mug|1']
    assert sorted(events) == [('robot1', 10.0), ('robot1', 20.0), ('robot2', 30.0)]
    # Equal time: the higher confidence wins.
    pg = s1.remote
    lost = pg.push([('Egg|1', 'object', json.dumps({'type': 'Egg', 'position': [0, 0, 0],
                     'size': [.1, .1, .1], 'confidence': 0.9}), 50.0, 0.9, False)], [], [])
    assert not lost
    pg2 = s2.remote
    assert pg2.push([('Egg|1', 'object', json.dumps({'type': 'Egg', 'position': [9, 0, 0],
                      'size': [.1, .1, .1], 'confidence': 0.4}), 50.0, 0.4, False)], [], []) == {'Egg|1'}
    assert pg.node('Egg|1')['position'] == [0, 0, 0]


# ---------------------------------------------------------------- a lost server
def test_a_robot_without_the_server_keeps_working_and_catches_up(pg_cluster, db_url, tmp_path):
    s1, g1 = robot(tmp_path, db_url, 'robot1')
    s2, g2 = robot(tmp_path, db_url, 'robot2')
    see(s1, g1, 1.0, mug(1.0, 'Mug|0'))
    assert s1.sync(g1).online
    pg_cluster.kill()
    try:
        for i in range(1, 20):
            see(s1, g1, 1.0 + i, mug(float(i), f'Mug|{i}'))
            rep = s1.sync(g1)
            assert not rep.online and rep.error
        assert s1.pending() == 19 and len(g1) == 20
        # The robot process dies too (its cache and outbox are on disk) and comes back.
        s1.local._db.close()
        s1, g1 = robot(tmp_path, db_url, 'robot1')
        assert len(g1) == 20 and s1.pending() == 19 and not s1.online
    finally:
        pg_cluster.start()
    s1._next_try = 0.0
    assert s1.sync(g1).online and s1.pending() == 0
    s2._next_try = 0.0
    s2.remote = None
    s2.sync(g2)
    assert sorted(g2.ids()) == sorted(f'Mug|{i}' for i in range(20))


# ---------------------------------------------------------------- concurrent writers
WRITER = r'''
import sys
from karma_memory import MemoryConfig, Observation
from karma_memory.stores.fleet import FleetStore
url, d, name, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s = FleetStore(d, url, name)
g = s.load(MemoryConfig(id_suffix=':' + name, confirm_frames=1))
for i in range(n):
    # Own objects, plus one object every writer updates (the contended row).
    g.apply([Observation('Mug', f'{name}|{i}', position=(i * 0.5, 0, 1), size=(.1, .1, .1)),
             Observation('Fridge', 'Fridge|1', position=(0, 5, 1), size=(1, 1, 2),
                         is_receptacle=True, states={'open': str(i % 2 == 0).lower()})],
            stamp=1000.0 + i)
    s.commit(g)
    s.sync(g)
s.sync(g)
'''


def test_concurrent_writers_do_not_corrupt_the_graph(db_url, tmp_path):
    n, names = 60, [f'w{i}' for i in range(4)]
    env = dict(os.environ)
    procs = [subprocess.Popen([sys.executable, '-c', WRITER, db_url, str(tmp_path / w), w, str(n)],
                              env=env, stderr=subprocess.PIPE, text=True) for w in names]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err[-3000:]
    with psycopg.connect(db_url) as c:
        revs = c.execute("SELECT rev FROM nodes").fetchall()
        assert len(revs) == len(set(revs))
        rows = c.execute("SELECT id, data FROM nodes WHERE NOT deleted").fetchall()
        ids = sorted(r[0] for r in rows)
        assert ids == sorted(['Fridge|1'] + [f'{w}|{i}' for w in names for i in range(n)])
        live = set(ids)
        for _, data in rows:
            d = json.loads(data)
            assert d['type'] in ('Mug', 'Fridge')
            assert not d.get('parent') or d['parent'] in live or d['parent'].startswith('region:')
        for w in names:   # every robot's every creation is in the shared history, as its own
            (k,) = c.execute("SELECT COUNT(DISTINCT id) FROM history WHERE robot = %s AND "
                             "id LIKE %s AND op = 'set'", (w, f'{w}|%')).fetchone()
            assert k == n
    # A fifth robot joining reads the whole memory, consistent.
    s, g = robot(tmp_path, db_url, 'late')
    assert len(g) == 4 * n + 1 and g.get('Fridge|1').layer == 'receptacle'
