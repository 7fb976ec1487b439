#!/usr/bin/env bash
# Makes a copy of a generated tree that the real server can check (`nginx -t`, `apache2 -t`,
# `caddy validate`): the generator writes Debian's absolute paths (/etc/ssl/sites, /var/log/...),
# which a configuration test opens or creates, so the copy points them at files of its own.
# Every site gets the same self-signed certificate through a link of its own name, so the test
# still opens one certificate and key per site as it would on a real origin (symbolic links:
# ext4 allows a file 65,000 hard links, fewer than the sites of a 100k tree).
#
#   scripts/peer-tree.sh TREE PEER     # PEER is rewritten from scratch
set -euo pipefail
tree=$(realpath "$1")
peer=$2
rm -rf "$peer"
mkdir -p "$peer"
peer=$(realpath "$peer")
cp -r "$tree/." "$peer/"
mkdir -p "$peer/ssl" "$peer/log" "$peer/logs" "$peer/run" "$peer/lock"

# One key and certificate for every name; openssl is on every machine that has the servers.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
  -subj /CN=bench.example -keyout "$peer/ssl/site.key" -out "$peer/ssl/site.pem" 2>/dev/null

find "$peer" -type f \( -name '*.conf' -o -name 'Caddyfile' -o -name envvars \) -print0 |
  xargs -0 sed -i \
    -e "s#/etc/ssl/sites/#$peer/ssl/#g" \
    -e "s#/etc/ssl/private/#$peer/ssl/#g" \
    -e "s#/etc/ssl/certs/ssl-cert-snakeoil.pem#$peer/ssl/site.pem#g" \
    -e "s#/etc/ssl/private/ssl-cert-snakeoil.key#$peer/ssl/site.key#g" \
    -e "s#/var/log/nginx/#$peer/log/#g" \
    -e "s#/var/log/caddy/#$peer/log/#g" \
    -e "s#/var/log/apache2#$peer/log#g" \
    -e "s#/var/run/apache2#$peer/run#g" \
    -e "s#/var/lock/apache2#$peer/lock#g" \
    -e "s#/etc/apache2#$peer#g" \
    -e "s#/run/nginx.pid#$peer/run/nginx.pid#g" \
    -e "s#pem_file certs/#pem_file $peer/certs/#g" \
    -e "s#^user www-data;##"

# The names the sites ask for, each a hard link to the one certificate or key.
# Caddy's sites name theirs through the snippet's argument: `import origin_pull NAME`.
{
  grep -rhoE "$peer/ssl/[A-Za-z0-9.-]+\.(pem|key)" "$peer" || true
  grep -rhoE "import origin_pull [A-Za-z0-9.-]+" "$peer" |
    awk -v d="$peer/ssl" '{ print d "/" $3 ".pem"; print d "/" $3 ".key" }' || true
} | sort -u | while read -r f; do
  case "$f" in
    */site.pem | */site.key) ;;
    *.pem) ln -sf site.pem "$f" ;;
    *.key) ln -sf site.key "$f" ;;
  esac
done
