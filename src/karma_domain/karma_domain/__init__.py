"""KARMA-ROS domain model: each piece of domain knowledge, defined once (no ROS imports)."""
