#!/usr/bin/env bash
# End-to-end test of tools/strata_sst: every subcommand, the documented exit
# codes, bad inputs (never a crash: every exit status must be < 128), direct
# I/O on a real disk, and `props` against RocksDB's own sst_dump.
#
#   strata_sst_test.sh <strata_sst binary> <scratch dir> [<sst_dump binary>]
#
# The scratch dir must be on a real disk (the build tree), not tmpfs.
# Exit: 0 all passed; 1 a check failed; 77 skipped (every other check
# passed, but sst_dump is not installed or the disk refuses O_DIRECT).
set -u -o pipefail

TOOL=$1
W=$2
SST_DUMP=${3:-}
FAILS=0
SKIPS=()

rm -rf "$W" && mkdir -p "$W" || exit 1
cd "$W" || exit 1

# --- helpers ---------------------------------------------------------------

# run [--stdin FILE] ARGS...: runs the tool; sets RC, leaves out and err.
run() {
  local input=/dev/null
  if [[ ${1:-} == --stdin ]]; then input=$2; shift 2; fi
  "$TOOL" "$@" <"$input" >out 2>err
  RC=$?
  # A sanitizer build may report a bug and still exit with a small status.
  if grep -qE "Sanitizer|runtime error:" err; then
    fail "sanitizer report from: $*"
  fi
}

fail() {
  echo "FAIL: $*"
  echo "  command exit status: ${RC:-?}"
  echo "  stderr: $(head -c 600 err 2>/dev/null)"
  FAILS=$((FAILS + 1))
}

ok() { echo "ok:   $*"; }

# expect_rc NAME WANT: the last run exited with WANT and did not crash.
expect_rc() {
  if ((RC >= 128)); then
    fail "$1: killed by a signal (status $RC)"
  elif [[ $RC != "$2" ]]; then
    fail "$1: exit status $RC, want $2"
  else
    ok "$1"
  fi
}

# expect_err NAME TEXT: stderr of the last run contains TEXT.
expect_err() {
  if grep -qF -- "$2" err; then ok "$1"; else fail "$1: stderr lacks '$2'"; fi
}

# expect_out NAME FILE: stdout of the last run equals FILE.
expect_out() {
  if cmp -s out "$2"; then
    ok "$1"
  else
    fail "$1: stdout differs from $2"
    diff out "$2" | head -10
  fi
}

check() {
  local name=$1
  shift
  if "$@"; then ok "$name"; else fail "$name"; fi
}

file_size() { stat -c %s "$1"; }

# Numbered keys in order: key0001<TAB>value-0001...
make_input() {
  local n=$1
  for ((i = 1; i <= n; i++)); do
    printf 'key%05d\tvalue-%05d-%s\n' "$i" "$i" "some filler text $i"
  done
}

# --- write -> scan round trips ------------------------------------------

printf 'a\t1\nb\t\nc\tvalue with\ttab and spaces \nd\t\\x00 not escaped\n' \
  >plain.txt
run --stdin plain.txt write --file=plain.sst
expect_rc "write plain text" 0
run scan --file=plain.sst
expect_rc "scan plain text" 0
expect_out "plain round trip (empty value, TAB inside value)" plain.txt

# Hex: an empty key, binary bytes (NUL, TAB, newline, 0xff), empty values.
printf '\t00\n00\t\n0009\t0a0d\n0a\t\n41ff\tff00ff\nff\t09090a\n' >hex.txt
run --stdin hex.txt write --file=hex.sst --hex
expect_rc "write --hex with binary bytes" 0
run scan --file=hex.sst --hex
expect_out "hex round trip" hex.txt
printf '41FF\tFF00FF\n' >upper.txt
run --stdin upper.txt write --file=upper.sst --hex
run scan --file=upper.sst --hex
check "hex input in upper case, output in lower case" \
  grep -qx "$(printf '41ff\tff00ff')" out
run scan --file=hex.sst
expect_rc "plain scan of a key holding a TAB is refused" 2
expect_err "... and the message points to --hex" "--hex"
run get --file=hex.sst --hex --key=0009
expect_rc "get --hex" 0
check "get --hex prints the value in hex" grep -qx 0a0d out

