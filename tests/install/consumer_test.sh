#!/usr/bin/env bash
# Installs strata from a build tree into a scratch prefix, then builds and runs
# a separate consumer project against it twice: with find_package(strata) and
# with pkg-config.
#   consumer_test.sh <build dir> <consumer source dir> <work dir>
set -euo pipefail
build=$1
src=$2
work=$3
rm -rf "$work"
mkdir -p "$work"
prefix="$work/prefix"

echo "== cmake --install $build --prefix $prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
test -f "$prefix/include/strata/status.h"
lib=$(find "$prefix" -name libstrata.a | head -n1)
test -n "$lib" || { echo "libstrata.a was not installed"; exit 1; }
pc_dir=$(dirname "$(find "$prefix" -name strata.pc | head -n1)")
test -f "$pc_dir/strata.pc" || { echo "strata.pc was not installed"; exit 1; }
test -n "$(find "$prefix" -name strataConfig.cmake)" ||
  { echo "strataConfig.cmake was not installed"; exit 1; }

echo "== find_package(strata)"
cmake -S "$src" -B "$work/cmake-build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  > "$work/configure.log"
cmake --build "$work/cmake-build" > "$work/build.log"
"$work/cmake-build/consumer" "$work/data-cmake"

echo "== pkg-config strata"
export PKG_CONFIG_PATH="$pc_dir"
# shellcheck disable=SC2046
c++ $(pkg-config --cflags strata) "$src/main.cc" -o "$work/consumer-pc" \
  $(pkg-config --libs strata)
"$work/consumer-pc" "$work/data-pc"
echo "consumer project OK"
