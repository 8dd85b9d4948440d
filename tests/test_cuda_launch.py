"""minidl.cuda()'s kernel launches: counted, quiet, and on a GPU passed as numba lays out PTX."""
import importlib
import importlib.util
import os
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest

from conftest import ROOT, minidl_reference

mdl = minidl_reference()
backend = mdl.cuda().backend
launch = importlib.import_module(".cuda_launch", backend.__package__)

# Kernels compiled to PTX in a child process, where numba.cuda is the real one (here it is the
# simulator) and the reference imports as on a GPU, a stand-in for CuPy. For each request
# (label, kernel, signature, args) it writes the PTX and the parameters numba's own launch
# passes for args (its _prepare_args, given stand-ins that answer as device arrays would).
PTX_OF_KERNELS = r"""
import ctypes, inspect, pickle, sys, types
import numpy as np
sys.modules["cupy"] = types.SimpleNamespace(ndarray=type("ndarray", (), {}))
sys.path.insert(0, sys.argv[1])
from autograder.implementation import load_package
from numba import cuda
from numba.cuda import dispatcher

device = load_package(__import__("pathlib").Path(sys.argv[2]), "minidl").cuda()
backend, tuned = device.backend, device.tuned
assert not backend.SIMULATED

def scale_add(a, b, out, alpha, n):
    i = cuda.grid(1)
    if i < n:
        out[i] = a[i] * alpha + b[i]

def gather(values, index, out, offset, weight):
    i = cuda.grid(1)
    if i < out.size:
        out[i] = values[index[i] + offset] * weight

def transpose(a, out, flag, small):
    i, j = cuda.grid(2)
    if flag and i < out.shape[0] and j < out.shape[1]:
        out[i, j] = a[j, i] + small

def inner(primitive, name):
    return inspect.getclosurevars(primitive).nonlocals[name].dispatcher.py_func

class OnDevice:
    def __init__(self, size, dtype, shape, strides):
        self.size, self.dtype, self.shape, self.ptr = size, np.dtype(dtype), shape, "data"
        self._layout = types.SimpleNamespace(strides_in_bytes=strides)

class Hint:
    def __init__(self, array):
        self.array = array

    def to_device(self, retr, stream):
        return OnDevice(*self.array)

dispatcher.wrap_arg = Hint
# numba types a device function (the backend's _position, apply) for the current GPU's cc
dispatcher.get_current_device = lambda: types.SimpleNamespace(compute_capability=(9, 0))
kernel = types.SimpleNamespace(extensions=[])
kernel._prepare_args = lambda *args: dispatcher._Kernel._prepare_args(kernel, *args)  # tuples
results = {}
for label, expression, signature, args in pickle.load(sys.stdin.buffer):
    numba_parameters = []
    for kind, value in zip(signature, args):
        dispatcher._Kernel._prepare_args(kernel, kind, value, 0, [], numba_parameters)
    ptx = cuda.compile_ptx(eval(expression), signature, cc=(9, 0))[0]
    results[label] = ptx, [v.value if isinstance(v, ctypes._SimpleCData) else v
                           for v in numba_parameters]
pickle.dump(results, sys.stdout.buffer)
"""


def ptx_type(value) -> str:
    """The PTX parameter type a flattened argument fills, as CuPy passes it to the kernel."""
    if isinstance(value, np.ndarray):
        return "u64"  # the array's data pointer
    if type(value) is int:
        return "u64"  # CuPy passes a Python int as int64
    dtype = np.dtype(type(value))
    return ("f" if dtype.kind == "f" else "u") + str(8 * dtype.itemsize)


