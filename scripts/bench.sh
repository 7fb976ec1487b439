#!/usr/bin/env bash
# Whole-process timings for docs/performance.md: generated nginx trees of N servers over N/10
# files, each read by `cat` (the floor: bytes from page cache), by `aop-lint --format json`,
# by gixy and by crossplane's `parse` (both from PyPI, in a venv under target/).
#
#   scripts/bench.sh                 # N = 1000 10000 100000
#   SIZES="1000 10000" scripts/bench.sh
#   SLOW_TIMEOUT=600 scripts/bench.sh   # seconds one gixy/crossplane run may take
#   SKIP_SLOW=1 scripts/bench.sh        # only cat and aop-lint
#   KIND=apache scripts/bench.sh        # the same sites as an Apache tree
#   KIND=caddy scripts/bench.sh         # the same sites as a Caddyfile importing site files,
#                                       # with `caddy adapt` (reads the Caddyfile) as reference
#
# Writes target/bench/results-KIND.md (the table) and target/bench/*.json (hyperfine's raw data).
# hyperfine is used when installed (apt-get install hyperfine); peak RSS always comes from
# GNU time (`/usr/bin/time -f %M`).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES="${SIZES:-1000 10000 100000}"
SLOW_TIMEOUT="${SLOW_TIMEOUT:-1200}"
# SKIP_SLOW=1 times only cat and aop-lint (the references do not change between our builds).
SKIP_SLOW="${SKIP_SLOW:-}"
# KIND=apache times the Apache tree of the same sites (cat and aop-lint: the references read
# nginx only).
KIND="${KIND:-nginx}"
case "$KIND" in
  nginx) MAIN=nginx.conf ;;
  apache) MAIN=apache2.conf SKIP_SLOW=1 ;;
  caddy) MAIN=Caddyfile ;;
  *) echo "bench.sh: KIND is nginx, apache or caddy" >&2; exit 2 ;;
esac
OUT=target/bench
VENV=target/bench-venv
mkdir -p "$OUT"

cargo build --profile profiling --locked -p aop-lint -p aop-gen
LINT="$PWD/target/profiling/aop-lint"
GEN="$PWD/target/profiling/aop-gen"

if [ -z "$SKIP_SLOW" ] && [ "$KIND" = nginx ] && { [ ! -x "$VENV/bin/gixy" ] || [ ! -x "$VENV/bin/crossplane" ]; }; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet gixy crossplane
fi
if [ ! -x /usr/bin/time ]; then
  echo "bench.sh: GNU time (/usr/bin/time) is needed for peak RSS: apt-get install time" >&2
  exit 2
fi
HYPERFINE="$(command -v hyperfine || true)"

# median seconds of a command over $runs runs (after two warm-up runs when there are more):
# the median, because the machine is shared and a build next door makes outliers.
mean_seconds() {
  local name=$1 runs=$2; shift 2
  if [ -n "$HYPERFINE" ]; then
    local warm=$(( runs > 1 ? 2 : 0 ))
    "$HYPERFINE" -N -i --style none --warmup "$warm" --runs "$runs" \
      --export-json "$OUT/$name.json" -- "$(printf '%q ' "$@")" >/dev/null
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$OUT/$name.json"
  else
    "$@" >/dev/null 2>&1 || true
    local start end
    start=$(date +%s.%N)
    for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1 || true; done
    end=$(date +%s.%N)
    python3 -c "print(($end - $start) / $runs)"
  fi
}

peak_rss_kb() {
  /usr/bin/time -f %M -o "$OUT/rss" "$@" >/dev/null 2>&1 || true
  tail -n1 "$OUT/rss"
}

