#!/usr/bin/env bash
# Short fuzz run of every target in fuzz/ (cargo-fuzz, libFuzzer, nightly), each seeded from
# the fixtures. A crash fails the script and leaves its input under fuzz/artifacts/TARGET/:
# turn it into a regression test before fixing it.
#
#   scripts/fuzz.sh                    # 60 s per target
#   FUZZ_SECONDS=600 scripts/fuzz.sh   # longer, on a quiet machine
#   scripts/fuzz.sh nginx_parse        # one target
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS="${FUZZ_SECONDS:-60}"

if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

# Seeds per target kind; the fuzzer's own finds stay in fuzz/corpus between runs (ignored by git).
seeds() {
  case "$1" in
    nginx_*) find fixtures/nginx -type f -name '*.conf' ;;
    apache_*) find fixtures/apache -type f \( -name '*.conf' -o -name '*.load' \) 2>/dev/null || true ;;
    pki_* | ca_*) { find fixtures -type f \( -name '*.pem' -o -name '*.crt' -o -name '*.der' \); find fixtures/pki -type f 2>/dev/null; } | sort -u ;;
  esac
}

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(cd fuzz && cargo +nightly fuzz list)
fi

for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus"
  while IFS= read -r f; do
    cp "$f" "$corpus/seed-$(echo "$f" | tr '/' '_')"
  done < <(seeds "$target")
  echo "== $target: ${FUZZ_SECONDS}s, $(find "$corpus" -type f | wc -l) inputs in the corpus" >&2
  # -timeout: one input taking more than 10 s is a hang, reported like a crash.
  (cd fuzz && cargo +nightly fuzz run "$target" "corpus/$target" -- \
    -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1)
done
