#!/usr/bin/env bash
# Builds target/debian/aop-lint_VERSION-1_ARCH.deb with cargo-deb (`cargo install cargo-deb`)
# from [package.metadata.deb] in Cargo.toml. The package's maintainer is whoever builds it:
#   DEB_MAINTAINER="Name <address>" scripts/build-deb.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DEB_MAINTAINER:?set DEB_MAINTAINER to \"Name <address>\" of whoever maintains this package}"
cargo build --release --locked --features post-handshake-auth
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
scripts/deb-assets.sh "$target/release/aop-lint" "$target/release/deb-assets"
cargo deb --no-build --maintainer "$DEB_MAINTAINER"
