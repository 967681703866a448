"""A client that knows only karma_interfaces: publishes a few observations, asks for a plan.

Used by tests/integration/test_stack_up.py in its own process, and usable by hand against
`./karma up`:  ./karma exec python tests/integration/clients/kitchen_plan_client.py
Prints one JSON line with the FindObject and Plan answers.
"""
import json
import os
import sys
import time

import rclpy
from geometry_msgs.msg import Point, Pose, Quaternion, Vector3
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data

from karma_interfaces.msg import KeyValue, ObjectObservation, ObjectObservationArray
from karma_interfaces.srv import FindObject, Plan


def observation(iid, label, xyz, size, parent='', receptacle=False, states=()):
    return ObjectObservation(
        instance_id=iid, label=label, confidence=0.9,
        pose=Pose(position=Point(x=xyz[0], y=xyz[1], z=xyz[2]), orientation=Quaternion(w=1.0)),
        size=Vector3(x=size[0], y=size[1], z=size[2]),
        states=[KeyValue(key=k, value=v) for k, v in states], parent_id=parent,
        is_receptacle=receptacle)


def scene() -> ObjectObservationArray:
    msg = ObjectObservationArray(source='kitchen_plan_client', fov_deg=0.0, max_range=0.0)
    msg.header.frame_id = 'map'
    msg.observations = [
        observation('Fridge|-2.10|+0.00|+1.07', 'Fridge', (-2.1, 1.07, 0.9), (0.7, 0.7, 1.8),
                    receptacle=True, states=[('isOpen', 'false')]),
        observation('Apple|-2.05|+0.95|+1.10', 'Apple', (-2.05, 1.1, 0.95), (0.08, 0.08, 0.08),
                    parent='Fridge|-2.10|+0.00|+1.07'),
        observation('CounterTop|+0.69|+0.95|-2.48', 'CounterTop', (0.69, -2.48, 0.9),
                    (1.5, 0.6, 0.05), receptacle=True),
        observation('Plate|+0.60|+0.93|-2.40', 'Plate', (0.6, -2.4, 0.93), (0.25, 0.25, 0.03),
                    parent='CounterTop|+0.69|+0.95|-2.48', receptacle=True),
    ]
    return msg


def main() -> int:
    instruction = sys.argv[1] if len(sys.argv) > 1 else 'Put the apple on the plate.'
    rclpy.init()
    node = Node('kitchen_plan_client')
    pub = node.create_publisher(ObjectObservationArray, '/karma/perception/objects',
                                qos_profile_sensor_data)
    find = node.create_client(FindObject, '/karma/find_object')
    plan = node.create_client(Plan, '/karma/plan')
    out = {}
    # The planner loads two models before it serves: on a slow or loaded machine that takes
    # minutes, so the bound is the caller's (the test gives it the whole test's budget).
    wait_s = float(os.environ.get('KARMA_CLIENT_WAIT_S', '120'))
    try:
        for cli in (find, plan):
            if not cli.wait_for_service(timeout_sec=wait_s):
                raise SystemExit(f'{cli.srv_name} not available')
        # Publish until the memory has the apple (best-effort QoS: a frame may be dropped).
        deadline = time.monotonic() + 60.0
        found = []
        while time.monotonic() < deadline and not found:
            msg = scene()
            msg.header.stamp = node.get_clock().now().to_msg()
            pub.publish(msg)
            fut = find.call_async(FindObject.Request(query='Apple', max_results=3))
            rclpy.spin_until_future_complete(node, fut, timeout_sec=10.0)
            found = [o.id for o in fut.result().objects] if fut.result() else []
        out['find_apple'] = found
        fut = plan.call_async(Plan.Request(instruction=instruction))
        rclpy.spin_until_future_complete(node, fut, timeout_sec=600.0)
        resp = fut.result()
        out['plan'] = None if resp is None else {
            'success': resp.success, 'message': resp.message,
            'steps': [[s.skill, list(s.args)] for s in resp.steps],
            'memory_ids': list(resp.memory_ids), 'prompt_tokens': resp.prompt_tokens,
            'completion_tokens': resp.completion_tokens, 'backend': resp.backend,
            'elapsed_s': resp.elapsed_s}
    finally:
        print(json.dumps(out), flush=True)
        node.destroy_node()
        rclpy.try_shutdown()
    return 0


if __name__ == '__main__':
    sys.exit(main())
