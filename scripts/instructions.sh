#!/usr/bin/env bash
# The regression guard of docs/performance.md: instructions executed by
# `aop-lint --format json` over the generated 10k trees (nginx and Apache), counted by
# valgrind's cachegrind without cache simulation. A count does not move with the machine's
# load the way a time does; a change that makes a run slower by more than the margin fails.
#
#   scripts/instructions.sh                         # counts both trees, checks the limits
#   LIMIT_NGINX=1560 LIMIT_APACHE=1840 scripts/instructions.sh   # limits in millions
#
# The limits are the figures of docs/performance.md plus about 10 %; lower them with the
# figures when a change makes the run cheaper.
set -euo pipefail
cd "$(dirname "$0")/.."

LIMIT_NGINX="${LIMIT_NGINX:-1560}"
LIMIT_APACHE="${LIMIT_APACHE:-1840}"
if ! command -v valgrind >/dev/null; then
  echo "instructions.sh: valgrind is needed: apt-get install valgrind" >&2
  exit 2
fi

cargo build --profile profiling --locked -p aop-lint -p aop-gen
LINT="$PWD/target/profiling/aop-lint"
GEN="$PWD/target/profiling/aop-gen"
OUT=target/bench
mkdir -p "$OUT"

status=0
for kind in nginx apache; do
  case "$kind" in
    nginx) main=nginx.conf limit=$LIMIT_NGINX ;;
    apache) main=apache2.conf limit=$LIMIT_APACHE ;;
  esac
  tree="target/trees/$kind-10000"
  if [ ! -f "$tree/$main" ]; then
    "$GEN" --kind "$kind" --servers 10000 --files 1000 "$tree" >/dev/null
  fi
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    "$LINT" "$tree" --format json >/dev/null 2>"$OUT/instructions-$kind.log" || true
  count=$(sed -n 's/.*I *refs: *//p' "$OUT/instructions-$kind.log" | tr -d ',')
  if [ -z "$count" ]; then
    echo "instructions.sh: no count for $kind (see $OUT/instructions-$kind.log)" >&2
    exit 2
  fi
  millions=$(( count / 1000000 ))
  if [ "$millions" -gt "$limit" ]; then
    echo "$kind 10k: $millions M instructions, over the limit of $limit M" >&2
    status=1
  else
    echo "$kind 10k: $millions M instructions (limit $limit M)"
  fi
done
exit "$status"
