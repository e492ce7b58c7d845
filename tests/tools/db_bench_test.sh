#!/usr/bin/env bash
# End-to-end test of db_bench without the store: the micro and sst*
# benchmarks with small sizes, RocksDB's output grammar, repeats and
# histograms, flag handling (unknown flags fail, ignored ones are listed),
# and, when RocksDB's db_bench is installed, that every one of its flags is
# accepted. The store benchmarks are in db_bench_db_test.sh.
#
#   db_bench_test.sh <db_bench binary> <scratch dir> [<RocksDB db_bench>]
#
# Exit: 0 all passed; 1 a check failed; 77 every check passed but RocksDB's
# db_bench is not installed (flag coverage not checked).
set -u -o pipefail
export LC_ALL=C

TOOL=$1
W=$2
ROCKSDB_DB_BENCH=${3:-}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rm -rf "$W" && mkdir -p "$W" || exit 1
cd "$W" || exit 1
source "$HERE/db_bench_common.sh"

SMALL=(--db="$W/db" --num=2000 --micro_bench_bytes=1048576 --seed=1)

# --- micro and sst benchmarks, one run each -------------------------------

for bench in crc32c xxhash xxhash64 xxh3 compress uncompress \
  sstwrite sstscan sstget sstverify; do
  run "${SMALL[@]}" --benchmarks=$bench
  expect_rc "$bench runs" 0
  expect_result "$bench prints a RocksDB result line" $bench
done
run "${SMALL[@]}" --benchmarks=sstwrite,sstget --io_report
check "sstget finds every key sstwrite wrote" \
  grep -q "^sstget .*(2000 of 2000 found)$" out
check "the header names strata's version (stderr)" \
  grep -qE "^strata:     version [0-9]+\.[0-9]+\.[0-9]+$" err
check "the header block ends with RocksDB's dashed line" \
  grep -qx -- "------------------------------------------------" out
check "each benchmark names the DB path" grep -qxF "DB path: [$W/db]" out
check "I/O report lines start with '#'" grep -q "^#   page cache: sst " out
check "... and no other line is unparseable noise" \
  test -z "$(grep -vP "$RESULT_RE" out | grep -vE '^(#|DB path: |Keys:|Values:|Entries:|Prefix:|Keys per prefix:|RawSize:|FileSize:|Write rate:|Read rate:|Compression|Memtablerep:|Perf Level:|WARNING:|-+$|$)')"
run "${SMALL[@]}" --benchmarks=sstwrite --io_report=false
check "--io_report=false prints no report" test -z "$(grep '^#' out)"
run "${SMALL[@]}" --benchmarks=sstwrite,sstscan,sstget,sstverify --threads=2
expect_rc "sst* with --threads=2" 0
check "counts are per thread" grep -qP "^sstscan\s+:.* 4000 operations;" out
run "${SMALL[@]}" --benchmarks=crc32c --progress_reports=true
check "progress lines on stderr, as RocksDB's" \
  grep -q "\.\.\. finished 100 ops" err

# --- repeats, warm-up, histograms -----------------------------------------

run "${SMALL[@]}" "--benchmarks=xxh3[X3-W1]" --histogram
expect_rc "xxh3[X3-W1] runs" 0
check "4 result lines (1 warm-up + 3)" \
  test "$(grep -cP "^xxh3\s+:" out)" -eq 4
check "warm-up announced" grep -qx "Warming up benchmark by running 1 times" out
check "repeats announced" grep -qx "Running benchmark for 3 times" out
check "AVG line after the second run" grep -q "^xxh3 \[AVG 2 runs\] : " out
check "final AVG line" \
  grep -qP "^xxh3 \[AVG    3 runs\] : \d+ \(\S+ \d+\) ops/sec;\s+[0-9.]+ \(\S+ [0-9.]+\) MB/sec$" out
check "final MEDIAN line" \
  grep -qP "^xxh3 \[MEDIAN 3 runs\] : \d+ ops/sec;\s+[0-9.]+ MB/sec$" out
check "histogram block per run" \
  test "$(grep -c "^Microseconds per hash:" out)" -eq 4
check "histogram percentile line" \
  grep -qP "^Percentiles: P50: [0-9.]+ P75: [0-9.]+ P99: [0-9.]+ P99.9: [0-9.]+ P99.99: [0-9.]+$" out
