#!/usr/bin/env bash
# Sets up the virtual environments (under /tmp/peers-venvs/, not in the repository) and
# runs network_peers.py: references, pushforward, PaCAL, OpenTURNS, then writes network_peers.md here.
# Usage, from anywhere: bash benches/peers/network_peers.sh
# Re-runs reuse the venvs and the cached references (delete /tmp/peers-venvs/work to redo).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
V=/tmp/peers-venvs
W=$V/work
mkdir -p "$W"

# -- reference venv: numpy/scipy for tests/scipy/rounds.py, mpmath for the rest
if [ ! -x "$V/ref/bin/python" ]; then
  python3 -m venv "$V/ref"
  "$V/ref/bin/pip" install -q numpy scipy mpmath
fi

# -- OpenTURNS: the wheel installs as is
if [ ! -x "$V/openturns/bin/python" ]; then
  python3 -m venv "$V/openturns"
  "$V/openturns/bin/pip" install -q openturns==1.27.post1 numpy
fi

# -- PaCAL: `pip install pacal` fails (its setup.py imports numpy, which pip's isolated
# build environment does not have).  Install the build requirements first, then build
# without isolation; with Cython present its compiled interpolation routine is built too.
if [ ! -x "$V/pacal/bin/python" ]; then
  python3 -m venv "$V/pacal"
  "$V/pacal/bin/pip" install -q "numpy<2" "setuptools<60" wheel Cython
  "$V/pacal/bin/pip" install -q --no-build-isolation pacal==1.6.1
fi

# -- references
if [ ! -s "$W/rounds.json" ]; then
  "$V/ref/bin/python" "$ROOT/tests/scipy/rounds.py" > "$W/rounds.json" 2> "$W/rounds.err"
fi
if [ ! -s "$W/ref.json" ]; then
  "$V/ref/bin/python" "$HERE/network_peers.py" ref "$W/rounds.json" "$W/ref.json"
fi

# -- the tools, one after another (each ~5 minutes at most: a case over 120 s is killed)
(cd "$ROOT" && cargo build --release -q && cargo build --release -q --example law_time)
"$V/ref/bin/python" "$HERE/network_peers.py" bench pushforward "$W/ref.json" "$W/pushforward.json"
"$V/pacal/bin/python" "$HERE/network_peers.py" bench pacal "$W/ref.json" "$W/pacal.json"
"$V/openturns/bin/python" "$HERE/network_peers.py" bench openturns "$W/ref.json" "$W/openturns.json"

# -- the table (network_peers.md keeps its hand-written parts; the generated table is
# printed here and saved beside the json files)
"$V/ref/bin/python" "$HERE/network_peers.py" report "$W/ref.json" "$W/pushforward.json" "$W/pacal.json" "$W/openturns.json" \
  | tee "$W/table.md"
{ echo; echo "machine: nproc $(nproc), $(lscpu | grep 'Model name' | sed 's/  */ /g'), $(python3 --version)"; } \
  | tee -a "$W/table.md"
