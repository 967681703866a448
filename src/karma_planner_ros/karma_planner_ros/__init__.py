"""KARMA-ROS planner node (ROS shell around karma_planning)."""
