#!/usr/bin/env bash
# What minidl.cuda() needs a GPU to check, in one run: the versions found, the launcher's tests
# and every NDArray test on the GPU (through CuPy launches), then bench/gpu.py's tables.
# Run from anywhere: bash bench/gpu_check.sh (PYTHON names the interpreter; default python3).
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
PY=${PYTHON:-python3}
failed=0
"$PY" - <<'EOF' || failed=1
from importlib.metadata import version
import cupy
print(*(f"{name} {version(name)}" for name in ("numpy", "numba", "numba-cuda", "cuda-core")),
      f"cupy {cupy.__version__}", sep=", ")
properties = cupy.cuda.runtime.getDeviceProperties(0)
print(properties["name"].decode(), "cc", cupy.cuda.Device().compute_capability,
      "driver", cupy.cuda.runtime.driverGetVersion())
EOF
"$PY" -m pytest -q -p no:cacheprovider tests/test_cuda.py tests/test_cuda_launch.py \
    tests/test_cuda_fewer_launches.py tests/test_fused_layers.py || failed=1
"$PY" -m pytest -q -p no:cacheprovider tests/test_ndarray.py -k cuda || failed=1
"$PY" bench/gpu.py || failed=1
exit $failed
