### BEGIN REFERENCE ONLY
"""The kit's kernel launches for `minidl.cuda()`: counted, and on a GPU compiled once and
launched by CuPy. The starter does not include this module: students' kernels are numba.cuda's
own, launched by numba.

numba.cuda launches a kernel on CuPy arrays for about 87 us of Python; the same kernel compiled
once per argument signature and launched through CuPy costs about 12 us (H200). Under Numba's
simulator a kernel launches exactly as numba.cuda launches it.
"""
from __future__ import annotations

import collections
import functools
import re
import warnings

import numba
import numpy as np
from numba import cuda

try:
    from numba.cuda.core.errors import NumbaPerformanceWarning  # numba-cuda's own class
except ImportError:
    from numba.core.errors import NumbaPerformanceWarning

SIMULATED = bool(numba.config.ENABLE_CUDASIM)
if SIMULATED:
    DEVICE_ARRAYS: tuple[type, ...] = ()
else:
    import cupy
    DEVICE_ARRAYS = (cupy.ndarray,)

# False makes every launch numba.cuda's own (to time the difference).
CUPY_LAUNCH = not SIMULATED
# Launches so far, by kernel name: clear it, run a step, read it.
launch_counts: collections.Counter[str] = collections.Counter()
_SCALARS = (numba.types.Integer, numba.types.Float, numba.types.Boolean)
_ENTRY = re.compile(r"\.entry\s+([^\s(]+)\s*\(")  # a kernel's name, up to its parameters


def kernel(pyfunc) -> "Kernel":
    """`pyfunc` as a numba.cuda kernel, launched as kernel[blocks, threads](*args)."""
    return Kernel(cuda.jit(pyfunc))


class Kernel:
    """A numba.cuda kernel (its dispatcher) launched cheaply, with each launch counted."""

    def __init__(self, dispatcher):
        self.dispatcher = dispatcher
        self.__name__ = dispatcher.__name__
        self._launches: dict[tuple, CupyLaunch | None] = {}  # by signature; None: numba's

    def __getitem__(self, configuration):
        blocks, threads = configuration
        return functools.partial(self._launch, blocks, threads)

    def __repr__(self) -> str:
        return f"Kernel({self.__name__})"

    def _launch(self, blocks, threads, *args) -> None:
        launch_counts[self.__name__] += 1
        if CUPY_LAUNCH:
            key = tuple([_signature_key(value) for value in args])
            launch = self._launches.get(key, False)
            if launch is False:
                launch = self._launches[key] = self._compile(args)
            if launch is not None:
                launch(blocks, threads, args)
                return
        with warnings.catch_warnings():
            # numba warns at every launch of fewer than 128 blocks; small arrays need few
            warnings.simplefilter("ignore", NumbaPerformanceWarning)
            self.dispatcher[blocks, threads](*args)

    def _compile(self, args) -> "CupyLaunch | None":
        """This kernel compiled for `args` and loaded by CuPy; None where numba must launch it."""
        options = self.dispatcher.targetoptions
        if options.get("debug") or options.get("link") or options.get("extensions"):
            return None  # numba's launch reports device exceptions and links extra code
        if not all(_on_device(value) for value in args):
            return None  # host arrays: numba copies them to the device and back
        signature = argument_types(args)
        if signature is None:
            return None
        cc = _compute_capability()
        settings = {name: options[name] for name in ("fastmath", "lineinfo", "opt",
                                                     "launch_bounds")
                    if options.get(name) is not None}  # numba-cuda < 0.10 has no launch_bounds
        ptx, _ = cuda.compile_ptx(self.dispatcher.py_func, signature, cc=cc, **settings)
        module = cupy.cuda.Module()
        module.load(link_cubin(ptx, cc))
        return CupyLaunch(module.get_function(entry_name(ptx)), signature)


class CupyLaunch:
    """A kernel loaded by CuPy for one argument signature, launched with numba's parameters."""

    def __init__(self, function, signature: tuple):
        self.function = function
        self.converters = parameter_converters(signature)

    def __call__(self, blocks, threads, args) -> None:
        self.function(blocks if isinstance(blocks, tuple) else (blocks,),
                      threads if isinstance(threads, tuple) else (threads,),
                      flatten_arguments(args, self.converters))


