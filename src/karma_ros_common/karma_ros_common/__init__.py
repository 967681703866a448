"""Shared helpers for KARMA-ROS nodes (the thin ROS shells around the core packages)."""
