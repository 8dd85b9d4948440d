"""The backend modules: the primitive list every one implements, the plain Numba kernels that
hw3 reveals as its model answer, and the disk cache of the kernels made by one loop each."""
import os
import subprocess
import sys
import types

import numpy as np
import pytest

from autograder.implementation import unload
from autograder.strip import strip_tree
from conftest import REFERENCE, ROOT, load_implementation, minidl_reference, without_capabilities

mdl = minidl_reference()
reference = mdl.backends.device("cpu").backend  # the semantics every backend reproduces
rng = np.random.default_rng(0)
SIZES = (1, 7, 31, 33, 64, 1025)  # ones, odd sizes, powers of two and past them


def test_every_device_module_implements_every_primitive_and_its_tuned_capabilities():
    for name in ("cpu", "cpu_numba", "cuda"):
        device = mdl.backends.device(name)
        assert mdl.backends.check_primitives(device.backend) is device.backend
        assert mdl.backends.check_tuned(device.tuned) is device.tuned
        for primitive in mdl.backends.PRIMITIVES:  # what runs: the tuned one where it has one
            source = device.tuned if primitive in device.tuned.PRIMITIVES else device.backend
            assert getattr(device.kernels, primitive) is getattr(source, primitive)


def tuned_module(**names) -> types.ModuleType:
    module = types.ModuleType(f"{mdl.backends.__name__}.fake_tuned")
    vars(module).update({"PRIMITIVES": (), "CAPABILITIES": ()} | names)
    return module


@pytest.mark.parametrize("module, problem", [
    (tuned_module(CAPABILITIES=("adam", "fast_everything")), "unknown .* fast_everything"),
    (tuned_module(PRIMITIVES=("matmul", "conv2d"), matmul=print), "unknown .* conv2d"),
    (tuned_module(CAPABILITIES=("batch_norm",), batch_norm_stats=print, batch_norm_apply=print,
                  batch_norm_sum=print), "lacks batch_norm.batch_norm_grad_x$"),
    (tuned_module(PRIMITIVES=("matmul",)), "lacks matmul$"),
])
def test_a_tuned_module_offering_what_it_lacks_or_what_is_not_declared_is_refused(module,
                                                                                   problem):
    with pytest.raises(ImportError, match=problem):
        mdl.backends.check_tuned(module)


def test_the_repeated_vector_kernels_are_those_the_capability_declares():
    assert set(mdl.cpu_numba().tuned._REPEATED) == set(mdl.backends.REPEATABLE)


def test_a_misspelt_capability_raises_rather_than_taking_the_plain_path():
    with pytest.raises(ValueError, match="unknown capability 'lstm_cel'"):
        mdl.cpu_numba().has("lstm_cel")
    assert mdl.cpu_numba().has("adam") and not mdl.cpu_numba().has("lstm_cell")


def test_a_backend_module_missing_a_primitive_is_refused_when_its_device_loads(monkeypatch):
    fake = types.ModuleType(f"{mdl.backends.__name__}.fake_backend")
    vars(fake).update({name: getattr(reference, name) for name in mdl.backends.PRIMITIVES
                       if name != "reduce_max"})
    monkeypatch.setitem(sys.modules, fake.__name__, fake)
    monkeypatch.setitem(mdl.backends._MODULES, "fake", "fake_backend")
    with pytest.raises(ImportError, match=r"module \S+\.fake_backend lacks the primitives "
                                          r"reduce_max$"):
        mdl.backends.device("fake")


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """numba_backend as `make release REVEAL=hw3` gives it to students, compiled afresh."""
    folder = tmp_path_factory.mktemp("revealed") / "minidl"
    strip_tree(REFERENCE, folder, frozenset({"hw3"}))
    assert not (folder / "backends" / "numba_tuned.py").exists()
    package = load_implementation(folder)
    assert package.backends.device("cpu_numba").tuned is None
    yield package.backends.device("cpu_numba").backend
    unload(package.__name__)


def test_the_revealed_kernels_are_the_plain_ones(plain):
    source = open(plain.__file__).read()
    assert "REFERENCE ONLY" not in source and "numba_tuned" not in source
    assert plain.matmul.py_func.__module__ == plain.__name__


@pytest.mark.parametrize("mnp", [(1, 1, 1), (7, 7, 7), (31, 33, 64), (33, 1025, 31),
                                 (3, 1100, 65), (64, 5, 1025), (1025, 64, 1)])
def test_plain_matmul_matches_numpy(plain, mnp):
    m, n, p = mnp
    a, b = rng.standard_normal((m, n), dtype="float32"), rng.standard_normal((n, p), "float32")
    out = np.empty(m * p, dtype="float32")
    plain.matmul(a.ravel(), b.ravel(), out, m, n, p)
    np.testing.assert_allclose(out.reshape(m, p), a @ b, rtol=1e-4, atol=1e-4 * np.sqrt(n))


@pytest.mark.parametrize("rows, size", [(1, 1), (1, 1025), (33, 7), (1025, 1), (7, 1100)])
def test_plain_reductions_match_numpy(plain, rows, size):
    a = rng.standard_normal(rows * size, dtype="float32")
    for primitive in ("reduce_sum", "reduce_max"):
        got, expected = np.empty(rows, "float32"), np.empty(rows, "float32")
        getattr(plain, primitive)(a, got, size)
        getattr(reference, primitive)(a, expected, size)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5, err_msg=primitive)


