#!/usr/bin/env bash
# Fuzz run of every target in fuzz/ (cargo-fuzz, libFuzzer), each seeded from the fixtures
# and given the dictionary of its input kind. It runs on the project's pinned toolchain
# (rust-toolchain.toml): RUSTC_BOOTSTRAP=1 lets that stable compiler take the -Z flags
# cargo-fuzz passes, so no nightly toolchain is needed. Inputs are built with the address
# sanitizer when the toolchain ships its runtime (else without a sanitizer), and with
# debug assertions, so an arithmetic overflow is a crash too.
#
#   scripts/fuzz.sh                    # every target, 60 s each
#   FUZZ_SECONDS=600 scripts/fuzz.sh   # longer, on a quiet machine
#   scripts/fuzz.sh nginx_parse        # one target
#   scripts/fuzz.sh --build-only       # install cargo-fuzz if needed and build the targets
#
# Environment: FUZZ_SECONDS (per target, default 60), FUZZ_SANITIZER (address|none, default:
# address when its runtime is there), FUZZ_TIMEOUT (seconds one input may take before it
# counts as a hang, default 10), FUZZ_RSS_MB (memory cap, default 2048), FUZZ_ARGS (more
# libFuzzer options; for a long run that keeps going past a crash and collects every one:
# FUZZ_ARGS="-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1").
#
# A crash, a hang (an input running past FUZZ_TIMEOUT), running out of memory, or a fuzzer
# that sees no coverage (not instrumented) fails the script; the input that did it is kept
# under fuzz/artifacts/TARGET/ and its path printed: turn it into a regression test beside
# the code it broke, then fix the code. Each run's libFuzzer log is in fuzz/logs/TARGET.log,
# and a table of executions, speed and coverage closes the run.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
FUZZ_TIMEOUT="${FUZZ_TIMEOUT:-10}"
FUZZ_RSS_MB="${FUZZ_RSS_MB:-2048}"
build_only=false
targets=()
for arg in "$@"; do
  case "$arg" in
    --build-only) build_only=true ;;
    -*) echo "fuzz: unknown option $arg" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
  esac
done

# Only the fuzz build sees it: the project itself builds as plain stable.
export RUSTC_BOOTSTRAP=1

# cargo-fuzz, from crates.io, kept under target/ci-tools between runs.
tools="$PWD/target/ci-tools"
export PATH="$tools/bin:$PATH"
if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION into $tools" >&2
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$tools" --quiet
fi

host="$(rustc -vV | sed -n 's/^host: //p')"
if [ -z "${FUZZ_SANITIZER:-}" ]; then
  if compgen -G "$(rustc --print sysroot)/lib/rustlib/$host/lib/librustc-*_rt.asan.a" >/dev/null; then
    FUZZ_SANITIZER=address
  else
    echo "fuzz: no address sanitizer runtime in the $host toolchain: fuzzing without one" >&2
    FUZZ_SANITIZER=none
  fi
fi
build_flags=(--sanitizer "$FUZZ_SANITIZER" --debug-assertions)

if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi

start=$SECONDS
echo "fuzz: building ${targets[*]} ($(rustc --version), sanitizer $FUZZ_SANITIZER)" >&2
for target in "${targets[@]}"; do
  cargo fuzz build "${build_flags[@]}" "$target"
done
echo "fuzz: built in $((SECONDS - start)) s" >&2
if $build_only; then
  exit 0
fi

