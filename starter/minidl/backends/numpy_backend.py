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


# Primitives of the strided NDArray (see ndarray.py) on flat NumPy buffers; strides are in
# elements. This module is the reference semantics every other backend must reproduce.

def empty(size: int, dtype: str) -> numpy.ndarray:
    return numpy.empty(size, dtype=dtype)


def buffer_size(buffer: numpy.ndarray) -> int:
    return buffer.size


def from_numpy(array: numpy.ndarray, out: numpy.ndarray) -> None:
    out[:] = array.ravel()


def _strided(buffer: numpy.ndarray, shape, strides, offset: int) -> numpy.ndarray:
    item = buffer.itemsize
    return numpy.lib.stride_tricks.as_strided(buffer[offset:], shape, [s * item for s in strides])


def to_numpy(buffer: numpy.ndarray, shape, strides, offset: int) -> numpy.ndarray:
    return _strided(buffer, shape, strides, offset).copy()


def fill(out: numpy.ndarray, value: float) -> None:
    out.fill(value)


def compact(a: numpy.ndarray, out: numpy.ndarray, shape, strides, offset: int) -> None:
    out[:] = _strided(a, shape, strides, offset).ravel()


def ewise_setitem(a: numpy.ndarray, out: numpy.ndarray, shape, strides, offset: int) -> None:
    _strided(out, shape, strides, offset)[...] = a.reshape(shape)


def scalar_setitem(size: int, value: float, out: numpy.ndarray, shape, strides,
                   offset: int) -> None:
    _strided(out, shape, strides, offset)[...] = value


def _ewise(function):
    def primitive(a, b, out):
        out[:] = function(a, b)
    return primitive


ewise_add = scalar_add = _ewise(numpy.add)
ewise_mul = scalar_mul = _ewise(numpy.multiply)
ewise_div = scalar_div = _ewise(numpy.divide)
ewise_power = scalar_power = _ewise(numpy.power)
ewise_maximum = scalar_maximum = _ewise(numpy.maximum)
ewise_eq = scalar_eq = _ewise(numpy.equal)
ewise_ge = scalar_ge = _ewise(numpy.greater_equal)


def ewise_log(a, out):
    out[:] = numpy.log(a)


def ewise_exp(a, out):
    out[:] = numpy.exp(a)


def ewise_tanh(a, out):
    out[:] = numpy.tanh(a)


def reduce_sum(a, out, reduce_size: int) -> None:
    out[:] = a.reshape(-1, reduce_size).sum(axis=1)


def reduce_max(a, out, reduce_size: int) -> None:
    out[:] = a.reshape(-1, reduce_size).max(axis=1)


def matmul(a, b, out, m: int, n: int, p: int) -> None:
    out[:] = (a.reshape(m, n) @ b.reshape(n, p)).ravel()
