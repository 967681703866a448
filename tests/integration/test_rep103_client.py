"""A REP-103 client (its own process) feeds the long-term memory (its own process) over DDS and
gets the right ``on``/``in`` relations and rooms: the memory is z-up, the ground plane x/y."""
from __future__ import annotations

import pytest

from karma_interfaces.msg import SceneGraph as SceneGraphMsg
from karma_interfaces.srv import FindObject
from karma_ros_common.qos import LATCHED

NODE = "karma_memory_ros.ltm_node"
CLIENT = "import runpy; runpy.run_path('tests/integration/clients/rep103_client.py', run_name='__main__')"


@pytest.fixture
def ltm(spawn_node, ros_node, tmp_path):
    proc = spawn_node(NODE, "config/ltm.yaml", {"store_dir": str(tmp_path / "store"),
                                                "publish_rate_hz": 10.0})
    cli = ros_node.create_client(FindObject, "/karma/find_object")
    assert cli.wait_for_service(timeout_sec=30), proc.log_path.read_text()[-2000:]
    yield proc
    ros_node.destroy_client(cli)


def test_rep103_client_gets_on_in_and_rooms(ltm, ros_node, spawn_python):
    graphs = []
    ros_node.create_subscription(SceneGraphMsg, "/karma/scene_graph", graphs.append, LATCHED)
    client = spawn_python(CLIENT, "60")
    want_edges = {("Mug|1", "DiningTable|1", "on"), ("Apple|1", "Fridge|1", "in")}

    def edges():
        return {(e.source, e.target, e.relation) for e in graphs[-1].edges} if graphs else set()

    def ready():
        return want_edges <= edges() and len({e for e in edges() if e[0] == "region:living_room"}) >= 1
    assert ros_node.spin_until(ready, 60), (edges(), client.log_path.read_text()[-2000:],
                                            ltm.log_path.read_text()[-2000:])
    got = edges()
    # Furniture is in its room by the x/y ground plane; a held thing is not also in a room.
    assert {("region:kitchen", "DiningTable|1", "contains"), ("region:kitchen", "Fridge|1", "contains"),
            ("region:living_room", "Sofa|1", "contains")} <= got
    assert not {e for e in got if e[1] in ("Mug|1", "Apple|1") and e[2] == "contains"}
    nodes = {n.id: n for n in graphs[-1].nodes}
    kitchen = nodes["region:kitchen"]
    assert (kitchen.position.x, kitchen.position.y, kitchen.position.z) == pytest.approx((2.0, 1.25, 0.0))
    assert nodes["Mug|1"].position.z == pytest.approx(0.80)          # heights stay z, as sent
    assert ltm.poll() is None
