#!/usr/bin/env bash
# Rewrites the release front end's precompressed `.gz` files at gzip's best level.
#
# `cargo leptos build --precompress` writes them at a fast level: the WASM's `.gz` came to
# 454,237 B where `gzip -9` makes 384,152 B, so a browser that takes gzip but not brotli
# downloaded 70 KB more than the size budget (`check-bundle.sh`) measured. `-n` leaves the name
# and time out of the header, so the same build gives the same bytes.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
shopt -s nullglob
count=0
for gz in "$root"/target/site/pkg/*.gz; do
  source="${gz%.gz}"
  [ -f "$source" ] || continue
  gzip -9 -n -c "$source" > "$gz.tmp"
  mv "$gz.tmp" "$gz"
  count=$((count + 1))
done
echo "recompressed $count .gz files at gzip -9"
