#!/usr/bin/env bash
# Writes what the Debian package installs beside the binary, made by the binary itself so
# they always describe it: the manual page (compressed, as Debian's policy asks) and the bash,
# zsh and fish completions.
# Usage: scripts/deb-assets.sh BINARY OUTDIR
set -euo pipefail
bin=${1:?usage: deb-assets.sh BINARY OUTDIR}
out=${2:?usage: deb-assets.sh BINARY OUTDIR}
mkdir -p "$out"
"$bin" man | gzip -9n >"$out/aop-lint.1.gz"
"$bin" completions bash >"$out/aop-lint.bash"
"$bin" completions zsh >"$out/_aop-lint"
"$bin" completions fish >"$out/aop-lint.fish"
