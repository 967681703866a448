"""Record the memory's inputs and outputs in MCAP, replay them into a fresh memory.

Processes: ltm_node and recorder_node, each in its own process; this test process publishes
a scripted perception stream and reads the recording (with rclpy's deserialiser for replay,
and with mcap-ros2-support's decoder, as Foxglove would, without ROS).
"""
from __future__ import annotations

import signal

import pytest
from mcap.reader import make_reader
from mcap_ros2.decoder import DecoderFactory

from karma_inspector.replay import compare, main as replay_main, replay
from memory_stream import KITCHEN, Stream, ob

pytestmark = pytest.mark.integration
LTM = "karma_memory_ros.ltm_node"


def test_a_recording_replays_into_the_same_graph(ros_node, spawn_node, tmp_path, capsys):
    path = tmp_path / "run.mcap"
    spawn_node(LTM, "config/ltm.yaml", {"store_dir": str(tmp_path / "ltm"), "publish_rate_hz": 10.0})
    rec = spawn_node("karma_inspector.recorder_node", "config/recorder.yaml", {"path": str(path)})
    s = Stream(ros_node)
    assert s.wait_subscribers(2), "ltm_node and recorder_node did not both subscribe"
    s.kitchen_map(99.0)
    s.hand_empty(99.5)
    # Both readers matched this process's writers: the memory drew the map, the recorder has it.
    s.wait_graph(lambda n: "region:kitchen" in n)
    s.wait_recorded("/karma/robot_state", 1)
    s.wait_recorded("/karma/map/navigable", 1)
    s.wait_recorded("/karma/scene_graph", 1)     # ... and the recorder matched the memory's writers
    s.frame(100.0, KITCHEN + [ob("Apple", "Apple|1", (1.0, 1.0, 1.0))])
    assert s.wait_graph(lambda n: "Apple|1" in n and n["Apple|1"].get("parent") == "CounterTop|1")
    s.frame(101.0, [ob("Mug", "", (1.4, 1.0, 0.97)), ob("Apple", "Apple|1", (1.6, 1.0, 1.0))])
    assert s.wait_graph(lambda n: abs(n["Apple|1"]["x"] - 1.6) < 1e-6)
    s.frame(102.0, [ob("Mug", "", (1.42, 1.0, 0.97))])          # seen twice: the memory has it
    assert s.wait_graph(lambda n: "Mug_1" in n)
    s.frame(103.0, [], look=(1.5, 3.0, 1.5))                     # looked at the counter: none seen
    assert s.wait_graph(lambda n: float(n["Apple|1"]["confidence"]) < 0.9)
    live = s.graphs[-1]
    s.wait_recorded("/karma/perception/objects", 4)

    rec.send_signal(signal.SIGINT)
    assert rec.wait(20) == 0
    result = replay(str(path), "config/ltm.yaml")
    assert result.inputs == 6 and result.snapshots >= 1
    replayed = result.graph
    assert sorted(replayed.ids()) == sorted(n.id for n in live.nodes if n.layer in ("object", "receptacle"))
    from karma_memory_ros.conversions import SceneGraphEncoder
    assert compare(live, SceneGraphEncoder().encode(replayed.nx)) == []   # node for node

    # Foxglove's path: every recorded topic decodes from its ros2msg schema, without ROS.
    topics = {}
    with open(path, "rb") as f:
        reader = make_reader(f, decoder_factories=[DecoderFactory()])
        for schema, channel, message, decoded in reader.iter_decoded_messages():
            topics.setdefault(channel.topic, []).append(decoded)
        assert reader.get_header().profile == "ros2"
    assert len(topics["/karma/perception/objects"]) == 4
    assert topics["/karma/perception/objects"][0].observations[2].label == "Apple"
    assert "/karma/scene_graph" in topics and "/karma/scene_graph/markers" in topics
    assert topics["/karma/map/navigable"][0].room_names == ["kitchen"]

    capsys.readouterr()
    replay_main([str(path), "--ltm-params", "config/ltm.yaml"])   # the CLI: same replay, printed
    assert "fed 6 input messages into a fresh memory: " in capsys.readouterr().out


def test_benchmark_episode_recorder_writes_one_complete_file_per_episode(ros_env, tmp_path):
    from karma_bringup.processes import EpisodeRecorder
    rec = EpisodeRecorder(str(tmp_path), "karma")
    rec.start("kitchen/breakfast 1")
    rec.start("second")                 # starting the next episode closes the previous file
    rec.stop()
    assert [p.name for p in rec.paths] == ["kitchen_breakfast_1.mcap", "second.mcap"]
    for p in rec.paths:
        with open(p, "rb") as f:
            summary = make_reader(f).get_summary()    # written at close: the file is complete
        assert summary is not None and len(summary.channels) == 9
    assert EpisodeRecorder(None, "karma").paths == [] and EpisodeRecorder("", "x").directory is None
