#!/usr/bin/env bash
# `colcon test` as on any ROS 2 workspace: each package runs the tests in its own test/ folder,
# then `colcon test-result` sums them up (non-zero exit on a failure).
#   scripts/colcon_test.sh                      every package with a test/ folder
#   scripts/colcon_test.sh karma_memory ...     just these
set -euo pipefail
cd "$(dirname "$0")/.."
export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST
export ROS_DOMAIN_ID="${ROS_DOMAIN_ID:-$(( 150 + $$ % 50 ))}"
pkgs=("$@")
if [ ${#pkgs[@]} -eq 0 ]; then
  for d in src/*/test sim/*/test; do pkgs+=("$(basename "$(dirname "$d")")"); done
fi
exec ./karma exec bash -c 'cd ros2_ws && colcon --log-base log test --base-paths src \
  --packages-select "$@" --event-handlers console_direct+ --return-code-on-test-failure \
  && colcon test-result --test-result-base build --verbose' colcon_test "${pkgs[@]}"