def compiled_ptx(cases: dict) -> dict:
    """Per case (label: (kernel, args)): the kernel's PTX for the arguments' signature, and the
    parameters numba's own launch passes for them; or a skip, without numba-cuda or NVVM."""
    if importlib.util.find_spec("numba_cuda") is None:
        pytest.skip("numba-cuda is not installed, and with it NVVM, which compiles kernels to "
                    "PTX: pip install 'numba-cuda[cu12]==0.30.4' (the kit's gpu extra)")
    # a pickled view would arrive compact: arrays travel as what numba reads of them
    def travelling(value):
        if isinstance(value, tuple):
            return tuple(travelling(item) for item in value)
        if isinstance(value, np.ndarray):
            return value.size, value.dtype.str, value.shape, value.strides
        return value

    requests = [(label, kernel, launch.argument_types(args), [travelling(a) for a in args])
                for label, (kernel, args) in cases.items()]
    child = subprocess.run(
        [sys.executable, "-c", PTX_OF_KERNELS, str(ROOT), str(ROOT / "reference" / "minidl")],
        input=pickle.dumps(requests), capture_output=True, timeout=600,
        env=os.environ | {"NUMBA_ENABLE_CUDASIM": "0"})
    if child.returncode and b"NVVM" in child.stderr:
        pytest.skip(f"numba-cuda cannot compile to PTX here: "
                    f"{child.stderr.decode().strip().splitlines()[-1]}")
    assert child.returncode == 0, child.stderr.decode()
    return pickle.loads(child.stdout)


def as_numba_passes(value):
    """A flattened argument as numba's launch passes it: "data" for an array's pointer."""
    if isinstance(value, np.ndarray):
        return "data"
    return value.item() if isinstance(value, np.generic) else value


def test_the_launcher_passes_each_argument_as_the_ptx_parameters_numba_compiled():
    f32, f64, i64 = (np.zeros(6, dtype) for dtype in ("float32", "float64", "int64"))
    cases = {
        "scale_add": ("scale_add", (f32, f32, f32, np.float32(2.0), 5)),
        "gather": ("gather", (np.zeros(7), np.arange(4), np.zeros(4), 2, 0.5)),
        "transpose": ("transpose", (np.zeros((3, 4), "float32"),
                                    np.zeros((8, 3), "float32")[::2], True, np.int32(1))),
        # the backend's own kernels, as its primitives launch them
        "_compact": ("backend._compact.dispatcher.py_func", (f32, f32, i64, i64, 3)),
        "ewise": ("inner(backend.ewise_add, 'ewise')", (f32, f32, f32)),
        "scalar": ("inner(backend.scalar_power, 'scalar')", (f64, np.float64(0.5), f64)),
        "unary": ("inner(backend.ewise_tanh, 'unary')", (f32, f32)),
        "reduce": ("backend._REDUCE['max', 'float32'].dispatcher.py_func", (f32, f32, 3)),
        "matmul": ("backend._MATMUL['float64'].dispatcher.py_func", (f64, f64, f64, 2, 3, 2)),
        "_take_rows": ("backend._take_rows.dispatcher.py_func", (f32, i64, f32, 3)),
        "_scatter_add": ("backend._scatter_add.dispatcher.py_func", (f64, i64, f64, 2)),
        "_scatter_max": ("backend._scatter_max.dispatcher.py_func", (f32, i64, f32, 3)),
        "matmul_tiled": ("tuned._MATMUL_TILED['float32'].dispatcher.py_func",
                         (f32, 3, 1, 0, f32, 1, 3, 0, f32, 2, 3, 2)),  # b transposed
        # and the reference's kernels that read views in place, its fused layers and Adam
        "ewise_strided": ("tuned._MAP['ewise_add'].dispatcher.py_func",
                          (i64, f32, i64, 0, f32, i64, 2, f32)),
        "scalar_strided": ("tuned._MAP['scalar_mul'].dispatcher.py_func",
                           (i64, f64, i64, 1, np.float64(2.0), f64)),
        "unary_strided": ("tuned._MAP['ewise_exp'].dispatcher.py_func",
                          (i64, f32, i64, 0, f32)),
        "reduce_strided": ("tuned._REDUCE['reduce_sum', 'float32'].dispatcher.py_func",
                           (i64, f32, i64, 0, f32, 3)),
        "_lstm": ("tuned._lstm.dispatcher.py_func", (2, f32, f32, f32, f32, 3)),
        "_batch_norm_stats": ("tuned._batch_norm_stats.dispatcher.py_func",
                              (*[f32] * 6, 2, 3, 5, np.float32(1e-5), np.float32(0.1))),
        "_batch_norm_sum": ("tuned._batch_norm_sum.dispatcher.py_func",
                            (True, *[f32] * 4, 2, 3, 5)),
        "_adam": ("tuned._adam.dispatcher.py_func",  # tuples of arrays: a group's parameters
                  (*[(f32, np.zeros(0, "float32"))] * 5, *np.ones(9, "float32"))),
    }
    compiled = compiled_ptx(cases)
    for label, (_, args) in cases.items():
        ptx, numba_parameters = compiled[label]
        signature = launch.argument_types(args)
        flat = launch.flatten_arguments(args, launch.parameter_converters(signature))
        assert [as_numba_passes(value) for value in flat] == numba_parameters, label  # order
        assert launch.entry_parameters(ptx) == [ptx_type(value) for value in flat], label
        assert ptx.count(".entry") == 1 and label in launch.entry_name(ptx)
        assert launch.link_cubin(ptx, (9, 0))[:4] == b"\x7fELF"  # by nvJitLink, with no GPU
    assert ".local" not in compiled["matmul_tiled"][0]  # its tiles of out stay in registers
    view = cases["transpose"][1][1]
    assert launch.flatten_arguments([view], (None,)) == [0, 0, 12, 4, view, 4, 3, 24, 4]
    assert str(launch.argument_types([view])[0]) == "array(float32, 2d, A)"


