#!/usr/bin/env bash
# The bad-input matrix, CLI side: every bad input gets exit code 1 (bad data) or 2 (bad usage) and
# a message that names the problem and where. Usage: bad_input_test.sh "<command that runs annlab>"
set -u
CLI=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
case_() {  # case_ NAME CODE MESSAGE -- args...
  local name=$1 code=$2 want=$3
  shift 4
  local out rc
  out=$($CLI "$@" 2>&1)
  rc=$?
  if [ "$rc" = "$code" ] && [[ "$out" == *"$want"* ]]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    printf 'FAIL [%s]: annlab %s\n  expected exit %s and "%s"\n  got exit %s: %s\n' "$name" "$*" "$code" "$want" "$rc" "$out"
  fi
}
# bytes FILE HEX...: writes raw bytes (little-endian fields written out by hand).
bytes() { local f=$1; shift; printf "$(printf '\\x%s' "$@")" > "$f"; }

$CLI generate --kind blobs --n 300 --d 8 --centers 4 --seed 2 --out "$T/base.fvecs" > /dev/null
$CLI generate --kind blobs --n 5 --d 8 --centers 4 --seed 2 --out "$T/q.fvecs" > /dev/null
$CLI search --base "$T/base.fvecs" --query "$T/q.fvecs" --index LSH4x3 --k 5 --out "$T/r.ivecs" --save-index "$T/i.annlab" > /dev/null
: > "$T/empty.fvecs"
bytes "$T/short.fvecs" 10 03 00 00; head -c 2800 /dev/zero >> "$T/short.fvecs"          # d = 784, 700 floats
bytes "$T/d0.fvecs" 00 00 00 00
bytes "$T/d2g.fvecs" 00 00 00 80 00 00 00 00                                            # d = 2^31 as int32
bytes "$T/nan.fvecs" 02 00 00 00 00 00 80 3f 00 00 c0 7f                                # (1, NaN)
printf '1,2\n3,inf\n' > "$T/inf.csv"
printf '1,2,3\n4,5\n' > "$T/ragged.csv"
printf "1,2,3\n" > "$T/ok3.csv"
bytes "$T/labels.ivecs" 01 00 00 00 07 00 00 00 01 00 00 00 08 00 00 00                  # 2 labels
head -c 30 "$T/i.annlab" > "$T/cut.annlab"
cp "$T/i.annlab" "$T/flip.annlab"; printf '\x55' | dd of="$T/flip.annlab" bs=1 seek=200 conv=notrunc 2> /dev/null
cp "$T/i.annlab" "$T/future.annlab"; printf '\x07' | dd of="$T/future.annlab" bs=1 seek=8 conv=notrunc 2> /dev/null
size=$(wc -c < "$T/i.annlab")
B="--base $T/base.fvecs"
S="search $B --query $T/q.fvecs --index Flat --out $T/x.ivecs"

case_ "empty file" 1 "empty.fvecs: empty file (0 bytes): expected at least one vector" -- info --file "$T/empty.fvecs"
case_ "d=784 with a short row" 1 "short.fvecs: offset 4 (vector 0): truncated: the vector needs 3136 bytes, 2800 left" -- info --file "$T/short.fvecs"
case_ "d=0" 1 "d0.fvecs: offset 0 (vector 0): dimension header is 0, expected a positive dimension" -- info --file "$T/d0.fvecs"
case_ "d=2^31" 1 "d2g.fvecs: offset 0 (vector 0): dimension header is -2147483648, expected a positive dimension" -- info --file "$T/d2g.fvecs"
case_ "NaN" 1 "nan.fvecs: offset 8 (vector 0, component 1): NaN is not a valid coordinate" -- gt $B --query "$T/nan.fvecs" --k 1 --out "$T/x.ivecs"
case_ "Inf" 1 "inf.csv:2: column 2: 'inf' is infinite or outside the float32 range, not a valid coordinate" -- info --file "$T/inf.csv"
case_ "labels count" 1 "labels.ivecs: labels count 2 != vectors count 300" -- info --file "$T/base.fvecs" --labels "$T/labels.ivecs"
case_ "k=0" 2 "annlab search: error: --k = 0 is out of range [1, 1048576]" -- $S --k 0
case_ "k>n" 1 "annlab search: error: k = 301 exceeds the number of indexed vectors (300)" -- $S --k 301
case_ "query dimension (csv)" 1 "annlab search: error: query dimension 3 != index dimension 8" -- search $B --query "$T/ok3.csv" --index Flat --k 1 --out "$T/x.ivecs"
case_ "index file of another type" 1 "base.fvecs: offset 0: not an annlab index file: expected the magic 'ANNLABIX'" -- search --load-index "$T/base.fvecs" --query "$T/q.fvecs" --k 1 --out "$T/x.ivecs"
case_ "truncated index file" 1 "cut.annlab: offset 24: truncated while reading vector count: need 8 bytes, 6 left" -- search --load-index "$T/cut.annlab" --query "$T/q.fvecs" --k 1 --out "$T/x.ivecs"
case_ "bit-flipped index file" 1 "flip.annlab: offset $((size - 4)): checksum mismatch" -- search --load-index "$T/flip.annlab" --query "$T/q.fvecs" --k 1 --out "$T/x.ivecs"
case_ "future format version" 1 "future.annlab: offset 8: format version 7 is newer than this build reads (2): update annlab" -- search --load-index "$T/future.annlab" --query "$T/q.fvecs" --k 1 --out "$T/x.ivecs"
case_ "unknown factory string" 2 "annlab search: error: unknown index description 'HSNW32': expected one of Flat," -- search $B --query "$T/q.fvecs" --index HSNW32 --k 1 --out "$T/x.ivecs"
case_ "parameter out of range" 2 "annlab search: error: parameter bucket_size = 0 is out of range [1, 2147483648]" -- search $B --query "$T/q.fvecs" --index LSHx4 --param bucket_size=0 --k 1 --out "$T/x.ivecs"
case_ "CSV with a ragged row" 1 "ragged.csv:2: expected 3 values (as in the first row), found 2" -- info --file "$T/ragged.csv"
case_ "unknown extension" 1 "x.txt: unknown file extension '.txt': expected .fvecs, .ivecs, .bvecs, .npy, .csv or .alds" -- info --file "$T/x.txt"
case_ "missing file" 1 "cannot open '$T/missing.fvecs': No such file or directory" -- info --file "$T/missing.fvecs"
case_ "too big for memory" 1 "generating 100000000 x 128 vectors needs 51200.0 MB, " -- generate --kind uniform --n 100000000 --d 128 --out "$T/x.fvecs"
echo "bad-input matrix (CLI): $pass passed, $fail failed"
[ "$fail" = 0 ]
