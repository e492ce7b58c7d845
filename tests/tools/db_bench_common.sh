# Helpers shared by the db_bench test scripts (sourced, not run).
# Expects TOOL (the db_bench binary) and a working directory holding the
# scratch files; sets FAILS.

FAILS=0
# RocksDB db_bench's result line, as parsers of its output read it.
RESULT_RE='^(\S+)\s+:\s+([0-9.]+) micros/op ([0-9]+) ops/sec ([0-9.]+) seconds ([0-9]+) operations;'

# run ARGS...: runs the tool; sets RC, leaves out and err.
run() {
  "$TOOL" "$@" >out 2>err
  RC=$?
  if grep -qE "Sanitizer|runtime error:" err; then
    fail "sanitizer report from: $*"
  fi
}

fail() {
  echo "FAIL: $*"
  echo "  command exit status: ${RC:-?}"
  echo "  stderr: $(tr '\r' '\n' <err 2>/dev/null | grep -v '^\.\.\. ' | head -c 600)"
  FAILS=$((FAILS + 1))
}

ok() { echo "ok:   $*"; }

expect_rc() {
  if ((RC >= 128)); then
    fail "$1: killed by a signal (status $RC)"
  elif [[ $RC != "$2" ]]; then
    fail "$1: exit status $RC, want $2"
  else
    ok "$1"
  fi
}

expect_err() {
  if grep -qF -- "$2" err; then ok "$1"; else fail "$1: stderr lacks '$2'"; fi
}

expect_no_err() {
  if grep -qF -- "$2" err; then fail "$1: stderr has '$2'"; else ok "$1"; fi
}

# expect_result NAME BENCH: stdout has a result line for BENCH in RocksDB's
# grammar, with a positive operation count.
expect_result() {
  local line
  line=$(grep -P "^$2\s+:" out | head -1)
  if [[ -z $line ]]; then
    fail "$1: no result line for $2"
  elif ! grep -qP "$RESULT_RE" <<<"$line"; then
    fail "$1: result line does not parse: $line"
  elif [[ $(sed -E 's/.* ([0-9]+) operations;.*/\1/' <<<"$line") -lt 1 ]]; then
    fail "$1: no operations: $line"
  else
    ok "$1"
  fi
}

check() {
  local name=$1
  shift
  if "$@"; then ok "$name"; else fail "$name"; fi
}
