#!/usr/bin/env bash
# The GPU lab, run on a lent GPU machine from the folder `npm run device:pack` made (.device/): it needs
# no Node, no network and nothing installed. Parts, in the order given, share one budget in seconds:
#   info   the machine, the Vulkan driver and the WebGPU adapter Dawn finds (features, limits)
#   lab    the matmul kernel lab: every variant checked against float64, then timed (GFLOP/s)
#   bench  the benchmark suite against tfjs-webgpu and jax-js (webgpu) on the same adapter (training steps, matmuls), from
#          cold caches (no tuning cache, no shader cache of ours)
#   warm   the two training steps again, with the tuning picks and shaders the bench left: warm start
#   plan   the two training steps captured with buffer planning and without: losses, peak bytes, step times
#   profile where a training step's GPU time goes, kernel by kernel (timestamp queries)
#   reproduce  the paper's experiments at paper size (`webgpu-aae reproduce --size paper`), as many as the
#          time left holds, each with an equal budget (REPRODUCE_ONLY, REPRODUCE_SIZE override the choice)
# Usage: bash .device/run.sh [--budget SECONDS] [PART ...]   (default: --budget 480 info lab bench warm plan profile)
# Results go to $OUT (or .device/out): info.txt, lab.json, lab.log, bench.log, bench/<date>.json,
# warm/<date>.json, plan/<date>-buffer-plan.json, profile.log, reproduce.tar.gz (results.md, results.json and each
# run's metrics and picture; no checkpoints). At most 8 files come back from a lent machine: past that, the logs
# travel as one logs.tar.gz, and the charts are left out.
# Each part is stopped when its share of the budget runs out, and writes what it has as it goes.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
budget=480
parts=()
while [ $# -gt 0 ]; do
  case "$1" in
    --budget) budget=$2; shift 2 ;;
    info|lab|bench|warm|plan|profile|reproduce) parts+=("$1"); shift ;;
    *) echo "run.sh: unknown argument '$1' (parts: info lab bench warm plan profile reproduce; --budget SECONDS)" >&2; exit 2 ;;
  esac