check "histogram bucket line" \
  grep -qP "^[\[(] +\d+, +\d+ \] +\d+ +[0-9.]+% +[0-9.]+% #*$" out
run "${SMALL[@]}" "--benchmarks=xxh3[X0]"
expect_rc "a malformed repeat suffix" 1

# --- flags --------------------------------------------------------------------

run "${SMALL[@]}" --benchmarks=xxh3 --no_such_flag=1
expect_rc "an unknown flag exits 1, as gflags does" 1
expect_err "... naming it" "no_such_flag"
run "${SMALL[@]}" --benchmarks=no_such_benchmark
expect_rc "an unknown benchmark exits 1" 1
expect_err "... naming it" "unknown benchmark 'no_such_benchmark'"
run "${SMALL[@]}" --benchmarks=mixgraph,xxh3
expect_rc "a RocksDB benchmark strata lacks is skipped, not fatal" 0
expect_err "... with a note" "benchmark 'mixgraph' is not implemented"
run "${SMALL[@]}" --benchmarks=xxh3 --memtablerep=vector --use_blob_db=true \
  --block_size=8192
expect_rc "ignored RocksDB flags are accepted" 0
expect_err "ignored flags are listed on stderr" \
  "ignoring RocksDB flags strata does not implement: memtablerep, use_blob_db"
check "... once" test "$(grep -c "ignoring RocksDB flags" err)" -eq 1
expect_no_err "implemented flags are not listed" "block_size"
run "${SMALL[@]}" --benchmarks=xxh3
expect_no_err "nothing is listed when no ignored flag is set" "ignoring"
run "${SMALL[@]}" --benchmarks=compress --compression_type=lzma
expect_rc "an unknown compression_type fails" 1
expect_err "... naming it" "lzma"
"$TOOL" --helpfull >helpfull.txt 2>&1
check "compression_type defaults to snappy" \
  grep -A2 -- "-compression_type " helpfull.txt | grep -q 'default: "snappy"'

if [[ -n $ROCKSDB_DB_BENCH && -x $ROCKSDB_DB_BENCH ]]; then
  "$ROCKSDB_DB_BENCH" --help 2>&1 |
    sed -n '/Flags from .*db_bench_tool.cc:/,/Flags from /p' |
    grep -oE '^    -[a-zA-Z0-9_]+ .*' |
    sed -E 's/^    -([a-zA-Z0-9_]+) .*/\1/' | sort -u >theirs.txt
  grep -oE '^    -[a-zA-Z0-9_]+ ' helpfull.txt | tr -d ' -' | sort -u >ours.txt
  missing=$(comm -23 theirs.txt ours.txt)
  check "RocksDB's db_bench has flags ($(wc -l <theirs.txt))" \
    test "$(wc -l <theirs.txt)" -gt 300
  if [[ -z $missing ]]; then
    ok "every RocksDB db_bench flag is accepted"
  else
    fail "flags RocksDB's db_bench has and ours lacks: $(echo $missing)"
  fi
  for flag in num value_size key_size cache_size block_size bloom_bits \
    compression_ratio write_buffer_size threads seed; do
    theirs=$("$ROCKSDB_DB_BENCH" --helpfull 2>&1 |
      tr '\n' ' ' | grep -oE " -$flag \([^)]*(\([^)]*\)[^)]*)*\) +type: [a-z0-9]+ +default: [^ ]+" |
      sed -E 's/.*type: ([a-z0-9]+) +default: ([^ ]+)/\1 \2/')
    ours=$(tr '\n' ' ' <helpfull.txt |
      grep -oE " -$flag \([^)]*(\([^)]*\)[^)]*)*\) +type: [a-z0-9]+ +default: [^ ]+" |
      sed -E 's/.*type: ([a-z0-9]+) +default: ([^ ]+)/\1 \2/')
    if [[ -n $theirs && $theirs == "$ours" ]]; then
      ok "--$flag has RocksDB's type and default ($ours)"
    else
      fail "--$flag: ours '$ours', RocksDB's '$theirs'"
    fi
  done
else
  echo "SKIP: RocksDB's db_bench not installed; flag coverage not checked"
  SKIP=1
fi

echo
if ((FAILS > 0)); then
  echo "$FAILS check(s) FAILED"
  exit 1
fi
if [[ -n ${SKIP:-} ]]; then exit 77; fi
echo "all checks passed"
