"""The seam between operators and array storage.

Operators compute only through `array_api` and place data only through a `Device`; the
strided NDArray of a later assignment replaces what stands behind these two names.
"""
from .numpy_backend import Device, array_api, cpu

__all__ = ["Device", "array_api", "cpu"]