# Scan output fed back into write gives the same scan, with other options.
make_input 3000 >big.txt
run --stdin big.txt write --file=big.sst --compression_type=zstd \
  --checksum_type=crc32c --format_version=4 --block_size=1024 \
  --block_restart_interval=4 --index_block_restart_interval=2 \
  --bloom_bits=10
expect_rc "write with format options" 0
run scan --file=big.sst
expect_out "scan of 3000 entries equals the input" big.txt
cp out big_scan.txt
run --stdin big_scan.txt write --file=again.sst --checksum_type=1 \
  --format_version=2 --compression_type=snappy
run scan --file=again.sst
expect_out "scan output fed back into write scans the same" big_scan.txt
run --stdin big.txt write --file=xx.sst --checksum_type=kxxHash64
run scan --file=xx.sst --hex
cp out xx_scan.txt
run --stdin xx_scan.txt write --file=xx2.sst --hex
run scan --file=xx2.sst --hex
expect_out "hex scan output fed back into write --hex scans the same" \
  xx_scan.txt

# --- bounds, get -------------------------------------------------------------

sed -n '100,199p' big.txt >range.txt
run scan --file=big.sst --from=key00100 --to=key00200
expect_out "--from inclusive, --to exclusive" range.txt
sed -n '2990,3000p' big.txt >tail.txt
run scan --file=big.sst --from=key02990
expect_out "--from alone" tail.txt
sed -n '1,5p' big.txt >head.txt
run scan --file=big.sst --to=key00006
expect_out "--to alone" head.txt
run scan --file=big.sst --from=key00100a --to=key00102
check "--from between keys starts at the next key" \
  diff <(cut -f1 out) <(echo key00101)
run scan --file=big.sst --from=key00200 --to=key00100
check "--from after --to shows nothing" test ! -s out
run scan --file=big.sst --hex --from="$(printf key00100 | od -An -tx1 |
  tr -d ' \n')" --to="$(printf key00102 | od -An -tx1 | tr -d ' \n')"
check "hex bounds" test "$(wc -l <out)" -eq 2
run scan --file=big.sst --raw --from=key00100 --to=key00102
sed -n '100,101p' big.txt |
  sed 's/\t/\t0\tkTypeValue\t/' >raw_range.txt
expect_out "--raw honours bounds and shows seqno and type" raw_range.txt

run get --file=big.sst --key=key01234
expect_rc "get of a present key" 0
check "get prints the value" grep -qx "value-01234-some filler text 1234" out
run get --file=big.sst --key=key01234x
expect_rc "get of an absent key exits 1" 1
expect_err "... and says so" "not found"
run get --file=plain.sst --key=b
expect_rc "get of an empty value" 0
check "... prints an empty line" test "$(cat out)" = ""
run get --file=plain.sst
expect_rc "get without --key is a usage error" 2

# --- raw entries: deletions and merges -------------------------------------

printf 'a\t0\tkTypeValue\t1\nb\t0\tkTypeDeletion\t\nc\t0\tkTypeMerge\tm\n' \
  >raw.txt
run --stdin raw.txt write --file=raw.sst --raw
expect_rc "write --raw (put, delete, merge)" 0
run scan --file=raw.sst --raw
expect_out "scan --raw shows every entry with seqno and type" raw.txt
run scan --file=raw.sst
check "scan hides the deletion" diff out <(printf 'a\t1\nc\tm\n')
run get --file=raw.sst --key=b
expect_rc "get of a deleted key exits 1" 1
printf 'a\t7\tkTypeValue\t1\n' >seq.txt
run --stdin seq.txt write --file=seq.sst --raw
expect_rc "write --raw with a non-zero seqno" 2
expect_err "... explains why" "sequence number 0"
printf 'a\t0\tkTypeBogus\t1\n' >type.txt
run --stdin type.txt write --file=seq.sst --raw
expect_rc "write --raw with an unknown type" 2
expect_err "... names it" "kTypeBogus"

# --- verify, layout, corruption --------------------------------------------

run verify --file=big.sst
expect_rc "verify a good file" 0
check "verify says OK" grep -q "^OK" out

run layout --file=big.sst
expect_rc "layout of a good file" 0
cp out layout.txt
for kind in data index filter properties metaindex footer; do
  check "layout lists a $kind block" grep -q "^[0-9]* [0-9]* $kind " layout.txt
