"""The reference backend: arrays are NumPy arrays on the CPU."""
from __future__ import annotations

import numpy

array_api = numpy

_SUPPORTED_DTYPES = ("float32", "float64")


class Device:
    """Where a tensor's data lives and how it is created there."""

    name = "cpu"

    def array(self, data, dtype: str = "float32") -> numpy.ndarray:
        """A fresh array of `dtype` holding `data` (nested lists, scalars or arrays)."""
        if str(dtype) not in _SUPPORTED_DTYPES:
            raise TypeError(f"dtype {dtype!r} is not supported; use one of {_SUPPORTED_DTYPES}")
        return numpy.array(data, dtype=dtype)

    def to_numpy(self, data) -> numpy.ndarray:
        """The data as a NumPy array (0-d arrays stay arrays, not NumPy scalars)."""
        return numpy.asarray(data)

    def __repr__(self) -> str:
        return f"minidl.{self.name}()"


_CPU = Device()


def cpu() -> Device:
    """The NumPy CPU device, the reference semantics for every other device."""
    return _CPU