done
[ ${#parts[@]} -gt 0 ] || parts=(info lab bench warm plan profile)
OUT=${OUT:-$here/out}
mkdir -p "$OUT"
started=$(date +%s)
left() { echo $(( budget - ($(date +%s) - started) )); }
say() { echo "[lab $(( $(date +%s) - started ))s] $*"; }

# ---- unpack into a scratch folder: Node, dawn.node beside the webgpu package, MNIST, the bundles
# xz, or Python's lzma where the image has no xz.
unxz_to() { # file.xz destination
  if command -v xz >/dev/null; then xz -dc "$1" > "$2"; else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; fi
}
work=$(mktemp -d /tmp/webgpu-aae-lab.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$here/node_modules" "$here/kernels.mjs" "$here/bench.mjs" "$here/profile.mjs" "$here/buffer-plan.mjs" "$here/cli.mjs" "$work/"
unxz_to "$here/node.xz" "$work/node" && chmod +x "$work/node" || { echo "run.sh: could not unpack Node (no xz, no python3 lzma?)"; exit 1; }
mkdir -p "$work/node_modules/webgpu/dist/linux-x64" "$work/lib" "$work/libstdcxx"
unxz_to "$here/dawn.node.xz" "$work/node_modules/webgpu/dist/linux-x64/dawn.node"
node="$work/node"

# ---- libraries and the Vulkan driver
# The Vulkan loader, and GLVND's EGL + dispatch (NVIDIA's Vulkan driver will not start without libEGL).
# (ldconfig's list is read once: `ldconfig -p | grep -q` fails under pipefail when grep stops early.)
system_libraries=$(ldconfig -p 2>/dev/null)
for library in libvulkan.so.1 libEGL.so.1 libGLdispatch.so.0 libGLX.so.0; do
  if ! grep -q "$library " <<<"$system_libraries"; then
    unxz_to "$here/lib/$library.xz" "$work/lib/$library"
    say "no $library on this machine: using the packed one"
  fi
done
export LD_LIBRARY_PATH="$work/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# GLVND finds NVIDIA's EGL through a vendor file, which the driver mount keeps under /usr/local/nvidia.
if [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ] && [ ! -e /usr/share/glvnd/egl_vendor.d/10_nvidia.json ] && [ -e /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ]; then
  export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
fi
system_libstdcxx=$(awk '/libstdc\+\+\.so\.6 \(libc6,x86-64\)/ { print $NF; exit }' <<<"$system_libraries")
if [ -z "$system_libstdcxx" ] || ! grep -qa GLIBCXX_3.4.30 "$system_libstdcxx"; then
  unxz_to "$here/lib/libstdc++.so.6.xz" "$work/libstdcxx/libstdc++.so.6"
  export LD_LIBRARY_PATH="$work/libstdcxx${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  say "system libstdc++ lacks GLIBCXX_3.4.30: using the packed one"
fi
icds=$(ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json 2>/dev/null || true)
if [ -z "$icds" ] && [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
  nvidia_icd=$(ls /usr/local/nvidia/share/vulkan/icd.d/*.json /usr/local/nvidia/etc/vulkan/icd.d/*.json 2>/dev/null | head -n 1)
  if [ -n "$nvidia_icd" ]; then
    export VK_DRIVER_FILES="$nvidia_icd"
    say "Vulkan driver: $nvidia_icd (VK_DRIVER_FILES)"
  fi
fi
# A cold start, as on a fresh machine: no tuning cache, no shader caches of ours.
export XDG_CACHE_HOME="$work/cache" XDG_RUNTIME_DIR="$work/run" HOME="${HOME:-$work}"
mkdir -p "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
cd "$work"

run_part() { # name seconds command...
  local name=$1 seconds=$2; shift 2
  if [ "$seconds" -lt 10 ]; then say "$name: skipped, ${seconds}s left of the budget"; return; fi
  say "$name: up to ${seconds}s"
  timeout --signal=TERM --kill-after=10 "$seconds" "$@"
  local status=$?
  [ $status -eq 124 ] && say "$name: stopped at its budget (${seconds}s)"
  [ $status -ne 0 ] && [ $status -ne 124 ] && say "$name: exit status $status"
  return 0
}

for part in "${parts[@]}"; do
  case "$part" in
    info)
      {
        echo "== machine"; uname -a; nproc; grep -m1 'model name' /proc/cpuinfo
        echo "== nvidia-smi"; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 || echo "nvidia-smi: not found"
        echo "== Vulkan"; echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-} VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"; ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d 2>&1
        echo "== node"; "$node" --version
        echo "== WebGPU adapter (Dawn)"
        run_part adapter 30 "$node" --input-type=module -e "
          import { create, globals } from 'webgpu';
          Object.assign(globalThis, globals);
          const gpu = create([]);
          const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
          if (!adapter) { console.log('no adapter'); process.exit(1); }
          const { vendor, architecture, device, description } = adapter.info;
          console.log(JSON.stringify({ vendor, architecture, device, description, subgroupMinSize: adapter.info.subgroupMinSize, subgroupMaxSize: adapter.info.subgroupMaxSize,
            subgroupMatrixConfigs: adapter.info.subgroupMatrixConfigs ?? null, features: [...adapter.features].sort(),
            limits: Object.fromEntries(['maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBufferBindingSize', 'maxBufferSize'].map((k) => [k, adapter.limits[k]])) }, null, 1));
          process.exit(0);"
      } 2>&1 | tee "$OUT/info.txt"
      ;;
    lab)
      # The lab gets at most a third of what is left: the suite is what the README reports.
      seconds=$(( $(left) / 3 )); [ "$seconds" -gt 150 ] && seconds=150
      run_part lab "$seconds" "$node" kernels.mjs --json="$OUT/lab.json" 2>&1 | tee "$OUT/lab.log"
      ;;
    bench)
      # Leaves 75 s for the warm steps, the plan and the profile, when they follow.
      reserve=10; [[ " ${parts[*]} " == *" warm "* || " ${parts[*]} " == *" plan "* || " ${parts[*]} " == *" profile "* ]] && reserve=75
      # and REPRODUCE_SECONDS (default 300) for the reproduction.
      [[ " ${parts[*]} " == *" reproduce "* ]] && reserve=$(( reserve + ${REPRODUCE_SECONDS:-300} ))
      run_part bench $(( $(left) - reserve )) "$node" bench.mjs --peers tfjs-webgpu,jax-webgpu --out "$OUT/bench" 2>&1 | tee "$OUT/bench.log"
      ;;
    warm)
      seconds=$(( $(left) - 20 )); [ "$seconds" -gt 60 ] && seconds=60
      echo "== warm: the training steps again, caches as the bench left them" | tee -a "$OUT/bench.log"
      run_part warm "$seconds" "$node" bench.mjs --only aae-step,vae-gan-step --peers tfjs-webgpu,jax-webgpu --out "$OUT/warm" 2>&1 | tee -a "$OUT/bench.log"
      ;;
    plan)
      seconds=$(( $(left) - 20 )); [ "$seconds" -gt 40 ] && seconds=40
      echo "== plan: the training steps with buffer planning and without" | tee -a "$OUT/bench.log"
      run_part plan "$seconds" "$node" buffer-plan.mjs --out "$OUT/plan" 2>&1 | tee -a "$OUT/bench.log"
      ;;
    profile)
      # Leaves the reproduction its share when it follows.
      seconds=$(( $(left) - 5 )); [[ " ${parts[*]} " == *" reproduce "* ]] && [ "$seconds" -gt 45 ] && seconds=45
      run_part profile "$seconds" "$node" profile.mjs 2>&1 | tee "$OUT/profile.log"
      ;;
    reproduce)
      # Each run (experiment, seed) gets an equal share of what is left, less a minute for the step-rate
      # probes, the Parzen estimate and packing; the command states each budget in results.md.
      only=${REPRODUCE_ONLY:-semi-supervised-1000,semi-supervised-100,clustering-16-mutual-information,clustering-16,parzen-8d}
      runs=$(tr ',' '\n' <<<"$only" | grep -c .)
      seconds=$(( $(left) - 20 ))
      per_run=$(( (seconds - 60) / runs ))
      if [ "$per_run" -lt 20 ]; then
        say "reproduce: skipped, ${seconds}s left is too little for $runs runs"
      else
        say "reproduce: $only at --size ${REPRODUCE_SIZE:-paper}, ${per_run}s each"
        run_part reproduce "$seconds" "$node" cli.mjs reproduce --size "${REPRODUCE_SIZE:-paper}" --budget "${per_run}s" --only "$only" --out "$work/reproduce" 2>&1 | tee "$OUT/reproduce.log"
        # The table and what each run learnt, without checkpoints (a 3000-3000 clustering AAE is 300 MB).
        (cd "$work/reproduce" 2>/dev/null && tar -czf "$OUT/reproduce.tar.gz" --exclude='*.safetensors' --exclude='*.tmp-*' .) || say "reproduce: nothing to pack"
      fi
      ;;
  esac
done
rm -f "$OUT"/bench/*.svg "$OUT"/warm/*.svg
# At most 8 files come back: past that, the logs travel together.
if [ "$(find "$OUT" -type f | wc -l)" -gt 8 ]; then
  (cd "$OUT" && tar -czf logs.tar.gz --remove-files $(find . -maxdepth 1 -type f \( -name '*.log' -o -name 'info.txt' \) -printf '%P\n'))
fi
say "done; results in $OUT: $(cd "$OUT" && find . -type f | sort | tr '\n' ' ')"
