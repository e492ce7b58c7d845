#!/usr/bin/env bash
# Runs strata's db_bench and RocksDB's db_bench alternately with identical
# flags and prints, per benchmark, the median micros/op of each and the
# ratio RocksDB/strata (higher = strata faster).
#
#   scripts/compare_rocksdb.sh [options] [--] <db_bench flags...>
#
# Options (everything else is passed to both binaries unchanged):
#   --rounds=N       rounds; each runs both binaries once (default 5)
#   --strata=PATH    strata's db_bench (default build/release/db_bench/db_bench)
#   --rocksdb=PATH   RocksDB's db_bench (default /usr/bin/db_bench)
#   --dir=DIR        scratch directory on the disk to measure (default
#                    ./compare_rocksdb); each run gets a fresh DIR/db
#   --drop_caches    drop the page cache before every run (root only;
#                    otherwise a warning and the runs go on without it)
#
# The order alternates (strata first in odd rounds, RocksDB first in even
# ones) so neither binary always runs on a warmer machine. Each run's stdout
# is kept in DIR/out/<binary>.<round>.txt; result lines are read with
# RocksDB's grammar ("name : X micros/op ..."), so strata's '#' report lines
# are ignored. A benchmark named twice in --benchmarks is reported as name,
# name#2, ... Do not pass --db: the script owns the DB directory.
#
# Exit: 0 on success; 1 when a run fails (its stderr is shown) or a binary
# printed no result line; 2 on a usage error.
set -u -o pipefail
export LC_ALL=C

ROUNDS=5
STRATA=build/release/db_bench/db_bench
ROCKSDB=/usr/bin/db_bench
DIR=./compare_rocksdb
DROP_CACHES=false
FLAGS=()

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
  exit 2
}

while (($#)); do
  case $1 in
    --rounds=*) ROUNDS=${1#*=} ;;
    --strata=*) STRATA=${1#*=} ;;
    --rocksdb=*) ROCKSDB=${1#*=} ;;
    --dir=*) DIR=${1#*=} ;;
    --drop_caches) DROP_CACHES=true ;;
    -h | --help) usage ;;
    --) shift; FLAGS+=("$@"); break ;;
    --db=* | --db) echo "compare_rocksdb.sh: do not pass --db; use --dir" >&2; exit 2 ;;
    *) FLAGS+=("$1") ;;
  esac
  shift
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "--rounds=$ROUNDS: want a positive integer" >&2; exit 2; }
for bin in "$STRATA" "$ROCKSDB"; do
  [[ -x $bin ]] || { echo "compare_rocksdb.sh: $bin: not an executable" >&2; exit 2; }
done
for f in "${FLAGS[@]}"; do
  [[ $f == --db=* ]] && { echo "compare_rocksdb.sh: do not pass --db; use --dir" >&2; exit 2; }
done

mkdir -p "$DIR/out" || exit 1
DIR=$(cd "$DIR" && pwd)
if [[ $DROP_CACHES == true && $(id -u) != 0 ]]; then
  echo "compare_rocksdb.sh: --drop_caches needs root; running without it" >&2
  DROP_CACHES=false
fi

# run_one NAME BINARY ROUND
run_one() {
  local name=$1 bin=$2 round=$3
  rm -rf "$DIR/db"
  mkdir -p "$DIR/db"
  if [[ $DROP_CACHES == true ]]; then
    sync
    echo 3 >/proc/sys/vm/drop_caches
  fi
  echo "round $round/$ROUNDS: $name" >&2
  if ! "$bin" "${FLAGS[@]}" --db="$DIR/db" >"$DIR/out/$name.$round.txt" \
    2>"$DIR/out/$name.$round.err"; then
    echo "compare_rocksdb.sh: $name failed in round $round:" >&2
    tr '\r' '\n' <"$DIR/out/$name.$round.err" | grep -v '^\.\.\. ' | tail -20 >&2
    exit 1
  fi
  if ! grep -qE '^\S+\s+:\s+[0-9.]+ micros/op ' "$DIR/out/$name.$round.txt"; then
    echo "compare_rocksdb.sh: $name printed no result line in round $round" >&2
    exit 1
  fi
}

rm -f "$DIR"/out/*.txt "$DIR"/out/*.err
for ((round = 1; round <= ROUNDS; ++round)); do
  if ((round % 2 == 1)); then
    run_one strata "$STRATA" $round
    run_one rocksdb "$ROCKSDB" $round
  else
    run_one rocksdb "$ROCKSDB" $round
    run_one strata "$STRATA" $round
  fi
done
rm -rf "$DIR/db"

# One "binary benchmark micros" line per result line, the benchmark keyed by
# its occurrence in the run (name, name#2, ...); then medians and ratios.
for name in strata rocksdb; do
  for ((round = 1; round <= ROUNDS; ++round)); do
    awk -v bin=$name '
      /^[^ \t#]+[ \t]+:[ \t]+[0-9.]+ micros\/op / {
        key = $1
        n = ++seen[key]
        if (n > 1) key = key "#" n
        if (!(key in order)) order[key] = ++keys
        print bin, order[key], key, $3
      }' "$DIR/out/$name.$round.txt"
  done
done | sort -k1,1 -k2,2n -k4,4g | awk -v rounds="$ROUNDS" '
  function median(bin, key,   n) {
    n = count[bin, key]
    if (n == 0) return -1
    if (n % 2 == 1) return v[bin, key, (n + 1) / 2]
    return (v[bin, key, n / 2] + v[bin, key, n / 2 + 1]) / 2
  }
  {
    bin = $1; key = $3
    v[bin, key, ++count[bin, key]] = $4
    if (!(key in pos) || $2 < pos[key]) pos[key] = $2
    if (!(key in seen_key)) { seen_key[key] = 1; keys[++nkeys] = key }
  }
  END {
    # Benchmarks in the order they ran.
    for (i = 1; i <= nkeys; ++i)
      for (j = i + 1; j <= nkeys; ++j)
        if (pos[keys[j]] < pos[keys[i]]) { t = keys[i]; keys[i] = keys[j]; keys[j] = t }
    printf "%-20s %16s %16s %16s\n", "benchmark", "strata us/op", "rocksdb us/op", "rocksdb/strata"
    for (i = 1; i <= nkeys; ++i) {
      key = keys[i]
      s = median("strata", key); r = median("rocksdb", key)
      ss = s < 0 ? "-" : sprintf("%.3f", s)
      rs = r < 0 ? "-" : sprintf("%.3f", r)
      ratio = (s > 0 && r >= 0) ? sprintf("%.2f", r / s) : "-"
      printf "%-20s %16s %16s %16s\n", key, ss, rs, ratio
    }
    printf "(medians of %d round(s); ratio > 1: strata is faster)\n", rounds
  }'
