#!/usr/bin/env bash
# Whole-process timings for docs/performance.md: generated trees of N servers over N/10 files
# (nginx, Apache or Caddy), each read in one hyperfine run per size by
#   - `cat` of every file (the floor: bytes from page cache),
#   - `aop-lint --format json` and aop-lint's human report,
#   - the server's own configuration test (`nginx -t`, `apache2 -t`) on a copy of the tree
#     whose certificate and log paths point at files of its own (scripts/peer-tree.sh),
# and, as slow references under a timeout, crossplane's `parse` and gixy-ng (nginx, from
# PyPI in a venv under target/), `caddy validate` and `caddy adapt` (Caddy).
#
#   scripts/bench.sh                 # N = 1000 10000 100000
#   SIZES="1000 10000" scripts/bench.sh
#   SLOW_TIMEOUT=600 scripts/bench.sh   # seconds one slow reference run may take
#   SKIP_SLOW=1 scripts/bench.sh        # no slow references
#   SKIP_SERVER=1 scripts/bench.sh      # no configuration test by the server
#   KIND=apache scripts/bench.sh        # the same sites as an Apache tree
#   KIND=caddy scripts/bench.sh         # the same sites as a Caddyfile importing site files
#   NGINX=/path/to/sbin/nginx           # the nginx for `nginx -t` (the generated tree uses
#                                       # `http2 on`, so 1.25.1 or later; default: the 1.30.4
#                                       # that the tests build under target/servers)
#
# Writes target/bench/results-KIND.md (the table) and target/bench/*.json (hyperfine's raw data).
# hyperfine is needed (apt-get install hyperfine); peak RSS comes from GNU time
# (`/usr/bin/time -f %M`).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES="${SIZES:-1000 10000 100000}"
SLOW_TIMEOUT="${SLOW_TIMEOUT:-1200}"
# SKIP_SLOW=1 leaves out the slow references (they do not change between our builds).
SKIP_SLOW="${SKIP_SLOW:-}"
SKIP_SERVER="${SKIP_SERVER:-}"
NGINX="${NGINX:-$PWD/target/servers/nginx-1.30.4/sbin/nginx}"
KIND="${KIND:-nginx}"
case "$KIND" in
  nginx) MAIN=nginx.conf ;;
  apache) MAIN=apache2.conf ;;
  caddy) MAIN=Caddyfile ;;
  *) echo "bench.sh: KIND is nginx, apache or caddy" >&2; exit 2 ;;
esac
OUT=target/bench
VENV=target/bench-venv
mkdir -p "$OUT"

cargo build --profile profiling --locked -p aop-lint -p aop-gen
LINT="$PWD/target/profiling/aop-lint"
GEN="$PWD/target/profiling/aop-gen"

if [ -z "$SKIP_SLOW" ] && [ "$KIND" = nginx ] && ! "$VENV/bin/pip" show --quiet gixy-ng crossplane >/dev/null 2>&1; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet gixy-ng crossplane
fi
if [ ! -x /usr/bin/time ]; then
  echo "bench.sh: GNU time (/usr/bin/time) is needed for peak RSS: apt-get install time" >&2
  exit 2
fi
HYPERFINE="$(command -v hyperfine || true)"

if [ -z "$HYPERFINE" ]; then
  echo "bench.sh: hyperfine is needed: apt-get install hyperfine" >&2
  exit 2
fi

# One hyperfine run over NAME=COMMAND pairs, after $warm warm-up runs of each: every command of a size is timed in the same run, under the same load.
# Prints "NAME MEDIAN_SECONDS" lines: the median, because the machine is shared and a build
# next door makes outliers.
race() {
  local file=$1 runs=$2 warm=$3; shift 3
  local args=()
  for pair in "$@"; do
    args+=(--command-name "${pair%%=*}" "${pair#*=}")
  done
  "$HYPERFINE" -N -i --style none --warmup "$warm" --runs "$runs" \
    --export-json "$OUT/$file.json" "${args[@]}" >/dev/null
  python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["results"]: print(r["command"], r["median"])' "$OUT/$file.json"
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
  # The server's own test takes seconds at 10k and minutes at 100k: fewer runs there.
  fast_runs=$(( n >= 100000 ? 3 : n >= 10000 ? 10 : 20 ))
  warm_runs=$(( n >= 100000 ? 1 : 2 ))
  slow_runs=$(( n >= 10000 ? 1 : 3 ))

  peer="target/trees/$KIND-$n-peer"
  fast=("cat=xargs -a $OUT/$KIND-files-$n cat"
        "aop-lint=$LINT $tree --format json"
        "aop-lint-human=$LINT $tree --color never")
  if [ -z "$SKIP_SERVER" ]; then
    [ -d "$peer" ] || scripts/peer-tree.sh "$tree" "$peer"
    case "$KIND" in
      nginx)
        if [ -x "$NGINX" ]; then
          fast+=("nginx-t=$NGINX -t -q -p $PWD/$peer -c $PWD/$peer/nginx.conf -e /dev/null")
        else
          echo "bench.sh: no nginx at $NGINX (NGINX=...): nginx -t left out" >&2
        fi ;;
      apache)
        # Debian's apache2.conf takes its paths from the environment its envvars sets.
        set -a; . "$peer/envvars"; set +a
        fast+=("apache2-t=apache2 -t -d $PWD/$peer -f $PWD/$peer/apache2.conf") ;;
    esac
  fi
  declare -A median=()
  while read -r name secs; do median[$name]=$secs; done \
    < <(race "$KIND-$n" "$fast_runs" "$warm_runs" "${fast[@]}")
  cat_s=${median[cat]}
  rows=()
  for pair in "${fast[@]}"; do
    name=${pair%%=*}
    # shellcheck disable=SC2086
    kb=$(peak_rss_kb ${pair#*=})
    rows+=("$name ${median[$name]} $kb")
  done
  if [ "$KIND" = caddy ]; then
    # `caddy adapt` turns the Caddyfile into JSON without loading certificates: Caddy's own
    # reading of the same files; `caddy validate` also loads every certificate.
    read -r adapt_s adapt_kb < <(slow "$slow_runs" caddy adapt --config "$tree/$MAIN" --adapter caddyfile)
    rows+=("caddy-adapt $adapt_s $adapt_kb")
    if [ -z "$SKIP_SERVER" ]; then
      read -r val_s val_kb < <(slow "$slow_runs" caddy validate --config "$PWD/$peer/$MAIN" --adapter caddyfile)
      rows+=("caddy-validate $val_s $val_kb")
    fi
  elif [ "$KIND" = nginx ]; then
    read -r cp_s cp_kb < <(slow "$slow_runs" "$VENV/bin/crossplane" parse "$tree/$MAIN")
    read -r gixy_s gixy_kb < <(slow "$slow_runs" "$VENV/bin/gixy" "$tree/$MAIN")
    rows+=("crossplane $cp_s $cp_kb" "gixy-ng $gixy_s $gixy_kb")
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
