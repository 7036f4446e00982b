#!/usr/bin/env bash
# Pictures of every screen of the app in Kinyarwanda, French and English, into docs/screens/
# (docs/SCREENS.md shows them). They come from the same walk through the app that CI checks
# (android/src/test/kotlin/org/ami/komora/android/ScreenTourTest.kt): the real activity and
# views on Android 15's framework under Robolectric, against the real core and a real sync
# server, on a 7" tablet at the default font, on Tuesday 1 December 2026 at 09:00 in Kigali.
# With ImageMagick present the pictures are brought to 600 pixels wide (the tablet's width in
# dp) and 128 colours, a third of the bytes in the repository; without it they stay as drawn.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/docs/screens"
rm -rf "$out/rw" "$out/fr" "$out/en"
mvn -B -q -f android/pom.xml test -Dkomora.skipJvmTests=true -Dtest=ScreenTourTest \
    -Dsurefire.failIfNoSpecifiedTests=false -Dkomora.screens.out="$out"
if command -v convert >/dev/null 2>&1 && convert -version 2>/dev/null | head -1 | grep -q '^Version: ImageMagick'; then
    for f in "$out"/{rw,fr,en}/*.png; do
        convert "$f" -strip -resize 600x +dither -colors 128 "PNG8:$f"
    done
fi
echo "pictures in $out: $(find "$out" -name '*.png' -not -path '*/before/*' | wc -l)"