def test_each_launch_is_counted_under_the_name_of_its_kernel():
    a = mdl.cuda().array(np.arange(6, dtype="float32"))
    column = mdl.cuda().array(np.arange(3, dtype="float32").reshape(3, 1))
    launch.launch_counts.clear()
    a + a
    assert launch.launch_counts == {"ewise": 1}
    launch.launch_counts.clear()
    column.broadcast_to((3, 2)).compact() + 1.0
    assert launch.launch_counts == {"_compact": 1, "scalar": 1}


class WarningKernel:
    """Stands in for numba's dispatcher on a GPU: it warns at every launch of a small grid."""

    __name__ = "stand_in"

    def __getitem__(self, configuration):
        def run(*args):
            warnings.warn("Grid size 1 will likely result in GPU under-utilization",
                          launch.NumbaPerformanceWarning)
            warnings.warn("something else", UserWarning)
        return run


def test_small_grids_launch_without_numbas_occupancy_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        launch.Kernel(backend._fill.dispatcher)[1, backend.THREADS](np.zeros(3, "float32"),
                                                                   np.float32(1))
        launch.Kernel(WarningKernel())[1, 16]()
    assert not [w for w in caught if issubclass(w.category, launch.NumbaPerformanceWarning)]
    assert "something else" in [str(w.message) for w in caught]  # other warnings still show


class RecordingFunction:
    """Stands in for a CuPy kernel function: notes each launch's grid, block and parameters."""

    def __init__(self):
        self.launches = []

    def __call__(self, grid, block, parameters):
        self.launches.append((grid, block, parameters))


def test_on_a_gpu_each_signature_is_compiled_once_and_launched_through_cupy(monkeypatch):
    compiled = []

    def compile_recorded(kernel, args):
        compiled.append(launch.argument_types(args))
        return launch.CupyLaunch(function, compiled[-1])

    function = RecordingFunction()
    monkeypatch.setattr(launch, "CUPY_LAUNCH", True)
    monkeypatch.setattr(launch, "DEVICE_ARRAYS", (np.ndarray,))  # NumPy stands in for CuPy
    monkeypatch.setattr(launch.Kernel, "_compile", compile_recorded)
    kernel = launch.Kernel(backend._fill.dispatcher)
    single, double = np.zeros(4, "float32"), np.zeros(4, "float64")
    kernel[2, 16](single, np.float32(1))
    kernel[2, 16](single, np.float32(2))
    kernel[(2, 1), (16, 1)](double, np.float64(3))
    assert [str(signature[0]) for signature in compiled] == ["array(float32, 1d, C)",
                                                            "array(float64, 1d, C)"]
    assert [(grid, block) for grid, block, _ in function.launches] == \
        [((2,), (16,)), ((2,), (16,)), ((2, 1), (16, 1))]
    parameters = function.launches[1][2]
    assert parameters == [0, 0, 4, 4, single, 4, 4, np.float32(2)]
    assert type(parameters[-1]) is np.float32  # 4 bytes, as the kernel's f32 parameter
