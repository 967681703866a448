"""Test-wide guards (tests/ and every package's test/, also under `colcon test`): DDS stays on
loopback and every run has its own domain id."""
import os

os.environ['ROS_AUTOMATIC_DISCOVERY_RANGE'] = 'LOCALHOST'
os.environ.setdefault('ROS_DOMAIN_ID', str(150 + os.getpid() % 50))
