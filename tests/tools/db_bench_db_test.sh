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
    stats | levelstats | sstables | flush | waitforcompaction) continue ;;
  esac
  expect_result "$bench prints a RocksDB result line" $bench
done
# RocksDB's db_bench reports these two with lines of their own, and with no
# result line (nor a "DB path" line before them).
check "flush prints RocksDB's line" grep -qx "flush memtable" out
check "waitforcompaction prints RocksDB's lines, twice as RocksDB" \
  test "$(grep -cx "waitforcompaction($W/db): \(started\|finished\)" out)" = 4
check "no result line for flush or waitforcompaction" \
  test -z "$(grep -E '^(flush|waitforcompaction) +:' out)"
check "readrandom after the fills finds every key" \
  grep -q "^readrandom .*(2000 of 2000 found)$" out
check "readmissing finds none" grep -q "^readmissing .*(0 of 2000 found)$" out
check "stats prints the DB's stats" grep -q "Compaction Stats" out
run "${SMALL[@]}" --benchmarks=fillseq,flush,waitforcompaction
check "no DB path line for flush or waitforcompaction" \
  test "$(grep -c '^DB path: ' out)" = 1

run "${SMALL[@]}" --benchmarks=fillseq --use_existing_db
check "fill benchmarks are skipped with --use_existing_db" \
  grep -qx "fillseq      : skipped (--use_existing_db is true)" out

run "${SMALL[@]}" --benchmarks=fillseq,readrandom --statistics --io_report
check "--statistics dumps RocksDB ticker names" \
  grep -q "^rocksdb.block.cache.miss COUNT : " out
check "the I/O report shows the WAL" grep -q "^#   wal " out

# --- RocksDB's defaults for the table ---------------------------------------
run "${SMALL[@]}" --benchmarks=fillseq
check "no bloom filter by default, as RocksDB's db_bench" \
  grep -q "Options.bloom_bits_per_key: 0.000000$" "$W/db/LOG"
run "${SMALL[@]}" --benchmarks=fillseq --bloom_bits=10
check "--bloom_bits=10 gives a 10-bit filter" \
  grep -q "Options.bloom_bits_per_key: 10.000000$" "$W/db/LOG"

# --- the I/O report's default and --report_json -----------------------------
run "${SMALL[@]}" --benchmarks=fillseq
check "no I/O report by default without a direct option" \
  test -z "$(grep '^#' out)"
run "${SMALL[@]}" --benchmarks=fillseq --use_direct_reads=true
check "--use_direct_reads turns the I/O report on" grep -q "^#   wal " out
run "${SMALL[@]}" --benchmarks=fillseq \
  --use_direct_io_for_flush_and_compaction=true
check "--use_direct_io_for_flush_and_compaction turns it on" \
  grep -q "^#   table_flush  *direct " out
run "${SMALL[@]}" --benchmarks=fillseq --use_direct_reads=true --io_report=false
check "an explicit --io_report=false wins" test -z "$(grep '^#' out)"

# The JSON must parse, hold one entry per benchmark run (warm-up and
# repeats included) with the result line's figures, and with both direct
# options show every SST byte under "direct" and none under "buffered".
rm -f report.json
run "${SMALL[@]}" --use_direct_reads=true \
  --use_direct_io_for_flush_and_compaction=true --report_json=report.json \
  "--benchmarks=fillseq,readrandom,compact,readseq[X2-W1],crc32c" \
  --micro_bench_bytes=65536
expect_rc "--report_json with both direct options" 0
cat >check_json.py <<'PY'
import json, re, sys
doc = json.load(open(sys.argv[1]))
names = [b["name"] for b in doc["benchmarks"]]
want = ["fillseq", "readrandom", "compact", "readseq", "readseq", "readseq",
        "crc32c"]
assert names == want, names
assert [b["warm_up"] for b in doc["benchmarks"]][3:6] == [True, False, False]
# The result lines, in order, against the JSON's figures.
lines = [l for l in open(sys.argv[2]) if re.match(r"^\S+\s+: .* micros/op ", l)]
assert len(lines) == len(want), lines
for b, line in zip(doc["benchmarks"], lines):
    m = re.match(r"^(\S+)\s+:\s+([0-9.]+) micros/op (\d+) ops/sec .* (\d+) operations;", line)
    assert m.group(1) == b["name"], (line, b["name"])
    assert m.group(2) == "%.3f" % b["micros_per_op"], (line, b["micros_per_op"])
    assert int(m.group(3)) == int(b["ops_per_sec"]), (line, b["ops_per_sec"])
    assert int(m.group(4)) == b["operations"], (line, b["operations"])
sst = ("table_flush", "table_compaction_output", "table_compaction_input",
       "table_verify", "table_user_read")
by_name = {}
for b in doc["benchmarks"]:
    by_name.setdefault(b["name"], b)
    if b["io"] is None:
        continue
    for kind in b["io"]["files"]["buffered"]:
        assert kind not in sst, ("SST I/O buffered", b["name"], kind)
for name, kind, field in (("fillseq", "table_flush", "bytes_written"),
                          ("compact", "table_compaction_output", "bytes_written"),
                          ("compact", "table_compaction_input", "bytes_read"),
                          ("readrandom", "table_user_read", "bytes_read")):
    direct = by_name[name]["io"]["files"]["direct"]
    assert direct.get(kind, {}).get(field, 0) > 0, (name, kind, direct)
assert by_name["crc32c"]["io"] is None
assert by_name["compact"]["page_cache"]["sst"]["files"] > 0
PY
check "the JSON parses, one entry per run, SST bytes under \"direct\"" \
  python3 check_json.py report.json out
run "${SMALL[@]}" --benchmarks=fillseq --report_json="$W/no/such/dir/r.json"
expect_rc "an unwritable --report_json fails" 1
expect_err "... naming the file" "--report_json=$W/no/such/dir/r.json"

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
