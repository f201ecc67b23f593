#!/usr/bin/env bash
# Builds libzkmargin.so (gnark engine + JNI glue, go build -buildmode=c-shared) for the native module.
# Usage: native/build-native.sh <repo root> <java home> <output .so path>
# Called by Maven (native/pom.xml, phase generate-resources). Skips the build when the .so is newer than
# every non-test Go/C source under circuits/ and native/go and than go.mod, go.sum and this script
# (set ZKM_NATIVE_FORCE=1 to force a rebuild).
set -euo pipefail

root=${1:?repo root}
java_home=${2:?java home}
out=${3:?output .so path}

cd "$root"

if [[ -f "$out" && "${ZKM_NATIVE_FORCE:-0}" != 1 ]]; then
  newer=$(find circuits native/go native/build-native.sh go.mod go.sum -type f \( \( -name '*.go' ! -name '*_test.go' \) -o -name '*.c' -o -name '*.h' -o -name 'go.mod' -o -name 'go.sum' -o -name 'build-native.sh' \) -newer "$out" -print -quit 2>/dev/null || true)
  if [[ -z "$newer" ]]; then
    echo "[build-native] $out is up to date"
    exit 0
  fi
  echo "[build-native] rebuilding: $newer changed"
fi

for inc in "$java_home/include" "$java_home/include/linux"; do
  if [[ ! -d "$inc" ]]; then
    echo "[build-native] missing JNI headers: $inc (is $java_home a JDK?)" >&2
    exit 1
  fi
done

mkdir -p "$(dirname "$out")"
tmpdir=$(mktemp -d "$(dirname "$out")/.build.XXXXXX")
trap 'rm -rf "$tmpdir"' EXIT

export CGO_ENABLED=1
export CGO_CFLAGS="-O2 -I$java_home/include -I$java_home/include/linux"
echo "[build-native] go build -buildmode=c-shared -> $out"
go build -tags zkmjni -trimpath -ldflags=-w -buildmode=c-shared -o "$tmpdir/libzkmargin.so" ./native/go
mv -f "$tmpdir/libzkmargin.so" "$out"