# A slow reference runs $runs times under GNU time and a timeout (no warm-up: each run takes
# seconds to minutes); prints mean seconds and peak RSS, or "timeout timeout".
slow() {
  local runs=$1; shift
  if [ -n "$SKIP_SLOW" ]; then
    echo "skipped skipped"
    return
  fi
  local total=0 peak=0 secs kb
  for _ in $(seq "$runs"); do
    rm -f "$OUT/slow"
    if ! timeout "$SLOW_TIMEOUT" /usr/bin/time -f '%e %M' -o "$OUT/slow" "$@" >/dev/null 2>&1; then
      if [ "$(wc -l <"$OUT/slow")" -lt 1 ] || grep -q 'signal' "$OUT/slow"; then
        echo "timeout timeout"
        return
      fi
    fi
    read -r secs kb < <(tail -n1 "$OUT/slow")
    total=$(python3 -c "print($total + $secs)")
    peak=$(( kb > peak ? kb : peak ))
  done
  echo "$(python3 -c "print($total / $runs)") $peak"
}

RESULTS="$OUT/results-$KIND.md"
printf '| servers | files | tree MB | tool | time (s) | peak RSS (MB) | time / cat | RSS / tree |\n' >"$RESULTS"
printf '|---:|---:|---:|---|---:|---:|---:|---:|\n' >>"$RESULTS"
for n in $SIZES; do
  files=$(( n / 10 ))
  tree="target/trees/$KIND-$n"
  if [ ! -f "$tree/$MAIN" ]; then
    "$GEN" --kind "$KIND" --servers "$n" --files "$files" "$tree" >/dev/null
  fi
  find "$tree" -type f | sort >"$OUT/$KIND-files-$n"
  bytes=$(xargs -a "$OUT/$KIND-files-$n" cat | wc -c)
  fast_runs=$(( n >= 100000 ? 5 : 20 ))
  slow_runs=$(( n >= 10000 ? 1 : 3 ))

  cat_s=$(mean_seconds "$KIND-cat-$n" "$fast_runs" xargs -a "$OUT/$KIND-files-$n" cat)
  cat_kb=$(peak_rss_kb xargs -a "$OUT/$KIND-files-$n" cat)
  ours_s=$(mean_seconds "$KIND-aop-lint-$n" "$fast_runs" "$LINT" "$tree" --format json)
  ours_kb=$(peak_rss_kb "$LINT" "$tree" --format json)
  rows=("cat $cat_s $cat_kb" "aop-lint $ours_s $ours_kb")
  if [ "$KIND" = caddy ]; then
    # `caddy adapt` turns the Caddyfile into JSON without loading certificates: Caddy's own
    # reading of the same files.
    read -r adapt_s adapt_kb < <(slow "$slow_runs" caddy adapt --config "$tree/$MAIN" --adapter caddyfile)
    rows+=("caddy-adapt $adapt_s $adapt_kb")
  else
    read -r cp_s cp_kb < <(slow "$slow_runs" "$VENV/bin/crossplane" parse "$tree/$MAIN")
    read -r gixy_s gixy_kb < <(slow "$slow_runs" "$VENV/bin/gixy" "$tree/$MAIN")
    rows+=("crossplane $cp_s $cp_kb" "gixy $gixy_s $gixy_kb")
  fi

  for row in "${rows[@]}"; do
    # shellcheck disable=SC2086
    set -- $row
    python3 - "$n" "$files" "$bytes" "$cat_s" "$@" >>"$RESULTS" <<'PY'
import sys
n, files, size, cat_s, tool, secs, kb = sys.argv[1:]
size = int(size)
def num(x):
    try: return float(x)
    except ValueError: return None
t, k = num(secs), num(kb)
cells = [n, files, f"{size / 1e6:.1f}", tool,
         f"{t:.3f}" if t is not None else secs,
         f"{k / 1024:.1f}" if k is not None else "-",
         f"{t / float(cat_s):.1f}x" if t is not None else "-",
         f"{k * 1024 / size:.1f}x" if k is not None else "-"]
print("| " + " | ".join(cells) + " |")
PY
  done
  echo "done: $n servers" >&2
done
cat "$RESULTS"
