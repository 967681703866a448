"""KARMA-ROS bringup: which nodes make up the stack, and how to start them."""
