"""The reference's tuned Numba kernels (backends/numba_tuned.py): float32 exp, log and tanh
within a few ulp of the exact values over the whole float32 range, special values as NumPy's,
and sums and maxima of rows that match NumPy at awkward sizes."""
import numpy as np
import pytest

from conftest import minidl_reference

mdl = minidl_reference()
kernels = mdl.cpu_numba().tuned
rng = np.random.default_rng(0)

# The largest error, in units in the last place of the exact value, seen on all 2**32 float32
# inputs: exp 1.01, log 0.84, tanh 1.33. Subnormal results count in the ulp of the subnormals,
# 2**-149 (exp rounds them once, as NumPy does, rather than flushing them to 0).
MAX_ULPS = {"exp": 1.5, "log": 1.0, "tanh": 1.5}
EXACT = {"exp": np.exp, "log": np.log, "tanh": np.tanh}
THRESHOLDS = {  # inputs near which a formula changes or the result leaves the normal numbers
    "exp": (88.72284, 88.0, -87.33655, -103.27893, -103.97208, 0.34657359, -0.34657359, 0.0),
    "log": (1.0, 1.41421356, 0.70710678, 1.17549435e-38, 2.0, 0.5),
    "tanh": (0.625, -0.625, 0.0, 9.0, 1e-4),
}
SPECIALS = np.array([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 1.4e-45,
                     -1.4e-45, 1.17549435e-38, 3.4028235e38, -3.4028235e38, 89.0, -104.0,
                     88.72284, 88.72285, -103.97208, -103.97209, 0.625, -0.625, 1e-30],
                    dtype="float32")


def _float32_sample():
    """Every 509th float32 bit pattern, and every float32 within 2**14 of each threshold."""
    bits = [np.arange(0, 2 ** 32, 509, dtype=np.uint64)]
    for points in THRESHOLDS.values():
        for point in np.asarray(points, dtype="float32").view(np.uint32).astype(np.int64):
            bits.append(np.arange(point - 2 ** 14, point + 2 ** 14).astype(np.uint64))
    return np.concatenate(bits).astype(np.uint32).view(np.float32)


SAMPLE = _float32_sample()


def ulps(got: np.ndarray, exact: np.ndarray) -> np.ndarray:
    """|got - exact| in units of the last place of float32 at exact (2**-149 for subnormals)."""
    _, exponent = np.frexp(np.abs(exact))
    return np.abs(got.astype(np.float64) - exact) / np.maximum(np.ldexp(1.0, exponent - 24),
                                                               2.0 ** -149)


@pytest.mark.parametrize("name", ["exp", "log", "tanh"])
def test_float32_math_is_within_a_few_ulp_on_the_whole_range(name):
    kernel = getattr(kernels, f"ewise_{name}")
    got = np.empty_like(SAMPLE)
    kernel(SAMPLE, got)
    with np.errstate(all="ignore"):
        exact = EXACT[name](SAMPLE.astype(np.float64))
        rounded = exact.astype(np.float32)
    ordinary = np.isfinite(rounded) & (rounded != 0)  # the others must be NumPy's exactly
    errors = ulps(got[ordinary], exact[ordinary])
    worst = int(np.argmax(errors))
    assert errors[worst] <= MAX_ULPS[name], (
        f"{name}({SAMPLE[ordinary][worst]!r}) = {got[ordinary][worst]!r}, exact "
        f"{exact[ordinary][worst]!r}: {errors[worst]:.2f} ulp")
    np.testing.assert_array_equal(got[~ordinary], rounded[~ordinary],
                                  err_msg=f"{name} of inf, nan, 0 or out of range")


@pytest.mark.parametrize("name", ["exp", "log", "tanh"])
def test_float32_math_of_special_values_is_numpys(name):
    got = np.empty_like(SPECIALS)
    getattr(kernels, f"ewise_{name}")(SPECIALS, got)
    with np.errstate(all="ignore"):
        expected = EXACT[name](SPECIALS.astype(np.float64)).astype(np.float32)
    exact = np.isfinite(expected) & (expected != 0)
    assert np.all(ulps(got[exact], expected[exact].astype(np.float64)) <= MAX_ULPS[name])
    np.testing.assert_array_equal(got[~exact], expected[~exact])  # NaN, inf and 0
    signed = ~exact & ~np.isnan(expected)
    np.testing.assert_array_equal(np.signbit(got[signed]), np.signbit(expected[signed]))


