"""MCAP recordings: ros2msg schemas from the installed .msg files, write/read round trip, and
the file decodes with mcap-ros2-support (Foxglove's decoder) from our schemas alone."""
import io

import pytest
from mcap.reader import make_reader
from mcap_ros2.decoder import DecoderFactory
from rclpy.serialization import serialize_message

from karma_inspector.mcap_log import McapLog, read_raw
from karma_inspector.schemas import SEPARATOR, SchemaError, dependencies, ros2msg_schema
from karma_inspector.topics import RECORDED, message_class


def test_schema_names_every_nested_type_once():
    text = ros2msg_schema("karma_interfaces/msg/ObjectObservationArray")
    deps = [line[5:] for line in text.splitlines() if line.startswith("MSG: ")]
    assert len(deps) == len(set(deps))
    assert {"std_msgs/Header", "builtin_interfaces/Time", "karma_interfaces/ObjectObservation",
            "geometry_msgs/Pose", "sensor_msgs/PointCloud2", "karma_interfaces/KeyValue"} <= set(deps)
    assert text.count(SEPARATOR) == len(deps)


def test_constants_and_comments_are_not_dependencies():
    assert dependencies("p", "uint8 A=1  # Foo/Bar x\nstring s\nBaz[] bs\nq/Qux[<=3] q\n") == ["p/Baz", "q/Qux"]


def test_unknown_type_is_a_clear_error():
    with pytest.raises(SchemaError, match="no definition of nope/msg/Nothing"):
        ros2msg_schema("nope/msg/Nothing")


@pytest.mark.parametrize("topic,type_name", [(t, ty) for t, ty, _ in RECORDED])
def test_every_recorded_type_round_trips_through_mcap_and_decodes_without_ros(topic, type_name):
    msg = message_class(type_name)()
    data = serialize_message(msg)
    buf = io.BytesIO()
    log = McapLog(buf)
    log.write(topic, type_name, data, 1_000)
    log.write(topic, type_name, data, 2_000)
    log.close()
    assert [(t, ty, ns) for t, ty, ns, _ in read_raw(io.BytesIO(buf.getvalue()))] == \
        [(topic, type_name, 1_000), (topic, type_name, 2_000)]
    reader = make_reader(io.BytesIO(buf.getvalue()), decoder_factories=[DecoderFactory()])
    decoded = [m for _, _, _, m in reader.iter_decoded_messages()]
    assert len(decoded) == 2
    summary = reader.get_summary()
    [channel] = summary.channels.values()
    assert channel.message_encoding == "cdr" and summary.schemas[channel.schema_id].encoding == "ros2msg"


def test_writes_after_close_are_ignored_and_close_is_idempotent():
    buf = io.BytesIO()
    log = McapLog(buf, schema_of=lambda t: "int32 data\n")
    log.close()
    log.write("/x", "std_msgs/msg/Int32", b"\x00\x01\x00\x00\x01\x00\x00\x00", 1)
    log.close()
    assert log.messages == 0
