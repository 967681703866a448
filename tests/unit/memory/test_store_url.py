"""store_url picks the store: empty is the embedded SQLite file, postgresql:// a fleet store;
anything else is refused with the reason (the node does not start on a bad parameter)."""
import pytest

from karma_memory import MemoryStore
from karma_memory.stores import open_store
from karma_memory.stores.fleet import FleetStore, minted_by


def test_empty_url_is_the_embedded_sqlite_store(tmp_path):
    store = open_store('', str(tmp_path))
    assert isinstance(store, MemoryStore) and store.path == str(tmp_path / 'memory.sqlite3')


@pytest.mark.parametrize('url', ['mysql://db/karma', 'sqlite:///x', 'db-host:5432'])
def test_other_urls_are_refused(tmp_path, url):
    with pytest.raises(ValueError, match='postgresql://'):
        open_store(url, str(tmp_path), 'robot1')


def test_the_node_parameter_refuses_them_too():
    from karma_memory_ros.fleet_sync import PARAMS
    check = PARAMS['store_url'].check
    assert check('') is None and check('postgresql://karma@127.0.0.1:5432/karma') is None
    assert 'postgresql://' in check('mysql://db/karma')


def test_a_fleet_store_needs_a_robot_name(tmp_path):
    with pytest.raises(ValueError, match='robot'):
        FleetStore(str(tmp_path), 'postgresql://karma@127.0.0.1:1/karma', '')


def test_an_unreachable_server_leaves_a_working_cache(tmp_path):
    from karma_memory import MemoryConfig, Observation
    store = FleetStore(str(tmp_path), 'postgresql://karma@127.0.0.1:1/karma', 'robot1')
    assert not store.online and store.last_error
    g = store.load(MemoryConfig(id_suffix=':robot1', confirm_frames=1))
    g.apply([Observation('Mug', '', position=(1, 1, 1))], stamp=1.0)
    store.commit(g)
    assert not store.sync(g).online and store.pending() == 1
    assert MemoryStore(str(tmp_path)).load().ids() == ['Mug_1:robot1']


@pytest.mark.parametrize('nid,robot', [('Mug_3:robot2', 'robot2'), ('Butter_Knife_1:r1', 'r1'),
                                       ('Mug|1', ''), ('Mug_3', ''), ('Apple|+1.0|+0.2:x', '')])
def test_minted_ids_name_their_robot(nid, robot):
    assert minted_by(nid) == robot