def _on_device(value) -> bool:
    """Whether a kernel argument is a device array, a number, or a tuple of those."""
    if isinstance(value, tuple):
        return all(_on_device(item) for item in value)
    return isinstance(value, DEVICE_ARRAYS) or np.isscalar(value)


def _signature_key(value):
    """What of a kernel argument picks its compiled version: an array's type, else the type."""
    if isinstance(value, DEVICE_ARRAYS):
        flags = value.flags
        return value.dtype, value.ndim, flags.c_contiguous, flags.f_contiguous
    if isinstance(value, tuple):
        return tuple([_signature_key(item) for item in value])
    return type(value)


def argument_type(value) -> numba.types.Type | None:
    """The numba type numba.cuda compiles a kernel argument as; None unless an array, a number
    or a tuple of arguments of one type."""
    if isinstance(value, tuple):
        kinds = {argument_type(item) for item in value}
        if len(kinds) != 1 or None in kinds:
            return None
        return numba.types.UniTuple(kinds.pop(), len(value))
    if isinstance(value, (np.ndarray, *DEVICE_ARRAYS)):
        flags = value.flags
        layout = "C" if flags.c_contiguous else "F" if flags.f_contiguous else "A"
        dtype = numba.from_dtype(value.dtype)
        return numba.types.Array(dtype, value.ndim, layout) if isinstance(dtype, _SCALARS) else None
    kind = numba.typeof(value) if np.isscalar(value) else None
    return kind if isinstance(kind, _SCALARS) else None


def argument_types(args) -> tuple | None:
    """The signature numba.cuda compiles a kernel for `args`; None if one is not supported."""
    types = tuple(argument_type(value) for value in args)
    return None if None in types else types


def parameter_converters(signature) -> tuple:
    """Per argument: None for an array, a tuple of its items' converters for a tuple, else the
    NumPy type that passes it at its PTX width."""
    return tuple(None if isinstance(kind, numba.types.Array)
                 else parameter_converters(kind) if isinstance(kind, numba.types.UniTuple)
                 else np.dtype(str(kind)).type for kind in signature)


def flatten_arguments(args, converters) -> list:
    """The kernel's PTX parameters for `args`: each array as the members of numba's array struct,
    a tuple as its items in order."""
    flat = []
    for value, convert in zip(args, converters):
        if isinstance(convert, tuple):
            flat += flatten_arguments(value, convert)
        elif convert is None:
            # meminfo and parent (null on a device), nitems, itemsize, data, shape, byte strides;
            # CuPy passes a Python int as int64, and an array as its data pointer
            flat += (0, 0, value.size, value.itemsize, value, *value.shape, *value.strides)
        else:
            flat.append(convert(value))
    return flat


def entry_name(ptx: str) -> str:
    """The (mangled) name of the kernel that `ptx` defines."""
    return _ENTRY.search(ptx).group(1)


def entry_parameters(ptx: str) -> list[str]:
    """The PTX types (u64, f32, ...) of the kernel's parameters, in order."""
    start = _ENTRY.search(ptx).end()
    return re.findall(r"\.param\s+\.(\w+)", ptx[start:ptx.index(")", start)])


def link_cubin(ptx: str, cc: tuple[int, int]) -> bytes:
    """`ptx` linked into a cubin for compute capability `cc` (by nvJitLink: no GPU needed)."""
    # as numba.cuda does: a driver older than NVVM cannot load its PTX, but runs the cubin
    try:
        from cuda.core import Linker, LinkerOptions, ObjectCode
    except ImportError:  # cuda-core before 0.5
        from cuda.core.experimental import Linker, LinkerOptions, ObjectCode

    linker = Linker(ObjectCode.from_ptx(ptx.encode()),
                    options=LinkerOptions(arch=f"sm_{cc[0]}{cc[1]}"))
    try:
        return linker.link("cubin").code
    finally:
        linker.close()


@functools.cache
def _compute_capability() -> tuple[int, int]:
    digits = cupy.cuda.Device().compute_capability  # as "90"
    return int(digits[:-1]), int(digits[-1])
### END REFERENCE ONLY
