"""KARMA-ROS memory nodes: ltm_node (long-term scene graph) and stm_node (short-term memory)."""
