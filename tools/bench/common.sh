# tools/bench/common.sh — sourced by the benchmark scripts (partitions.sh, hashing.sh): the
# Fashion-MNIST files, the NQ / PART arguments, the 100-NN ground truth and the peers program, and
# how annlab is run natively and in WebAssembly. Defines NQ, PARTS, part, A, O, B, Q, G, NATIVE,
# WASM, bench (bench JSON-PATH [--wasm] annlab-bench-args...) and run_peers (run_peers JSON-PATH
# peers-args...).
# Usage: source "$(dirname "${BASH_SOURCE[0]}")/common.sh" "default parts" "$@"
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
DEFAULT_PARTS=$1
shift
NQ=${1:-1000}
shift || true
PARTS=" ${*:-$DEFAULT_PARTS} "
part() { [[ "$PARTS" == *" $1 "* ]]; }
A=assets/data O=out/bench
mkdir -p "$O"
B=$A/fashion-mnist-base.alds Q=$A/fashion-mnist-query.alds G=$O/fashion-gt100.ivecs
[ -f "$G" ] || build/tools/annlab gt --base $B --query $Q --k 100 --out "$G" --threads "$(nproc)"
# Always relinked (about 15 s; FAISS itself stays cached): the peers program carries annlab's core
# from build/, and a copy left from an older build measures older kernels than build/tools/annlab.
tools/bench/build-peers > /dev/null
NATIVE=build/tools/annlab
WASM="node --no-experimental-fetch build-wasm/tools/annlab.js"
bench() {  # bench JSON-PATH [--wasm] annlab-bench-args...
  local json=$1; shift
  local cli=$NATIVE
  if [ "${1:-}" = --wasm ]; then cli=$WASM; shift; fi
  $cli bench --base $B --query $Q --gt "$G" --nq "$NQ" "$@" --json "$json"
}
run_peers() {  # run_peers JSON-PATH peers-args...
  local json=$1; shift
  build-peers/peers --base $B --query $Q --gt "$G" --nq "$NQ" "$@" --json "$json"
}
