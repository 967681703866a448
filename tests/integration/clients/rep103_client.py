"""A REP-103 robot's perception, in its own process: frame map, metres, x forward, y left, z up.

Publishes a floor plan with two rooms (outlines in the x/y ground plane) and, a few times, one
frame: a dining table whose top is at z = 0.75 m with a mug standing on it, a fridge with an
apple inside, a sofa in the other room. Knows only karma_interfaces and ROS messages. Exits
after ``argv[1]`` seconds or when no subscriber is left.
"""
import sys
import time

import rclpy
from geometry_msgs.msg import Point, Point32, Polygon, Pose, Quaternion, Vector3
from rclpy.node import Node

from karma_interfaces.msg import NavigableMap, ObjectObservation, ObjectObservationArray
from karma_ros_common.qos import LATCHED, SENSOR_DATA

TABLE_TOP = 0.75
# id, label, centre (x, y, z), size (x, y, z), is_receptacle
THINGS = [
    ('DiningTable|1', 'DiningTable', (1.0, 1.0, TABLE_TOP - 0.05), (1.2, 0.8, 0.1), True),
    # On the table's top, off its centre in x and y: its bottom is the table's top.
    ('Mug|1', 'Mug', (1.4, 1.3, TABLE_TOP + 0.05), (0.1, 0.1, 0.1), False),
    ('Fridge|1', 'Fridge', (3.0, 1.0, 0.9), (0.7, 0.7, 1.8), True),
    # Inside the fridge, on its upper shelf.
    ('Apple|1', 'Apple', (3.1, 0.8, 1.4), (0.08, 0.08, 0.08), False),
    ('Sofa|1', 'Sofa', (2.0, 4.0, 0.4), (2.0, 0.9, 0.8), True),
]
ROOMS = {'kitchen': [(0, 0), (4, 0), (4, 2.5), (0, 2.5)],
         'living_room': [(0, 2.5), (4, 2.5), (4, 5), (0, 5)]}


def floor_plan() -> NavigableMap:
    m = NavigableMap(place_type='house', room_names=list(ROOMS))
    m.header.frame_id = 'map'
    m.room_outlines = [Polygon(points=[Point32(x=float(x), y=float(y), z=0.0) for x, y in pts])
                       for pts in ROOMS.values()]
    m.reachable = [Point(x=0.25 * i, y=0.25 * j, z=0.0) for i in range(1, 16) for j in range(1, 20)]
    return m


def frame() -> ObjectObservationArray:
    msg = ObjectObservationArray(source='rep103_client')
    msg.header.frame_id = 'map'
    for iid, label, c, s, rec in THINGS:
        msg.observations.append(ObjectObservation(
            instance_id=iid, label=label, confidence=0.9, is_receptacle=rec,
            pose=Pose(position=Point(x=c[0], y=c[1], z=c[2]), orientation=Quaternion(w=1.0)),
            size=Vector3(x=s[0], y=s[1], z=s[2])))
    return msg


def main() -> None:
    linger = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    rclpy.init()
    node = Node('rep103_client')
    map_pub = node.create_publisher(NavigableMap, '/karma/map/navigable', LATCHED)
    obs_pub = node.create_publisher(ObjectObservationArray, '/karma/perception/objects', SENSOR_DATA)
    deadline = time.monotonic() + linger
    while time.monotonic() < deadline and (map_pub.get_subscription_count() == 0
                                           or obs_pub.get_subscription_count() == 0):
        rclpy.spin_once(node, timeout_sec=0.05)
    map_pub.publish(floor_plan())
    # The map first: objects are then placed in rooms as they arrive. Frames repeat (best effort).
    while time.monotonic() < deadline:
        obs_pub.publish(frame())
        rclpy.spin_once(node, timeout_sec=0.2)
    node.destroy_node()
    rclpy.shutdown()


if __name__ == '__main__':
    main()
