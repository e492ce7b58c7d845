#!/usr/bin/env bash
# End-to-end test of db_bench's store benchmarks (needs DB::Open): every
# store benchmark once at num=2000, the read and compaction benchmarks under
# every valid combination of the direct and mmap options, RocksDB's output
# grammar, and the open error of invalid combinations.
#
#   db_bench_db_test.sh <db_bench binary> <scratch dir on a real disk>
set -u -o pipefail
export LC_ALL=C

TOOL=$1
W=$2
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rm -rf "$W" && mkdir -p "$W" || exit 1
cd "$W" || exit 1
source "$HERE/db_bench_common.sh"

SMALL=(--db="$W/db" --num=2000 --seed=1 --write_buffer_size=65536
  --target_file_size_base=65536 --max_bytes_for_level_base=262144)

ALL=fillseq,fillrandom,filluniquerandom,overwrite,fillsync,fill100K,fillbatch
ALL+=,readseq,readreverse,readrandom,readmissing,seekrandom,multireadrandom
ALL+=,readwhilewriting,readrandomwriterandom,updaterandom,deleteseq
ALL+=,deleterandom,flush,compact,waitforcompaction,stats,levelstats,sstables

# --- every store benchmark once ---------------------------------------------
run "${SMALL[@]}" --benchmarks=$ALL --seek_nexts=10 --batch_size=8
expect_rc "every store benchmark runs" 0
for bench in ${ALL//,/ }; do
  case $bench in
    stats | levelstats | sstables) continue ;;
  esac
  expect_result "$bench prints a RocksDB result line" $bench
done
check "readrandom after the fills finds every key" \
  grep -q "^readrandom .*(2000 of 2000 found)$" out
check "readmissing finds none" grep -q "^readmissing .*(0 of 2000 found)$" out
check "stats prints the DB's stats" grep -q "Compaction Stats" out

run "${SMALL[@]}" --benchmarks=fillseq --use_existing_db
check "fill benchmarks are skipped with --use_existing_db" \
  grep -qx "fillseq      : skipped (--use_existing_db is true)" out

run "${SMALL[@]}" --benchmarks=fillseq,readrandom --statistics
check "--statistics dumps RocksDB ticker names" \
  grep -q "^rocksdb.block.cache.miss COUNT : " out
check "the I/O report shows the WAL" grep -q "^#   wal " out

# --- direct and mmap combinations -------------------------------------------
for dr in false true; do
  for dw in false true; do
    for mr in false true; do
      for mw in false true; do
        flags=(--use_direct_reads=$dr --use_direct_io_for_flush_and_compaction=$dw
          --mmap_read=$mr --mmap_write=$mw)
        name="direct_reads=$dr direct_writes=$dw mmap_read=$mr mmap_write=$mw"
        run "${SMALL[@]}" "${flags[@]}" \
          --benchmarks=fillseq,readrandom,readseq,seekrandom,compact
        if [[ $mr == true && ($dr == true || $dw == true) ]] ||
          [[ $mw == true && $dw == true ]]; then
          expect_rc "$name is refused" 1
          expect_err "... with RocksDB's open error" "open error: "
        else
          expect_rc "$name runs" 0
          for bench in fillseq readrandom readseq seekrandom compact; do
            expect_result "$name: $bench" $bench
          done
        fi
      done
    done
  done
done

echo
if ((FAILS > 0)); then
  echo "$FAILS check(s) FAILED"
  exit 1
fi
echo "all checks passed"
