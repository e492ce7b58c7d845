#!/usr/bin/env bash
# Smoke test of scripts/compare_rocksdb.sh: one round of fillseq at
# num=2000 prints a row with both medians and the ratio; a failing run and a
# --db flag are errors.
#
#   compare_rocksdb_test.sh <strata db_bench> <scratch dir> [<RocksDB db_bench>]
#
# Exit: 0 passed; 1 a check failed; 77 RocksDB's db_bench is not installed.
set -u -o pipefail
export LC_ALL=C

TOOL=$1
W=$2
ROCKSDB_DB_BENCH=${3:-/usr/bin/db_bench}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPT=$HERE/../../scripts/compare_rocksdb.sh
if [[ ! -x $ROCKSDB_DB_BENCH ]]; then
  echo "SKIP: RocksDB's db_bench ($ROCKSDB_DB_BENCH) is not installed"
  exit 77
fi
rm -rf "$W" && mkdir -p "$W" || exit 1
cd "$W" || exit 1
source "$HERE/db_bench_common.sh"

compare() {
  bash "$SCRIPT" --rounds=1 --strata="$TOOL" --rocksdb="$ROCKSDB_DB_BENCH" \
    --dir="$W/cmp" "$@" >out 2>err
  RC=$?
}

compare --num=2000 --benchmarks=fillseq --seed=1
expect_rc "one round of fillseq" 0
check "a row: fillseq, both medians, the ratio" \
  grep -qP '^fillseq\s+[0-9]+\.[0-9]{3}\s+[0-9]+\.[0-9]{3}\s+[0-9]+\.[0-9]{2}$' out
check "the heading names the ratio's direction" \
  grep -q "rocksdb/strata" out
check "each binary ran once, strata first" \
  test "$(grep '^round' err | tr '\n' ' ')" = "round 1/1: strata round 1/1: rocksdb "
check "strata's output is kept" grep -q '^fillseq ' cmp/out/strata.1.txt
check "RocksDB's output is kept" grep -q '^fillseq ' cmp/out/rocksdb.1.txt
check "the DB directory is removed afterwards" test ! -e cmp/db

compare --num=2000 --benchmarks=fillseq --use_direct_reads=true --mmap_read=true
expect_rc "a run that fails (open error) fails the script" 1
expect_err "... showing the run's error" "open error"

compare --num=2000 --benchmarks=fillseq --db=/tmp/x
expect_rc "--db is refused" 2

echo
if ((FAILS > 0)); then
  echo "$FAILS check(s) FAILED"
  exit 1
fi
echo "all checks passed"
