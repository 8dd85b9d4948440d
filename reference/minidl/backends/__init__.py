"""The seam between operators and array storage.

Operators compute only through `array_api` and place data only through a `Device`; the
strided NDArray (ndarray.py) and its devices below are what will stand behind these two names.
"""
from __future__ import annotations

import importlib
import os

from ..ndarray import BackendDevice
from .numpy_backend import Device, array_api, cpu

_MODULES = {"cpu": "numpy_backend", "cpu_numba": "numba_backend"}
_devices: dict[str, BackendDevice] = {}


def device(name: str) -> BackendDevice:
    """The NDArray device called `name` ("cpu": NumPy, "cpu_numba": Numba kernels)."""
    if name not in _MODULES:
        raise ValueError(f"unknown device {name!r}; choose one of {sorted(_MODULES)}")
    if name not in _devices:
        _devices[name] = BackendDevice(name, importlib.import_module(f".{_MODULES[name]}",
                                                                     __name__))
    return _devices[name]


def default_device() -> BackendDevice:
    """The device named by the MINIDL_DEVICE environment variable (default "cpu")."""
    return device(os.environ.get("MINIDL_DEVICE", "cpu"))


__all__ = ["Device", "array_api", "cpu", "default_device", "device"]
