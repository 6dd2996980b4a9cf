#!/usr/bin/env bash
# Builds Kirodesk.app (and a .dmg) ON A MAC: Wails and the tray need cgo and
# Apple's frameworks, so this cannot run on the Linux build machine and has
# not been run by CI. Needs Xcode's command line tools, Go and Node.js.
# Usage, from the repository root: build/darwin/make-app.sh
# Signing and notarising run when SIGN_ID (a "Developer ID Application: ..."
# identity) and NOTARY_PROFILE (a `xcrun notarytool store-credentials`
# profile) are set.
set -euo pipefail
version=$(cat VERSION)
out=build/darwin/out
app="$out/Kirodesk.app"
rm -rf "$out" && mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"

(cd frontend && npm ci && npm run build)

# One universal binary per executable (Apple silicon and Intel).
ldflags="-s -w -X main.version=$version"
for arch in arm64 amd64; do
	CGO_ENABLED=1 GOOS=darwin GOARCH=$arch go build -tags desktop,production -trimpath \
		-ldflags "$ldflags" -o "$out/$arch/kirodesk" .
	CGO_ENABLED=1 GOOS=darwin GOARCH=$arch go build -trimpath \
		-ldflags "$ldflags" -o "$out/$arch/kirodesk-tray" ./app/tray
done
for exe in kirodesk kirodesk-tray; do
	lipo -create -output "$app/Contents/MacOS/$exe" "$out/arm64/$exe" "$out/amd64/$exe"
done

sed "s/@VERSION@/$version/g" build/darwin/Info.plist >"$app/Contents/Info.plist"
plutil -lint "$app/Contents/Info.plist"

# The icon: every size iconutil wants, from the 512 px source.
iconset="$out/kirodesk.iconset"
mkdir -p "$iconset"
for n in 16 32 128 256 512; do
	sips -z $n $n build/appicon.png --out "$iconset/icon_${n}x${n}.png" >/dev/null
	[ $n -le 256 ] && sips -z $((n * 2)) $((n * 2)) build/appicon.png --out "$iconset/icon_${n}x${n}@2x.png" >/dev/null
done
cp build/appicon.png "$iconset/icon_512x512@2x.png" # 1024 wanted; 512 is what we have
iconutil -c icns "$iconset" -o "$app/Contents/Resources/kirodesk.icns"

if [ -n "${SIGN_ID:-}" ]; then
	# Inner executables first, then the bundle (no --deep).
	codesign --force --options runtime --timestamp --sign "$SIGN_ID" "$app/Contents/MacOS/kirodesk-tray"
	codesign --force --options runtime --timestamp --sign "$SIGN_ID" "$app"
	codesign --verify --strict --verbose=2 "$app"
fi

dmg="$out/Kirodesk-$version.dmg"
hdiutil create -volname Kirodesk -srcfolder "$app" -ov -format UDZO "$dmg"

if [ -n "${SIGN_ID:-}" ] && [ -n "${NOTARY_PROFILE:-}" ]; then
	codesign --force --timestamp --sign "$SIGN_ID" "$dmg"
	xcrun notarytool submit "$dmg" --keychain-profile "$NOTARY_PROFILE" --wait
	xcrun stapler staple "$dmg"
fi
echo "built $app and $dmg"
