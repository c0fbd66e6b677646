#!/usr/bin/env bash
# Refresh the JavaScript that the static site needs to show ipywidgets offline.
# It fetches pinned packages from the npm registry (never a CDN) and copies the two
# files the pages load, with their licences, into book/_extra/vendor/, which Sphinx
# copies to the site root through `html_extra_path` (NOT _static/: Jupyter Book 1
# auto-includes every .js under _static/ on every page, which loads the widget
# manager twice and renders every widget twice).
#
# Usage: tools/vendor_js.sh   (then commit book/_extra/vendor and rebuild)
set -euo pipefail
HTML_MANAGER_VERSION=1.0.15   # @jupyter-widgets/html-manager, matches ipywidgets 8
REQUIREJS_VERSION=2.3.8

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/book/_extra/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "@jupyter-widgets/html-manager@$HTML_MANAGER_VERSION" "requirejs@$REQUIREJS_VERSION" >/dev/null
mkdir hm rq
tar -xzf jupyter-widgets-html-manager-*.tgz -C hm
tar -xzf requirejs-*.tgz -C rq
rm -rf "$dest"; mkdir -p "$dest"
# The bundle, and the icon fonts (woff2, ttf: what current browsers fetch) that it loads
# relative to its AMD module paths. RequireJS's baseUrl is set to vendor/ by
# book/_extra/widgets-baseurl.js; depending on which module loads its CSS first, the fonts
# are looked up next to "@jupyter-widgets/" or "@jupyter-widgets/html-manager/dist/", so
# they are copied to both.
cp hm/package/dist/embed-amd.js hm/package/dist/embed.js.LICENSE.txt "$dest/"
for fonts in "$dest/@jupyter-widgets" "$dest/@jupyter-widgets/html-manager/dist"; do
  mkdir -p "$fonts"
  cp hm/package/dist/*.woff2 hm/package/dist/*.ttf "$fonts/"
done
cp rq/package/require.js "$dest/require.js"
cat > "$dest/VERSIONS.txt" <<TXT
@jupyter-widgets/html-manager $HTML_MANAGER_VERSION  dist/embed-amd.js + fonts  licence: $(node -p "require('$work/hm/package/package.json').license")
  (third-party notices bundled in it: embed.js.LICENSE.txt)
requirejs $REQUIREJS_VERSION  require.js  licence: $(node -p "require('$work/rq/package/package.json').license") (header of require.js)
Fetched from the npm registry by tools/vendor_js.sh; do not edit by hand.
TXT
( cd "$dest" && sha256sum embed-amd.js require.js >> VERSIONS.txt )
echo "vendored into $dest:"; ls -la "$dest"
