"""Closed-loop task execution: plan, act, observe, replan (core in `loop`, ROS in `executor_node`)."""
