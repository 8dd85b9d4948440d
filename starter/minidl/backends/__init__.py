"""Devices and the seam between operators and array storage.

Operators compute only on NDArray, through `array_api`'s NumPy-like functions and the array
operators; each device is a backend module implementing NDArray's primitives.
"""
from __future__ import annotations

import importlib
import os

from ..ndarray import Device
from . import array_api

_MODULES = {"cpu": "numpy_backend", "cpu_numba": "numba_backend", "cuda": "cuda_backend"}
_devices: dict[str, Device] = {}


def device(name: str) -> Device:
    """The NDArray device called `name` ("cpu": NumPy, "cpu_numba": Numba, "cuda": GPU)."""
    if name not in _MODULES:
        raise ValueError(f"unknown device {name!r}; choose one of {sorted(_MODULES)}")
    if name not in _devices:
        _devices[name] = Device(name, importlib.import_module(f".{_MODULES[name]}",
                                                                     __name__))
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


__all__ = ["Device", "array_api", "cpu", "cpu_numba", "cuda", "default_device", "device"]