@pytest.mark.parametrize("name", ["exp", "log", "tanh"])
def test_float64_math_is_numpys(name):
    x = rng.uniform(0.01, 5, 1025) * rng.choice([1.0, -1.0] if name != "log" else [1.0], 1025)
    got = np.empty_like(x)
    getattr(kernels, f"ewise_{name}")(x, got)
    np.testing.assert_allclose(got, EXACT[name](x), rtol=1e-15)


REDUCTION_SHAPES = [(1, 1), (1, 7), (1, 8), (1, 9), (3, 1023), (2, 1025), (5000, 7), (700, 33),
                    (3, 100_003), (1, 3 * 2 ** 15 + 1), (15, 40_000), (16, 40_000)]


@pytest.mark.parametrize("rows, size", REDUCTION_SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sums_of_rows_match_numpys_in_float64(rows, size, dtype):
    a = rng.standard_normal((rows, size)).astype(dtype) + 0.5
    got = np.empty(rows, dtype)
    kernels.reduce_sum(a.ravel(), got, size)
    exact = a.astype(np.float64).sum(axis=1)
    scale = np.abs(a).astype(np.float64).sum(axis=1)
    np.testing.assert_allclose(got, exact, rtol=0, atol=float(np.max(scale)) * 4e-7 + 1e-30)


def test_a_sum_of_no_numbers_is_zero():
    out = np.full(3, 7.0, "float32")
    kernels.reduce_sum(np.empty(0, "float32"), out, 0)
    assert np.array_equal(out, np.zeros(3))


def test_a_sum_of_ten_million_float32_is_as_close_as_numpys_pairwise_sum():
    a = rng.uniform(0, 1, 10_000_000).astype(np.float32)  # one sign: no cancellation to hide in
    out = np.empty(1, "float32")
    kernels.reduce_sum(a, out, a.size)
    exact = a.astype(np.float64).sum()
    ulp = float(np.spacing(np.float32(exact)))
    numpy_error = abs(float(a.sum()) - exact)
    assert abs(float(out[0]) - exact) <= max(numpy_error, ulp / 2)


@pytest.mark.parametrize("rows, size", REDUCTION_SHAPES)
def test_maxima_of_rows_match_numpys(rows, size):
    a = rng.standard_normal((rows, size)).astype("float32")
    got = np.empty(rows, "float32")
    kernels.reduce_max(a.ravel(), got, size)
    np.testing.assert_array_equal(got, a.max(axis=1))


@pytest.mark.parametrize("rows, size", [(1, 9), (3, 1025), (40, 33), (2, 100_003)])
def test_a_nan_anywhere_in_a_row_makes_its_maximum_nan_as_in_numpy(rows, size):
    a = rng.standard_normal((rows, size)).astype("float32")
    for column in {0, 1, size // 2, size - 9, size - 1}:
        b = a.copy()
        b[0, 0], b[-1, -1] = -np.inf, np.inf  # numbers, unlike NaN
        b[rows // 2, column] = np.nan
        got = np.empty(rows, "float32")
        kernels.reduce_max(b.ravel(), got, size)
        np.testing.assert_array_equal(got, b.max(axis=1), err_msg=f"NaN at column {column}")


def test_the_kernels_run_as_plain_python_too():
    """As the tests that run hw3's checks without Numba's JIT call them."""
    a = rng.standard_normal(2 * 37).astype("float32")
    a[40] = np.nan
    for name in ("reduce_sum", "reduce_max"):
        got, expected = np.empty(2, "float32"), np.empty(2, "float32")
        getattr(kernels, name).py_func(a, got, 37)
        getattr(kernels, name)(a, expected, 37)
        np.testing.assert_allclose(got, expected, rtol=1e-6, err_msg=name)
    for name in ("ewise_exp", "ewise_log", "ewise_tanh"):
        x = np.abs(a[:8])
        got, expected = np.empty_like(x), np.empty_like(x)
        getattr(kernels, name).py_func(x, got)
        getattr(kernels, name)(x, expected)
        np.testing.assert_allclose(got, expected, rtol=1e-6, err_msg=name)