done
footer_size=$(awk '$3 == "footer" {print $2}' layout.txt)
footer_offset=$(awk '$3 == "footer" {print $1}' layout.txt)
block_bytes=$(awk '!/^#/ && $3 != "footer" {s += $2 + 5} END {print s}' \
  layout.txt)
size=$(file_size big.sst)
check "block sizes + trailers add up to the file size minus the footer" \
  test "$block_bytes" -eq $((size - footer_size))

# --block_align: every data block starts on a 4 KiB page and, with its
# trailer, stays inside it.
run --stdin big.txt write --file=aligned.sst --block_align
expect_rc "write --block_align" 0
run layout --file=aligned.sst
check "--block_align: data blocks start on pages and fit one page" \
  awk '$3 == "data" { n++; if ($1 % 4096 != 0 || $2 + 5 > 4096) exit 1 }
       END { exit n > 10 ? 0 : 1 }' out
run scan --file=aligned.sst
expect_out "--block_align file scans like the input" big.txt
run --stdin big.txt write --file=bad_align.sst --block_align \
  --compression_type=zstd
expect_rc "--block_align with compression is refused" 2
expect_err "... naming the reason" "block_align requires compression none"
check "the footer is the last $footer_size bytes" \
  test "$footer_offset" -eq $((size - footer_size))
check "blocks are contiguous, in file order" \
  awk '!/^#/ { if ($1 != next_offset) exit 1; next_offset = $1 + $2 + 5 }' \
  layout.txt
check "every checksum matches" \
  awk '!/^#/ && $3 != "footer" && $6 != "ok" {exit 1}' layout.txt
check "layout data blocks match the properties" test \
  "$(grep -c '^[0-9]* [0-9]* data ' layout.txt)" -eq \
  "$("$TOOL" props --file=big.sst | sed -n 's/^  # data blocks: //p')"

# Flip one byte inside the third data block.
read -r bad_offset bad_size _ < <(awk '$3 == "data"' layout.txt | sed -n 3p)
cp big.sst flipped.sst
pos=$((bad_offset + bad_size / 2))
orig=$(od -An -tu1 -j "$pos" -N1 flipped.sst | tr -d ' ')
printf "\\$(printf '%03o' $(((orig ^ 0x5a) & 0xff)))" |
  dd of=flipped.sst bs=1 seek="$pos" conv=notrunc status=none
run verify --file=flipped.sst
expect_rc "verify of a file with a flipped data byte exits 3" 3
expect_err "... naming the block offset" "flipped.sst @ $bad_offset+$bad_size"
expect_err "... as a checksum mismatch" "checksum mismatch"
run layout --file=flipped.sst
expect_rc "layout of the flipped file exits 3" 3
check "... and marks that block" \
  grep -q "^$bad_offset $bad_size data .*MISMATCH" out
check "... and still lists every block" test "$(wc -l <out)" -eq \
  "$(wc -l <layout.txt)"
run scan --file=flipped.sst
expect_rc "scan of the flipped file exits 3" 3
expect_err "... naming the block offset" "@ $bad_offset+"

# --- props -----------------------------------------------------------------

run props --file=big.sst
expect_rc "props" 0
cp out props.txt
for label in "Table Properties:" "  # data blocks: " "  # entries: 3000" \
  "  raw key size: 48000" "  SST file compression algo: ZSTD" \
  "  filter policy name: bloomfilter" "  DB identity: SST Writer" \
  "  index block size (user-key? 1, delta-value? 1): " \
  "  # rocksdb.external_sst_file.version: 0x02000000"; do
  check "props shows '$label'" grep -qF -- "$label" props.txt
done
run props --file=raw.sst
check "props counts deletions and merge operands" \
  grep -qx "  # deletions: 1" out
check "... and merge operands" grep -qx "  # merge operands: 1" out

# --- bad inputs: documented exit codes, clear messages, no crash ----------

for cmd in scan verify props layout "get --key=a"; do
  run $cmd --file=missing.sst
  expect_rc "$cmd of a missing file exits 4" 4
  expect_err "... naming the file" "missing.sst"
