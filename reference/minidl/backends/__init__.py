"""Devices and the seam between operators and array storage.

Operators compute only on NDArray, through its methods of NumPy's names and the array
operators; each device is a backend module implementing NDArray's primitives, and optionally
the kit's tuned module for it, which may replace primitives and offer the capabilities below.
A layer takes a tuned path only where its device `has` the capability, in one visible line.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
from types import ModuleType

from ..ndarray import Device

_MODULES = {"cpu": "numpy_backend", "cpu_numba": "numba_backend", "cuda": "cuda_backend"}
# The kit's tuned modules: reference-only files, absent from the starter (a FAST release hands
# them to students). Where one is present, its device runs the primitives it lists instead of
# the plain ones and offers its capabilities, unless MINIDL_TUNED=0 (as the graders set it).
_TUNED = {"cpu": "numpy_tuned", "cpu_numba": "numba_tuned", "cuda": "cuda_tuned"}
_devices: dict[str, Device] = {}
PRIMITIVES = (  # what every backend module implements on its flat buffers
    "empty", "buffer_size", "from_numpy", "to_numpy", "fill",
    "compact", "ewise_setitem", "scalar_setitem",
    "ewise_add", "scalar_add", "ewise_mul", "scalar_mul", "ewise_div", "scalar_div",
    "ewise_power", "scalar_power", "ewise_maximum", "scalar_maximum",
    "ewise_eq", "scalar_eq", "ewise_ge", "scalar_ge",
    "ewise_log", "ewise_exp", "ewise_tanh",
    "reduce_sum", "reduce_max", "matmul",
    "take_rows", "scatter_add", "scatter_max",  # rows by a host int64 index (graph layers)
)
# What a tuned module may offer besides primitives, each with all of its functions. A view is
# (buffer, strides, offset); `primitive` names the plain primitive whose arithmetic is meant.
CAPABILITIES = {
    # NDArray's operations reading views and repeated vectors where they are, each returning
    # None where it has no better way than the plain path: view_elementwise(a, other, ewise,
    # scalar), view_unary(a, name), view_reduce(a, axis, keepdims, primitive), view_matmul(a, b)
    "views": ("view_elementwise", "view_unary", "view_reduce", "view_matmul"),
    # Conv.compute over only the outputs and taps that read the input (None where all do):
    # live_conv(op, x, weight)
    "live_conv": ("live_conv",),
    # map_strided(primitive, views, scalars, out, shape): an elementwise primitive over views
    "strided_map": ("map_strided",),
    # reduce_strided(primitive, view, out, reduce_size, shape): rows of a view, row-major
    "strided_reduce": ("reduce_strided",),
    # matmul_strided(a_view, b_view, out, m, n, p)
    "strided_matmul": ("matmul_strided",),
    # ewise_repeated(ewise, a, b, b_offset, out, length, down_rows), for ewise in REPEATABLE:
    # b a vector repeated down rows (down_rows) or across columns of a's shape
    "repeated_vector": ("ewise_repeated",),
    # lstm_cell(kind, a, c, grad, out, hidden): a part of an LSTM step (fused_elements.py)
    "lstm_cell": ("lstm_cell",),
    # BatchNorm2d's training step: statistics, normalization and the two gradient sums
    "batch_norm": ("batch_norm_stats", "batch_norm_apply", "batch_norm_sum", "batch_norm_grad_x"),
    # adam_update(datas, grads, ms, vs, outs, *constants): Adam's step of many parameters
    "adam": ("adam_update",),
}
REPEATABLE = ("ewise_add", "ewise_mul", "ewise_div")


def check_primitives(module: ModuleType) -> ModuleType:
    """`module`, once it is seen to define every name of PRIMITIVES as a function."""
    missing = [name for name in PRIMITIVES if not callable(getattr(module, name, None))]
    if missing:
        raise ImportError(f"backend module {module.__name__} lacks the primitives "
                          f"{', '.join(missing)}", name=module.__name__)
    return module


def check_tuned(module: ModuleType) -> ModuleType:
    """`module`, once its PRIMITIVES are primitives and its CAPABILITIES known ones, each with
    every function it needs."""
    unknown = [name for name in module.PRIMITIVES if name not in PRIMITIVES] + \
        [name for name in module.CAPABILITIES if name not in CAPABILITIES]
    if unknown:
        raise ImportError(f"tuned module {module.__name__} offers unknown primitives or "
                          f"capabilities {', '.join(unknown)}", name=module.__name__)
    missing = [name for name in module.PRIMITIVES if not callable(getattr(module, name, None))]
    missing += [f"{capability}.{name}" for capability in module.CAPABILITIES
                for name in CAPABILITIES[capability]
                if not callable(getattr(module, name, None))]
    if missing:
        raise ImportError(f"tuned module {module.__name__} lacks {', '.join(missing)}",
                          name=module.__name__)
    return module


def device(name: str) -> Device:
    """The NDArray device called `name` ("cpu": NumPy, "cpu_numba": Numba, "cuda": GPU)."""
    if name not in _MODULES:
        raise ValueError(f"unknown device {name!r}; choose one of {sorted(_MODULES)}")
    if name not in _devices:
        backend = check_primitives(importlib.import_module(f".{_MODULES[name]}", __name__))
        tuned = None
        if os.environ.get("MINIDL_TUNED") != "0" and \
                importlib.util.find_spec(f"{__name__}.{_TUNED[name]}") is not None:
            tuned = check_tuned(importlib.import_module(f".{_TUNED[name]}", __name__))
        _devices[name] = Device(name, backend, tuned)
    return _devices[name]


def cpu() -> Device:
    """The CPU through NumPy: the reference semantics of every other device."""
    return device("cpu")


def cpu_numba() -> Device:
    """The CPU through parallel kernels compiled by Numba."""
    return device("cpu_numba")


def cuda() -> Device:
    """The GPU through numba.cuda kernels over CuPy buffers (Numba's simulator without a GPU)."""
    return device("cuda")


def default_device() -> Device:
    """The device named by the MINIDL_DEVICE environment variable (default "cpu")."""
    return device(os.environ.get("MINIDL_DEVICE", "cpu"))


__all__ = ["Device", "cpu", "cpu_numba", "cuda", "default_device", "device"]
