"""Store history and time travel: where was X at t, what changed, the graph at t, bounds."""
import math

from helpers_ltm import kitchen, obs
from karma_memory import MemoryStore, Observer
from karma_memory.history import HistoryConfig, TRACKED


def _view(g):
    """What time travel must reproduce: every node's place, parent and semantic attributes."""
    out = {}
    for n in g.to_node_link()["nodes"]:
        out[n["id"]] = ({k: n.get(k) for k in TRACKED},
                        tuple(round(c, 6) for c in n.get("position", ())))
    return out


def _episode(tmp_path, **cfg):
    """A mug moves from the counter into the fridge, an egg appears and is forgotten."""
    store = MemoryStore(str(tmp_path), history=HistoryConfig(**cfg) if cfg else None)
    g = kitchen()
    store.save_all(g, cause="load")   # the kitchen is there from t=1 on
    views = {1.0: _view(g)}
    g.apply([obs("Mug", "Mug|1", (1.2, 1.0, 1.0))], source="perception:cam", stamp=10.0)
    store.commit(g)
    views[10.0] = _view(g)
    g.apply([obs("Mug", "Mug|1", (4.0, 1.0, 0.9), parent="Fridge|1"),
             obs("Egg", "Egg|1", (2.5, 3.0, 0.05))], source="perception:cam", stamp=20.0)
    store.commit(g)
    views[20.0] = _view(g)
    g.remove("Egg|1")
    store.commit(g, stamp=30.0, cause="operator")
    views[30.0] = _view(g)
    return store, g, views


def test_where_was_the_mug_at_t(tmp_path):
    store, _, _ = _episode(tmp_path)
    h = store.history
    assert h.where_at("Mug|1", 5.0) is None                     # not seen yet
    at15 = h.where_at("Mug|1", 15.0)
    assert at15["t"] == 10.0 and at15["cause"] == "perception:cam"
    assert at15["node"]["parent"] == "CounterTop|1"
    at25 = h.where_at("Mug|1", 25.0)["node"]
    assert (at25["parent"], at25["relation"]) == ("Fridge|1", "in")
    assert math.dist(at25["position"], (4.0, 1.0, 0.9)) < 1e-9
    assert h.where_at("Egg|1", 25.0) is not None
    assert h.where_at("Egg|1", 30.0) is None                    # forgotten at 30


def test_graph_at_t_is_the_graph_as_it_was(tmp_path):
    store, _, views = _episode(tmp_path)
    for t, view in views.items():
        assert _view(store.history.graph_at(t + 0.5)) == view, t


def test_diff_names_added_moved_removed_and_who(tmp_path):
    store, _, _ = _episode(tmp_path)
    d = {c["id"]: c for c in store.history.diff(10.0, 30.0)}
    assert d["Mug|1"]["kind"] == "changed"
    assert {"position", "parent", "relation"} <= set(d["Mug|1"]["fields"])
    assert d["Mug|1"]["before"]["parent"] == "CounterTop|1"
    assert "Egg|1" not in d                 # came and went between the two times: no net change
    assert "Fridge|1" not in d                                   # untouched
    gone = {c["id"]: c for c in store.history.diff(20.0, 30.0)}
    assert gone["Egg|1"]["kind"] == "removed" and gone["Egg|1"]["cause"] == "operator"
    added = {c["id"]: c["kind"] for c in store.history.diff(10.0, 20.0)}
    assert added["Egg|1"] == "added"


def test_last_seen_and_history_survive_reopening(tmp_path):
    store, g, _ = _episode(tmp_path)
    g.apply([obs("Mug", "Mug|1", (4.0, 1.0, 0.9), parent="Fridge|1")], stamp=40.0)
    store.commit(g)                         # a mere re-sighting: no history row, sightings only
    rows = store.history.rows()
    store.close()
    again = MemoryStore(str(tmp_path))
    assert again.history.rows() == rows
    assert again.history.last_seen("Mug|1") == 40.0
    assert again.history.last_seen("Nothing|9") is None
    assert again.history.where_at("Mug|1", 15.0)["node"]["parent"] == "CounterTop|1"


def test_misses_are_history_with_their_confidence(tmp_path):
    store = MemoryStore(str(tmp_path))
    g = kitchen()
    g.apply([obs("Mug", "Mug|1", (1.2, 1.0, 1.0))], stamp=10.0)
    store.commit(g)
    s45 = math.sin(math.pi / 4)
    eye = Observer(position=(1.2, 3.0, 1.5), orientation=(0.0, 0.0, -s45, s45), fov_deg=90.0,
                   max_range=5.0, forward_axis="x")   # looking along -y at the mug
    for i in range(4):
        g.apply([], eye, stamp=11.0 + i)
        store.commit(g)
    before, after = store.history.where_at("Mug|1", 10.5), store.history.where_at("Mug|1", 20.0)
    assert after["node"]["confidence"] < before["node"]["confidence"]
    assert after["node"]["stale"] and not before["node"]["stale"]
    [c] = [c for c in store.history.diff(10.5, 20.0) if c["id"] == "Mug|1"]
    assert {"stale", "confidence"} <= set(c["fields"])


def test_reset_records_every_node_as_deleted(tmp_path):
    store, g, _ = _episode(tmp_path)
    g.clear()
    g.clock = 50.0
    store.save_all(g, cause="reset")
    assert store.history.nodes_at(60.0) == []
    assert store.history.where_at("Mug|1", 45.0) is not None


def test_retention_folds_old_rows_into_one_baseline(tmp_path):
    store = MemoryStore(str(tmp_path), history=HistoryConfig(retention_s=100.0, compact_every=0))
    g = kitchen()
    for i in range(50):    # a mug shuttled between two places every second
        g.apply([obs("Mug", "Mug|1", (1.2 + (i % 2) * 2.0, 1.0, 1.0))], stamp=float(i))
        store.commit(g)
    g.apply([obs("Mug", "Mug|1", (1.2, 1.0, 1.0))], stamp=200.0)
    store.commit(g)
    mug_rows = lambda: store._db.execute("SELECT COUNT(*) FROM history WHERE id = 'Mug|1'").fetchone()[0]
    assert mug_rows() == 51
    assert store.history.compact() > 0
    assert mug_rows() == 2                               # the baseline and the change at 200
    assert store.history.where_at("Mug|1", 150.0)["t"] == 49.0   # the horizon's baseline
    assert store.history.where_at("Mug|1", 30.0) is None           # detail before it is gone
    assert store.history.where_at("Mug|1", 200.0)["t"] == 200.0


def test_per_object_cap_bounds_growth_during_commits(tmp_path):
    store = MemoryStore(str(tmp_path), history=HistoryConfig(
        retention_s=0, max_rows_per_object=5, compact_every=10))
    g = kitchen()
    for i in range(200):
        g.apply([obs("Mug", "Mug|1", (1.2 + (i % 2) * 2.0, 1.0, 1.0))], stamp=float(i))
        store.commit(g)
    n = store._db.execute("SELECT COUNT(*) FROM history WHERE id = 'Mug|1'").fetchone()[0]
    assert n <= 5 + 10                                   # cap plus what one interval adds
    assert store.history.where_at("Mug|1", 199.0)["t"] == 199.0