# Seeds per target kind; the fuzzer's own finds stay in fuzz/corpus between runs (ignored by git).
seeds() {
  case "$1" in
    nginx_*) find fixtures/nginx -type f -name '*.conf' ;;
    apache_*) find fixtures/apache -type f \( -name '*.conf' -o -name '*.load' \) ;;
    ca_*) find fixtures -type f \( -name '*.pem' -o -name '*.crt' -o -name '*.der' \) ;;
    caddy_json_*) find fixtures/caddy -type f -name '*.json' ;;
    caddy_*) find fixtures/caddy -type f -name 'Caddyfile*' ;;
  esac
}
# `nginx -T` dumps of the nginx fixture trees, as if each lived in /etc/nginx: the main file
# first, then every other file of the tree.
dump_seeds() {
  local dir f
  for dir in fixtures/nginx/*; do
    [ -f "$dir/nginx.conf" ] || continue
    {
      echo "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok"
      for f in nginx.conf $(cd "$dir" && find . -type f -name '*.conf' ! -path ./nginx.conf | sort); do
        f="${f#./}"
        printf '# configuration file /etc/nginx/%s:\n' "$f"
        cat "$dir/$f"
        echo
      done
    } >"$1/seed-dump-$(basename "$dir")"
  done
  # A comment that reads like nginx's marker inside a file (docs/robustness.md).
  printf '# configuration file /etc/nginx/nginx.conf:\nhttp {\n    include /etc/nginx/a.conf;\n}\n\n# configuration file /etc/nginx/a.conf:\n# configuration file /etc/nginx/notes.conf:\nserver { listen 80; return 200 "x"; }\n\n' \
    >"$1/seed-dump-marker-comment"
}
dict() {
  case "$1" in
    nginx_*) echo fuzz/dicts/nginx.dict ;;
    apache_*) echo fuzz/dicts/apache.dict ;;
    ca_*) echo fuzz/dicts/pem.dict ;;
    caddy_json_*) echo fuzz/dicts/caddy-json.dict ;;
    caddy_*) echo fuzz/dicts/caddy.dict ;;
  esac
}

# The last libFuzzer status line's value of FIELD (`cov:`, `ft:`, `corp:`), or of a stat.
status_field() { { grep -E '^#[0-9]+' "$1" | grep -oE "$2 [0-9]+" | tail -n1 | awk '{print $2}'; } || true; }
first_field() { { grep -E '^#[0-9]+.*(INITED|: cov:)' "$1" | grep -oE "$2 [0-9]+" | head -n1 | awk '{print $2}'; } || true; }
stat_value() { sed -n "s/^stat::$2: *//p" "$1" | tail -n1; }

mkdir -p fuzz/logs
failed=()
summary=()
for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  artifacts="fuzz/artifacts/$target"
  log="fuzz/logs/$target.log"
  mkdir -p "$corpus" "$artifacts"
  while IFS= read -r f; do
    cp "$f" "$corpus/seed-$(echo "$f" | tr '/' '_')"
  done < <(seeds "$target" | sort)
  if [ "$target" = nginx_dump ]; then
    dump_seeds "$corpus"
  fi
  if [ "$target" = confine ]; then
    # Paths as configurations write them, including the escapes that worked before.
    for p in /etc/nginx/sites-enabled/a ../../../etc/passwd /../../x etc/nginx/up/x \
      /etc/nginx/top/etc/shadow /etc/nginx/parent/parent/x /loop-a/x /etc/nginx/conf/a; do
      printf '%s' "$p" >"$corpus/seed-path-$(printf '%s' "$p" | tr '/.' '_-')"
    done
  fi
  before="$(find "$artifacts" -type f | sort)"
  args=(-max_total_time="$FUZZ_SECONDS" -timeout="$FUZZ_TIMEOUT" -rss_limit_mb="$FUZZ_RSS_MB"
    -max_len=65536 -print_final_stats=1)
  d="$(dict "$target")"
  [ -n "$d" ] && args+=(-dict="$PWD/$d")
  # shellcheck disable=SC2206 # options split on spaces, as written
  args+=(${FUZZ_ARGS:-})
  echo "== $target: ${FUZZ_SECONDS} s, $(find "$corpus" -type f | wc -l) inputs in the corpus, log $log" >&2
  status=0
  cargo fuzz run "${build_flags[@]}" "$target" "$corpus" -- "${args[@]}" >"$log" 2>&1 || status=$?
  found="$(comm -13 <(echo "$before") <(find "$artifacts" -type f | sort) | sed '/^$/d')"
  cov="$(status_field "$log" cov:)"
  if [ "$status" -ne 0 ] || [ -n "$found" ]; then
    echo "fuzz: $target FAILED (exit $status); from its log ($log):" >&2
    { grep -vE '^#[0-9]+' "$log" | grep -E -A10 "ERROR|panicked|^thread '|^SUMMARY" ||
      tail -n 30 "$log"; } | head -n 40 >&2
    if [ -n "$found" ]; then
      while IFS= read -r f; do
        echo "fuzz: $target: failing input saved at $f" >&2
        echo "fuzz:   reproduce: RUSTC_BOOTSTRAP=1 cargo fuzz run ${build_flags[*]} $target $f" >&2
      done <<<"$found"
    fi
    failed+=("$target")
  elif [ "${cov:-0}" -eq 0 ] || grep -q 'no interesting inputs were found' "$log"; then
    echo "fuzz: $target saw no coverage: the target is not instrumented" >&2
    failed+=("$target")
  fi
  execs="$(stat_value "$log" number_of_executed_units)"
  speed="$(stat_value "$log" average_exec_per_sec)"
  if [ -z "$execs" ]; then
    # -fork prints no final stats: its last status line counts the executions.
    execs="$({ grep -E '^#[0-9]+: ' "$log" | tail -n1 | grep -oE '^#[0-9]+' | tr -d '#'; } || true)"
    [ -n "$execs" ] && speed=$((execs / FUZZ_SECONDS))
  fi
  rss="$(stat_value "$log" peak_rss_mb)"
  summary+=("$(printf '%-13s %10s %8s %7s -> %-7s %7s -> %-7s %6s %7s' "$target" "${execs:-?}" \
    "${speed:-?}" "$(first_field "$log" cov:)" "${cov:-?}" "$(first_field "$log" ft:)" \
    "$(status_field "$log" ft:)" "$(status_field "$log" corp:)" "${rss:-?}")")
done

echo >&2
printf '%-13s %10s %8s %18s %18s %6s %7s\n' target execs exec/s "cov (start -> end)" \
  "ft (start -> end)" corpus rss_mb >&2
printf '%s\n' "${summary[@]}" >&2
echo "fuzz: ${#targets[@]} targets, ${FUZZ_SECONDS} s each, $((SECONDS - start)) s in all with the build" >&2
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