done
make_input 50 >not_sst.sst
head -c 1000 big.sst >truncated.sst
head -c "$(($(file_size big.sst) - 1))" big.sst >short_by_one.sst
: >empty.sst
for f in not_sst.sst truncated.sst short_by_one.sst empty.sst; do
  for cmd in scan verify props layout "get --key=a"; do
    run $cmd --file=$f
    expect_rc "$cmd of $f exits 3" 3
    expect_err "... naming the file" "$f"
  done
done
run layout --file=.
expect_rc "layout of a directory exits 4" 4

# One flipped byte anywhere (footer, meta blocks, index included) never
# crashes a reader: every subcommand exits 0 or 3.
size=$(file_size big.sst)
crashed=0
for pos in $(seq 0 997 $((size - 1))) $(seq $((size - 60)) 7 $((size - 1))); do
  cp big.sst fuzz.sst
  orig=$(od -An -tu1 -j "$pos" -N1 fuzz.sst | tr -d ' ')
  printf "\\$(printf '%03o' $(((orig ^ 0xff) & 0xff)))" |
    dd of=fuzz.sst bs=1 seek="$pos" conv=notrunc status=none
  for cmd in verify scan props layout "get --key=key00042"; do
    run $cmd --file=fuzz.sst
    if ((RC != 0 && RC != 3 && RC != 1)); then
      fail "$cmd with byte $pos flipped: exit status $RC"
      crashed=1
    fi
  done
done
((crashed == 0)) &&
  ok "a flipped byte anywhere gives exit 0, 1 or 3, never a crash"

cp plain.sst keep.sst
run write --file=keep.sst
expect_rc "write with empty stdin exits 2" 2
expect_err "... and says there are no entries" "no entries"
check "... leaving the existing file untouched" cmp -s keep.sst plain.sst
check "... and no temporary file behind" test -z "$(ls | grep tmp)"
printf 'a\t1\nb\t2\nno tab here\n' >notab.txt
run --stdin notab.txt write --file=keep.sst
expect_rc "a line without a TAB exits 2" 2
expect_err "... naming the line" "line 3: no TAB"
check "... leaving the existing file untouched" cmp -s keep.sst plain.sst
printf 'a\t1\nc\t2\nb\t3\n' >unsorted.txt
run --stdin unsorted.txt write --file=w.sst
expect_rc "unsorted keys exit 2" 2
expect_err "... naming the line and both keys" \
  "line 3: key 'b' is not greater than the key 'c' on line 2"
check "... leaving no file behind" test ! -e w.sst
printf 'a\t1\na\t2\n' >dup.txt
run --stdin dup.txt write --file=w.sst
expect_rc "a duplicate key exits 2" 2
printf '61\t31\n6g\t32\n' >badhex.txt
run --stdin badhex.txt write --file=w.sst --hex
expect_rc "bad hex exits 2" 2
expect_err "... naming the line" "line 2: key is not valid hex"
printf '61\t3\n' >oddhex.txt
run --stdin oddhex.txt write --file=w.sst --hex
expect_rc "odd-length hex exits 2" 2
expect_err "... naming the line" "line 1: value is not valid hex"
run --stdin plain.txt write --file=w.sst --compression_type=lzma
expect_rc "an unknown compression exits 2" 2
expect_err "... listing the valid ones" "valid: none"
expect_err "... zstd among them" "zstd"
run --stdin plain.txt write --file=w.sst --checksum_type=md5
expect_rc "an unknown checksum exits 2" 2
expect_err "... listing the valid ones" "crc32c, xxhash, xxhash64, xxh3"
run --stdin plain.txt write --file=w.sst --format_version=7
expect_rc "an unsupported format_version exits 2" 2
run --stdin plain.txt write --file=w.sst --block_size=abc
expect_rc "a non-numeric flag value exits 2" 2
run scan --file=big.sst --no_such_flag
expect_rc "an unknown flag exits 2" 2
expect_err "... naming it" "--no_such_flag"
run scan --file=big.sst --compression_type=zstd
expect_rc "a flag that does not apply exits 2" 2
run frobnicate --file=big.sst
expect_rc "an unknown subcommand exits 2" 2
run
expect_rc "no subcommand exits 2" 2
run scan
expect_rc "no --file exits 2" 2
run --help
expect_rc "--help exits 0" 0
check "--help documents the exit codes" grep -q "^Exit codes:" out