def _views(size):
    """(shape, strides, offset, buffer size) of strided views that cross the sizes' tails."""
    return [((size,), (1,), 0, size), ((size,), (-1,), size - 1, size),
            ((3, size), (size, 1), 0, 3 * size), ((size, 3), (1, size), 0, 3 * size),
            ((2, size, 3), (0, 3, 1), 0, 3 * size), ((size, 2), (2, -1), 1, 2 * size),
            ((), (), 2, 3)]


@pytest.mark.parametrize("size", SIZES)
def test_plain_strided_copies_match_numpy(plain, size):
    for shape, strides, offset, length in _views(size):
        a = rng.standard_normal(length, dtype="float32")
        values = rng.standard_normal(int(np.prod(shape)), dtype="float32")
        got, expected = np.empty(values.size, "float32"), np.empty(values.size, "float32")
        plain.compact(a, got, shape, strides, offset)
        reference.compact(a, expected, shape, strides, offset)
        np.testing.assert_array_equal(got, expected, err_msg=f"compact {shape} {strides}")
        if 0 not in strides:  # a broadcast view is written through its last copy only
            got, expected = a.copy(), a.copy()
            plain.ewise_setitem(values, got, shape, strides, offset)
            reference.ewise_setitem(values, expected, shape, strides, offset)
            np.testing.assert_array_equal(got, expected, err_msg=f"setitem {shape} {strides}")
        got, expected = a.copy(), a.copy()
        plain.scalar_setitem(values.size, 2.5, got, shape, strides, offset)
        reference.scalar_setitem(values.size, 2.5, expected, shape, strides, offset)
        np.testing.assert_array_equal(got, expected, err_msg=f"scalar setitem {shape} {strides}")


@pytest.mark.parametrize("size", [1, 1025])
def test_plain_elementwise_kernels_match_numpy(plain, size):
    x = rng.uniform(0.5, 2.0, size).astype("float32")
    y = np.where(rng.random(size) < 0.3, x, rng.uniform(0.5, 2.0, size)).astype("float32")
    for name in mdl.backends.PRIMITIVES:
        kind, _, op = name.partition("_")
        if kind not in ("ewise", "scalar") or op == "setitem":
            continue
        unary = op in ("log", "exp", "tanh")
        args = (x,) if unary else (x, y) if kind == "ewise" else (x, 1.5)
        got, expected = np.empty(size, "float32"), np.empty(size, "float32")
        getattr(plain, name)(*args, got)
        getattr(reference, name)(*args, expected)
        np.testing.assert_allclose(got, expected, rtol=1e-6, err_msg=name)


LOAD_KERNELS = """
import numpy as np, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from autograder.implementation import load_package
device = load_package(Path({reference!r}), "minidl").cpu_numba()
plain, tuned = device.backend, device.tuned
a, out = np.ones(40, dtype="float32"), np.empty(40, dtype="float32")
{calls}
print(sum(sum(kernel.stats.cache_misses.values()) for kernel in [{kernels}]))
"""
CACHED_KERNELS = {  # how each kind of kernel is made: by a factory from one loop, or tuned
    "one loop": ("plain.ewise_mul(a, a, out), plain.scalar_div(a, 2.0, out), "
                 "plain.ewise_exp(a, out)", "plain.ewise_mul, plain.scalar_div, plain.ewise_exp"),
    "tuned": ("tuned.ewise_exp(a, out), tuned.reduce_max(a, out[:2], 20), "
              "tuned.ewise_repeated('ewise_add', a, a, 0, out, 20, True)",
              "tuned.ewise_exp, tuned.reduce_max, tuned._REPEATED['ewise_add']"),
}


@pytest.mark.parametrize("kind", CACHED_KERNELS)
def test_kernels_load_from_numbas_cache_in_a_later_run(kind, tmp_path):
    calls, kernels = CACHED_KERNELS[kind]
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    script = LOAD_KERNELS.format(root=str(ROOT), reference=str(REFERENCE), calls=calls,
                                 kernels=kernels)
    misses = [subprocess.run([sys.executable, "-c", script], env=env, check=True, text=True,
                             capture_output=True).stdout.split()[-1] for _ in range(2)]
    assert misses == ["3", "0"]


@pytest.mark.parametrize("optimizer", ["Adam", "AdamW"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_numbas_fused_adam_update_gives_the_numbers_of_the_plain_one(optimizer, dtype,
                                                                     monkeypatch):
    mdl = minidl_reference()
    device = mdl.cpu_numba()

    def steps():
        data = np.random.default_rng(1)
        params = [mdl.nn.Parameter(mdl.Tensor(data.standard_normal(shape), device=device,
                                              dtype=dtype)) for shape in [(300, 7), (5,)]]
        adam = getattr(mdl.optim, optimizer)(params, lr=0.01, weight_decay=0.1, betas=(0.8, 0.99),
                                             eps=1e-6)
        for _ in range(3):
            for param in params:
                param.grad = mdl.Tensor(data.standard_normal(param.shape), device=device,
                                        dtype=dtype)
            adam.step()
        return [param.numpy() for param in params] + [moment[id(param)].numpy()
                                                       for moment in (adam.m, adam.v)
                                                       for param in params]

    fused = steps()
    without_capabilities(monkeypatch, device, "adam")
    for ours, plain in zip(fused, steps(), strict=True):  # float32: an ulp, where m cancels
        np.testing.assert_allclose(ours, plain, rtol=1e-6 if dtype == "float32" else 1e-13,
                                   atol=1e-7 if dtype == "float32" else 0)
