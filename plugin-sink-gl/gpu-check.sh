#!/usr/bin/env bash
# The GL sink's check for a machine with a GPU (see docs/gl-sink.md, "Checking on a GPU").
#
# Here (any machine with Maven and a JDK 17):
#   plugin-sink-gl/gpu-check.sh            builds .gpucheck/ in the repo root: a jlink'd Java 17
#                                          runtime (~34 MB), the api, GL sink and LWJGL jars, and
#                                          .gpucheck/run; .gpucheck/ is added to .git/info/exclude
# There (the GPU machine, no Java or Maven needed):
#   .gpucheck/run [auto|device|surfaceless]
#     prints PLATFORM lines (renderer, dma-buf import support and modifiers), OK/FAIL lines for
#     the exact readback of every format and the cursor, TIME lines for 1080p and 4K, and
#     RESULT PASS|FAIL; exit status 0 only on PASS.
# Set MVN_OPTS= (empty) to let Maven go online.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_OPTS--o} -pl api install -DskipTests
mvn -B -q ${MVN_OPTS--o} -pl plugin-sink-gl package -DskipTests \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile=target/gpu-check.cp -Dmdep.includeScope=runtime
rm -rf .gpucheck
mkdir -p .gpucheck/lib
cp plugin-sink-gl/target/scanout-plugin-sink-gl-*.jar .gpucheck/lib/
tr ':' '\n' < plugin-sink-gl/target/gpu-check.cp | grep -E 'scanout-api|/org/lwjgl/' | xargs -I{} cp {} .gpucheck/lib/
jlink --add-modules java.base,java.logging,jdk.unsupported --strip-debug --no-header-files --no-man-pages \
  --compress=2 --output .gpucheck/jre
cat > .gpucheck/run <<'RUN'
#!/bin/sh
# Runs the GL sink's GPU check with the carried Java runtime.
d=$(cd "$(dirname "$0")" && pwd)
nv=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
if [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ] && [ -f "$nv" ]; then
  export __EGL_VENDOR_LIBRARY_FILENAMES="$nv"
fi
exec "$d/jre/bin/java" -Dorg.lwjgl.system.SharedLibraryExtractPath=/tmp/scanout-gpucheck-lwjgl \
  -cp "$d/lib/*" io.github.scanout.sink.gl.internal.GpuCheck "$@"
RUN
chmod +x .gpucheck/run
grep -qxF '/.gpucheck/' .git/info/exclude 2>/dev/null || echo '/.gpucheck/' >> .git/info/exclude
du -sh .gpucheck
echo "ready: carry .gpucheck (and .gl with libegl1/libglvnd0 if the machine lacks them) and run .gpucheck/run"
