"""Devices and the seam between operators and array storage.

Operators compute only on NDArray, through its methods of NumPy's names and the array
operators; each device is a backend module implementing NDArray's primitives.
"""
from __future__ import annotations

import importlib
import os
from types import ModuleType

from ..ndarray import Device

_MODULES = {"cpu": "numpy_backend", "cpu_numba": "numba_backend", "cuda": "cuda_backend"}
_devices: dict[str, Device] = {}
PRIMITIVES = (  # what every backend module implements on its flat buffers
    "empty", "buffer_size", "from_numpy", "to_numpy", "fill",
    "compact", "ewise_setitem", "scalar_setitem",
    "ewise_add", "scalar_add", "ewise_mul", "scalar_mul", "ewise_div", "scalar_div",
    "ewise_power", "scalar_power", "ewise_maximum", "scalar_maximum",
    "ewise_eq", "scalar_eq", "ewise_ge", "scalar_ge",
    "ewise_log", "ewise_exp", "ewise_tanh",
    "reduce_sum", "reduce_max", "matmul",
)


def check_primitives(module: ModuleType) -> ModuleType:
    """`module`, once it is seen to define every name of PRIMITIVES as a function."""
    missing = [name for name in PRIMITIVES if not callable(getattr(module, name, None))]
    if missing:
        raise ImportError(f"backend module {module.__name__} lacks the primitives "
                          f"{', '.join(missing)}", name=module.__name__)
    return module


def device(name: str) -> Device:
    """The NDArray device called `name` ("cpu": NumPy, "cpu_numba": Numba, "cuda": GPU)."""
    if name not in _MODULES:
        raise ValueError(f"unknown device {name!r}; choose one of {sorted(_MODULES)}")
    if name not in _devices:
        module = importlib.import_module(f".{_MODULES[name]}", __name__)
        _devices[name] = Device(name, check_primitives(module))
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