# --- direct I/O on the real disk --------------------------------------------

make_input 20000 >direct.txt
run --stdin direct.txt write --file=direct.sst \
  --use_direct_io_for_flush_and_compaction \
  --writable_file_max_buffer_size=65536
if ((RC == 4)) && grep -qiE "direct|O_DIRECT|not supported|Not implemented" err
then
  echo "SKIP: direct I/O: the scratch disk refuses O_DIRECT: $(cat err)"
  SKIPS+=("O_DIRECT refused by $W")
else
  expect_rc "write with --use_direct_io_for_flush_and_compaction" 0
  run scan --file=direct.sst --use_direct_reads
  expect_out "scan --use_direct_reads of a direct-written file" direct.txt
  for cmd in verify props layout "get --key=key00042"; do
    run $cmd --file=direct.sst --use_direct_reads
    expect_rc "$cmd --use_direct_reads" 0
  done
  # Evidence that O_DIRECT was really used, where the tools allow it.
  if command -v strace >/dev/null &&
    strace -f -e trace=openat -o strace.txt "$TOOL" scan \
      --file=direct.sst --use_direct_reads >/dev/null 2>&1; then
    check "the direct scan opened the file with O_DIRECT" \
      grep -q '"direct.sst", O_RDONLY|O_DIRECT' strace.txt
    strace -f -e trace=openat -o strace.txt "$TOOL" write --file=d2.sst \
      --use_direct_io_for_flush_and_compaction <direct.txt >/dev/null 2>&1
    check "the direct write opened its file with O_DIRECT" \
      grep -q 'd2.sst.strata_sst-tmp", O_WRONLY.*O_DIRECT' strace.txt
  else
    echo "note: strace unavailable or not permitted;" \
      "O_DIRECT open flags not checked"
  fi
  if command -v fincore >/dev/null &&
    [[ $(stat -f -c %T .) != tmpfs ]]; then
    resident() { fincore --bytes --noheadings --output RES "$1" | tr -d ' '; }
    check "no page of the direct-written file is cached" \
      test "$(resident direct.sst)" -eq 0
    "$TOOL" scan --file=direct.sst --use_direct_reads >/dev/null
    check "a direct scan leaves no page cached" \
      test "$(resident direct.sst)" -eq 0
    "$TOOL" scan --file=direct.sst >/dev/null
    check "a buffered scan does cache pages (the measure works)" \
      test "$(resident direct.sst)" -gt 0
  else
    echo "note: fincore unavailable or tmpfs; page-cache residency not checked"
  fi
fi

# --- props against RocksDB's sst_dump ---------------------------------------

if [[ -n $SST_DUMP && -x $SST_DUMP ]]; then
  for f in big.sst raw.sst hex.sst again.sst; do
    "$TOOL" props --file=$f >ours.txt
    # sst_dump prints two lines strata does not compute.
    "$SST_DUMP" --file=$f --show_properties --command=none 2>&1 |
      sed -n '/^Table Properties:/,$p' |
      grep -v -e '^  unique ID: ' -e '^  Sequence number to time mapping: ' \
        >theirs.txt
    check "props of $f equals sst_dump --show_properties, line for line" \
      diff ours.txt theirs.txt
  done
  for label in "# entries" "# data blocks" "raw key size" "data block size" \
    "SST file compression algo" "filter block size"; do
    ours=$(grep -F "  $label: " props.txt)
    theirs=$("$SST_DUMP" --file=big.sst --show_properties --command=none |
      grep -F "  $label: ")
    if [[ -n $ours && $ours == "$theirs" ]]; then
      ok "props '$label' agrees with sst_dump"
    else
      fail "props '$label': ours '$ours', sst_dump's '$theirs'"
    fi
  done
else
  echo "SKIP: sst_dump not installed; props not compared with RocksDB"
  SKIPS+=("sst_dump missing")
fi

echo
if ((FAILS > 0)); then
  echo "$FAILS check(s) FAILED"
  exit 1
fi
if ((${#SKIPS[@]} > 0)); then
  echo "all run checks passed; SKIPPED: ${SKIPS[*]}"
  exit 77
fi
echo "all checks passed"
