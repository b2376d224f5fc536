#!/usr/bin/env bash
# Install everything bpr needs on Debian or Ubuntu: the system programs (Graphviz, fonts,
# Chromium for PDF reports and the browser tests, poppler's pdftotext and LibreOffice Writer
# for the tests that read printed pages and Word files, Node.js for the BPMN toolchain), a
# virtual environment in .venv with bpr and all its extras, and the npm packages under
# tools/bpmn.
# Safe to run again: it installs only what is missing or changed.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

packages=(graphviz fonts-dejavu-core fonts-noto-core chromium poppler-utils libreoffice-writer-nogui libcairo2)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
python3 -m venv --help >/dev/null 2>&1 && python3 -c "import ensurepip" 2>/dev/null || packages+=(python3-venv)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install these with your system's package manager: ${missing[*]}" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating the virtual environment .venv"
  python3 -m venv .venv
fi
echo "setup: installing bpr with all extras into .venv"
.venv/bin/python -m pip install -q --upgrade pip
# compat mode puts the clone on sys.path (a .pth file) instead of an import hook that runs
# after it: 'import bpr' from the folder above a clone named bpr still finds the package.
.venv/bin/python -m pip install -q -e '.[all,dev]' --config-settings editable_mode=compat

echo "setup: compiling the queueing simulation once (numba caches it for every later run)"
.venv/bin/python -c "from bpr.simulate.queueing import compile_now; compile_now()"

if [ -f tools/bpmn/package.json ]; then
  echo "setup: installing the BPMN toolchain (npm) into tools/bpmn"
  (cd tools/bpmn && npm ci --no-audit --no-fund --silent)
fi
echo "setup: done. Run the tools as .venv/bin/bpr, or 'source .venv/bin/activate' first."
