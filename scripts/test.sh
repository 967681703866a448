#!/usr/bin/env bash
# Run the test suite inside the project's environment, DDS on loopback, a domain id of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST
export ROS_DOMAIN_ID="${ROS_DOMAIN_ID:-$(( 150 + $$ % 50 ))}"
# No path given: pytest.ini testpaths = tests/ plus every package's test/ folder.
exec ./karma exec python -m pytest -q -p no:cacheprovider "$@"
