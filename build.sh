#!/usr/bin/env bash
# strata's entry point: the two README quick-start commands.
#
#   ./build.sh run    install missing packages, build Release, run the main job:
#                     db_bench's default workload (RocksDB's defaults: 1M keys,
#                     16-byte keys, 100-byte values) in a scratch directory on
#                     the real disk, with strata's I/O report
#   ./build.sh test   install missing packages, build the normal (assertions on)
#                     and the AddressSanitizer+UBSan trees, run the whole suite
#                     through ctest, then build the clang libFuzzer tree and
#                     fuzz the SST reader for about a minute from the
#                     committed corpus
#
# Works as root (no sudo needed) and as a user with sudo. Only Debian 12
# packages are used; nothing is downloaded from anywhere else.
set -euo pipefail
cd "$(dirname "$0")"

BUILD_PACKAGES=(cmake ninja-build g++ pkg-config libzstd-dev libxxhash-dev
  libgflags-dev libgtest-dev libgmock-dev libbenchmark-dev libsnappy-dev
  liblz4-dev)
# Test-only: RocksDB 7.8.3 as the compatibility reference, util-linux for
# fincore, clang and its runtime for the fuzz targets, python3 to check
# db_bench's --report_json output.
TEST_PACKAGES=(librocksdb-dev rocksdb-tools util-linux clang libclang-rt-14-dev
  python3)
JOBS=${JOBS:-$(nproc)}

log() { printf '\n=== %s\n' "$*"; }

install_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null ||
      { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  log "installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

configure_and_build() {  # <build dir> <cmake args...>
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@" > /dev/null
  cmake --build "$dir" -j "$JOBS"
}

cmd_run() {
  install_packages "${BUILD_PACKAGES[@]}"
  log "building Release in build/release"
  configure_and_build build/release -DCMAKE_BUILD_TYPE=Release \
    -DSTRATA_BUILD_TESTS=OFF -DSTRATA_BUILD_BENCHMARKS=OFF
  local scratch
  scratch="$(pwd)/build/release/scratch/main-job"
  rm -rf "$scratch"
  mkdir -p "$scratch"
  local benchmarks=fillseq,fillrandom,overwrite,readrandom,readseq,seekrandom
  benchmarks+=,compact,readrandom,stats
  # Both direct options on, so every SST byte moves with O_DIRECT and the
  # I/O report (on by default with a direct option) shows it.
  local flags=(--benchmarks="$benchmarks" --db="$scratch/db"
    --use_direct_reads=true --use_direct_io_for_flush_and_compaction=true)
  log "main job: db_bench ${flags[*]}"
  build/release/db_bench/db_bench "${flags[@]}"
}

cmd_test() {
  install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  local start=$SECONDS
  log "normal build (RelWithDebInfo, assertions on) in build/test"
  configure_and_build build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSTRATA_ASSERTIONS=ON -DSTRATA_WERROR=ON
  log "all tests, normal build"
  local rc=0
  ctest --test-dir build/test --output-on-failure -j "$JOBS" || rc=$?
  # The option matrix's table (written by ctest's matrix.Table after the
  # last row, pass or fail), so that the log shows every combination.
  if [ -f build/test/option_matrix.md ]; then
    log "option matrix (tests/matrix; docs/option_matrix.md explains it)"
    cat build/test/option_matrix.md
  fi
  [ "$rc" -eq 0 ] || exit "$rc"

  log "AddressSanitizer + UndefinedBehaviorSanitizer build in build/asan"
  configure_and_build build/asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSTRATA_ASSERTIONS=ON -DSTRATA_WERROR=ON -DSTRATA_SANITIZE=ON \
    -DSTRATA_BUILD_BENCHMARKS=OFF -DSTRATA_BUILD_TOOLS=OFF
  log "unit tests (label 'unit'), sanitizer build"
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    ctest --test-dir build/asan -L unit --output-on-failure -j "$JOBS"

  log "libFuzzer build (clang, fuzzer + ASan + UBSan instrumentation) in build/fuzz"
  CC=clang CXX=clang++ configure_and_build build/fuzz \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRATA_ASSERTIONS=ON -DSTRATA_WERROR=ON \
    -DSTRATA_BUILD_FUZZERS=ON -DSTRATA_BUILD_BENCHMARKS=OFF \
    -DSTRATA_BUILD_TOOLS=OFF
  log "fuzz targets from the committed corpus (label 'fuzz'), about a minute"
  ctest --test-dir build/fuzz -L fuzz --output-on-failure
  log "test command finished in $((SECONDS - start)) s"
}

case "${1:-}" in
  run) cmd_run ;;
  test) cmd_test ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac
