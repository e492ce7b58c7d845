#!/usr/bin/env bash
# Runs a libFuzzer target on a scratch copy of a committed corpus, so that
# the new inputs libFuzzer saves never land in the source tree.
#
#   run_corpus.sh <fuzzer> <committed corpus dir> <scratch dir> [flags...]
#
# <scratch dir> is emptied, then gets corpus/ (the copy libFuzzer grows) and
# artifacts/ (crash-*, leak-*, timeout-*, oom-* inputs: keep them). The exit
# status is the fuzzer's: 0 when no crash was found.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 <fuzzer> <corpus dir> <scratch dir> [libFuzzer flags...]" >&2
  exit 2
fi
fuzzer=$(realpath "$1")
corpus=$(realpath "$2")
rm -rf "$3"
mkdir -p "$3/corpus" "$3/artifacts"
scratch=$(realpath "$3")
shift 3

cp -- "$corpus"/* "$scratch/corpus/"
echo "corpus: $(find "$scratch/corpus" -type f | wc -l) files copied from $corpus"
echo "crash inputs, if any, go to $scratch/artifacts/"
cd "$scratch"
exec "$fuzzer" -artifact_prefix="$scratch/artifacts/" "$@" "$scratch/corpus"
