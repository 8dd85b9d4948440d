"""The strided NDArray on every device, against NumPy."""
import math
import re

import numpy as np
import pytest

from conftest import minidl_reference, without_capabilities

mdl = minidl_reference()
NDArray = mdl.ndarray.NDArray
DEVICES = ["cpu", "cpu_numba", "cuda"]
SIMULATED_ELEMENTS = 200  # without a GPU, cuda runs a Python thread per element: keep it small
rng = np.random.default_rng(0)


def on_devices(cases, size=math.prod):
    """(device, case) pairs: every case on the CPU devices; on cuda those whose `size(case)` is
    small enough for the simulator, unless a real GPU is present."""
    gpu = not mdl.backends.device("cuda").backend.SIMULATED
    return [(name, case) for case in cases for name in DEVICES
            if name != "cuda" or gpu or size(case) <= SIMULATED_ELEMENTS]


@pytest.fixture(params=DEVICES)
def device(request):
    return mdl.backends.device(request.param)


@pytest.fixture(params=["reference", "starter"])
def reduce_path(request, device, monkeypatch):
    """NDArray._reduce as the reference runs it (copying less) and as the starter has it."""
    if request.param == "starter":
        without_capabilities(monkeypatch, device, "views")
    return request.param


def _pair(device, shape, dtype="float32"):
    array = rng.standard_normal(shape).astype(dtype)
    return array, NDArray(array, device=device)


def test_views_share_the_buffer_and_only_change_metadata(device):
    array, a = _pair(device, (4, 5, 6))
    for view, expected in [
        (a.permute((2, 0, 1)), array.transpose(2, 0, 1)),
        (a[1:3, ::2, -1], array[1:3, ::2, -1]),
        (a[::-1, 1, 2:5], array[::-1, 1, 2:5]),
        (a[:, :1].broadcast_to((3, 4, 5, 6)), np.broadcast_to(array[:, :1], (3, 4, 5, 6))),
        (a.reshape(20, 6), array.reshape(20, 6)),
        (a.reshape(-1), array.reshape(-1)),
    ]:
        assert view._handle is a._handle
        np.testing.assert_array_equal(view.numpy(), expected)
    view = a.permute((2, 0, 1))
    assert view.strides == (1, 30, 6) and view.offset == 0 and not view.is_compact()
    assert a[2, 1:].offset == 2 * 30 + 6 and a[2, 1:].strides == (6, 1)


def test_compact_copies_only_what_is_not_compact(device):
    array, a = _pair(device, (3, 7))
    assert a.compact() is a
    view = a[:, 1:6:2]
    compacted = view.compact()
    assert compacted._handle is not a._handle and compacted.is_compact()
    assert compacted.strides == (3, 1)
    np.testing.assert_array_equal(compacted.numpy(), array[:, 1:6:2])


def test_reshape_errors_name_the_shapes(device):
    _, a = _pair(device, (2, 3))
    with pytest.raises(ValueError, match=r"shape \(2, 3\).*into shape \(4, 2\)"):
        a.reshape(4, 2)
    with pytest.raises(ValueError, match=r"broadcast shape \(2, 3\) to \(2, 4\)"):
        a.broadcast_to((2, 4))
    with pytest.raises(IndexError, match=r"index 5 is out of bounds for axis 1 of size 3"):
        a[0, 5]


def test_numpys_shape_methods_view_or_copy_as_numpy_does(device):
    array, a = _pair(device, (2, 1, 3))
    transposed = a.permute((2, 1, 0))
    np.testing.assert_array_equal(transposed.reshape(6).numpy(), array.transpose(2, 1, 0).ravel())
    assert transposed.reshape(6)._handle is not a._handle and a[1:].reshape(3)._handle is a._handle
    np.testing.assert_array_equal(a.swapaxes(0, -1).numpy(), array.swapaxes(0, -1))
    np.testing.assert_array_equal(a.squeeze().numpy(), array.squeeze())
    np.testing.assert_array_equal(a.squeeze(-2).numpy(), array.squeeze(-2))
    with pytest.raises(ValueError, match=r"cannot squeeze axes \(0,\) of shape \(2, 1, 3\)"):
        a.squeeze(0)
    np.testing.assert_allclose((a * a).sqrt().numpy(), np.abs(array), rtol=1e-6)


@pytest.mark.parametrize("shapes", [((2, 3, 4), (4, 5)), ((3, 1, 2, 4), (2, 4, 3)),
                                    ((4, 2), (2, 2, 3)), ((1, 2, 3), (1, 3, 2))], ids=str)
def test_matmul_multiplies_the_last_two_axes_over_leading_axes_that_broadcast(device, shapes):
    x, a = _pair(device, shapes[0])
    y, b = _pair(device, shapes[1])
    np.testing.assert_allclose((a @ b).numpy(), x @ y, rtol=1e-5, atol=1e-5)


def test_matmul_errors_name_the_shapes(device):
    _, a = _pair(device, (2, 2, 3))
    with pytest.raises(ValueError, match=r"cannot multiply shapes \(2, 2, 3\) and \(2, 3\)"):
        a @ a.reshape(2, 3, 2)[0].permute((1, 0))
    with pytest.raises(ValueError, match=r"batch dimensions of \(2, 2, 3\) and \(3, 3, 1\)"):
        a @ _pair(device, (3, 3, 1))[1]
    with pytest.raises(ValueError, match="cannot multiply"):
        a @ _pair(device, (3,))[1]


def test_setitem_writes_arrays_and_scalars_through_views(device):
    array, a = _pair(device, (5, 6))
    values, v = _pair(device, (3, 2))
    a[1:4, ::3] = v
    a[0] = 7.0
    a[:, -1] = 0.5
    array[1:4, ::3] = values
    array[0] = 7.0
    array[:, -1] = 0.5
    np.testing.assert_array_equal(a.numpy(), array)
    with pytest.raises(ValueError, match=r"shape \(2, 2\) to a view of shape \(3, 2\)"):
        a[1:4, ::3] = NDArray(np.zeros((2, 2)), device=device)


@pytest.mark.parametrize("device, shape", on_devices([(1,), (7,), (13, 1), (3, 64, 5), (129, 67)]),
                         indirect=["device"])
def test_elementwise_operations_match_numpy_on_odd_and_strided_shapes(device, shape):
    x, a = _pair(device, shape)
    y, b = _pair(device, shape)
    positive = np.abs(x) + 0.5
    p = NDArray(positive, device=device)
    cases = [
        (a + b, x + y), (a - b, x - y), (a * b, x * y), (a / (b * b + 1), x / (y * y + 1)),
        (a + 2.5, x + 2.5), (3.0 - a, 3.0 - x), (a * -2, x * -2), (a / 4, x / 4),
        (2.0 / p, 2.0 / positive), (p ** 1.5, positive ** 1.5), (p ** b, positive ** y),
        (a.maximum(b), np.maximum(x, y)), (a.maximum(0.1), np.maximum(x, 0.1)),
        ((a == a) * 1.0, np.ones(shape)), (a >= b, (x >= y) * 1.0), (a >= 0, (x >= 0) * 1.0),
        (p.log(), np.log(positive)), (a.exp(), np.exp(x)), (a.tanh(), np.tanh(x)), (-a, -x),
    ]
    for got, expected in cases:
        assert got.shape == shape and got.dtype == "float32"
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5, atol=1e-6)
    strided = a.permute(tuple(reversed(range(len(shape)))))
    np.testing.assert_allclose((strided * 2).numpy(), x.T * 2, rtol=1e-6)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_elementwise_operations_with_a_broadcast_operand_match_numpy(device, dtype):
    """Vectors repeated down rows or across columns (which the reference reads in place on
    cpu_numba), at an offset in their buffer, on either side; and other broadcasts."""
    rows, columns = (rng.uniform(0.5, 2.0, shape).astype(dtype) for shape in ((3, 5, 7), (3, 5, 1)))
    r, c = NDArray(rows, device=device), NDArray(columns, device=device)
    x = rng.standard_normal((5, 7)).astype(dtype)
    a = NDArray(x, device=device)
    operands = [(r[1, 2:3, :], rows[1, 2:3, :]), (r[0, 0, :], rows[0, 0, :]),  # rows
                (c[1], columns[1]), (r[2, :, 3:4], rows[2, :, 3:4]),  # columns: compact, strided
                (r[1, 1:2, 2:3], rows[1, 1:2, 2:3])]  # one number
    for small, y in operands:
        b, y = small.broadcast_to((5, 7)), np.broadcast_to(y, (5, 7))
        for got, expected in [(a + b, x + y), (b + a, y + x), (a * b, x * y), (b * a, y * x),
                              (a / b, x / y), (b / (a * a + 1), y / (x * x + 1)),
                              (a.maximum(b), np.maximum(x, y)), (b + b, y + y)]:
            assert got.dtype == dtype
            np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6, err_msg=str(b.strides))
    middle = NDArray(rng.standard_normal((2, 1, 4)).astype(dtype), device=device)
    z = rng.standard_normal((2, 3, 4)).astype(dtype)
    np.testing.assert_allclose((NDArray(z, device=device) * middle.broadcast_to((2, 3, 4))).numpy(),
                               z * middle.numpy(), rtol=1e-6)


def test_elementwise_operands_must_share_shape_and_device(device):
    _, a = _pair(device, (2, 3))
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(3, 2\) differ"):
        a + NDArray(np.zeros((3, 2)), device=device)
    other = mdl.backends.device(next(d for d in DEVICES if d != device.name))
    with pytest.raises(ValueError, match="arrays on"):
        a + NDArray(np.zeros((2, 3)), device=other)


@pytest.mark.parametrize("axis", [None, 0, 1, 2, -1, (0, 2), (0, 1), (1, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_match_numpy(device, axis, keepdims, reduce_path):
    x, a = _pair(device, (5, 1, 7))
    strided = a[::-1]
    np.testing.assert_allclose(a.sum(axis, keepdims).numpy(), x.sum(axis, keepdims=keepdims),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(strided.max(axis, keepdims).numpy(),
                                  x[::-1].max(axis, keepdims=keepdims))


@pytest.mark.parametrize("shape", [(), (1,), (3, 1), (1, 1, 2), (0,), (0, 3), (3, 0), (2, 0, 1)],
                         ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_of_0d_length_1_and_empty_axes_match_numpy(device, shape, keepdims,
                                                              reduce_path):
    """A sum over no numbers is 0; a max over an axis of length 0 is an error naming it."""
    x = np.asarray(rng.standard_normal(shape), dtype="float32")
    a = NDArray(x, device=device)
    ndim = len(shape)
    axes = [None, (), *range(-ndim, ndim), tuple(range(ndim))] + ([0, -1] if ndim == 0 else [])
    for axis in axes:
        expected = x.sum(axis, keepdims=keepdims)
        got = a.sum(axis, keepdims)
        assert got.shape == expected.shape, axis
        # atol: a float32 sum that cancels is only as exact as its terms, in any order
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6, atol=1e-6, err_msg=str(axis))
        reduced = range(ndim) if axis is None else [axis] if isinstance(axis, int) else axis
        empty = [k % ndim for k in reduced if ndim and shape[k] == 0]
        if empty:
            with pytest.raises(ValueError, match=rf"max: axis {min(empty)} of shape "
                                                 rf"{re.escape(str(shape))} has length 0"):
                a.max(axis, keepdims)
            with pytest.raises(ValueError):
                x.max(axis, keepdims=keepdims)
        else:
            np.testing.assert_array_equal(a.max(axis, keepdims).numpy(),
                                          x.max(axis, keepdims=keepdims), err_msg=str(axis))


def test_a_reduction_axis_out_of_range_names_the_shape(device):
    with pytest.raises(ValueError, match=r"axis 2 is out of range for an array of shape \(2, 3\)"):
        NDArray(np.zeros((2, 3)), device=device).sum(2)
    with pytest.raises(ValueError, match=r"axis 1 is out of range for an array of shape \(\)"):
        NDArray(np.float32(2.0), device=device).max(1)


@pytest.mark.parametrize("device, mnp", on_devices([(1, 1, 1), (7, 13, 5), (8, 64, 64), (65, 130, 67)],
                                                   size=math.prod),
                         indirect=["device"])
def test_matmul_matches_numpy_on_sizes_around_the_row_block(device, mnp):
    m, n, p = mnp
    x, a = _pair(device, (m, n))
    y, b = _pair(device, (n, p))
    np.testing.assert_allclose((a @ b).numpy(), x @ y, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose((a @ b.permute((1, 0)).compact().permute((1, 0))).numpy(), x @ y,
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("device, mnp", on_devices([(1, 1, 1), (5, 7, 3), (7, 300, 17),
                                                   (130, 70, 300)], size=math.prod),
                         indirect=["device"])
def test_matmul_reads_transposed_sliced_and_broadcast_matrices_in_place(device, mnp,
                                                                        monkeypatch):
    """x @ W.T, x.T @ g and their kin: right, and not copied first where the device's matmul
    reads views (its "strided_matmul")."""
    m, n, p = mnp
    x, a = _pair(device, (n + 2, 2 * m))
    y, b = _pair(device, (p, n))
    row, r = _pair(device, (1, n))
    lefts = {"transposed, sliced": (a[1:n + 1, ::2].permute((1, 0)), x[1:n + 1, ::2].T),
             "broadcast": (r.broadcast_to((m, n)), np.broadcast_to(row, (m, n)))}
    rights = {"transposed": b.permute((1, 0)), "compact": b.permute((1, 0)).compact()}
    copies, compact = [], device.kernels.compact
    if device.has("strided_matmul"):
        monkeypatch.setattr(device.kernels, "compact",
                            lambda *args: copies.append(args) or compact(*args))
    products = {(name, kind): left @ right for name, (left, _) in lefts.items()
                for kind, right in rights.items()}
    assert copies == []  # before .numpy(), which copies
    for (name, kind), product in products.items():
        np.testing.assert_allclose(product.numpy(), lefts[name][1] @ y.T, rtol=1e-4, atol=1e-4,
                                   err_msg=f"{name} @ {kind}")


def test_float64_is_kept(device):
    x, a = _pair(device, (3, 4), "float64")
    out = (a * 2 + 1).exp().sum(1)
    assert out.dtype == "float64"
    np.testing.assert_allclose(out.numpy(), np.exp(x * 2 + 1).sum(1), rtol=1e-12)


def test_arrays_move_between_devices():
    x = rng.standard_normal((3, 5)).astype("float32")
    a = NDArray(x, device=mdl.backends.device("cpu"))
    moved = a[:, 1:].to(mdl.backends.device("cpu_numba"))
    assert moved.device.name == "cpu_numba"
    np.testing.assert_array_equal(moved.numpy(), x[:, 1:])
    assert a.to(a.device) is a


def test_default_device_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("MINIDL_DEVICE", "cpu_numba")
    assert NDArray([1.0, 2.0]).device.name == "cpu_numba"
    monkeypatch.setenv("MINIDL_DEVICE", "tpu")
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        NDArray([1.0])


@pytest.mark.parametrize("device, case", on_devices([((40, 33), 1), ((3, 100_003), 1), ((100_003,), None)],
                                                    size=lambda case: math.prod(case[0])),
                         indirect=["device"])
def test_reductions_of_many_short_and_few_long_rows(device, case, reduce_path):
    shape, axis = case
    x, a = _pair(device, shape)
    np.testing.assert_allclose(a.sum(axis).numpy(), x.astype(np.float64).sum(axis), rtol=1e-4,
                               atol=1e-2)
    np.testing.assert_array_equal(a.max(axis).numpy(), x.max(axis))


def test_batched_matmul_is_one_product_of_rows_and_never_copies_a_broadcast_operand(device,
                                                                                    monkeypatch):
    """(..., m, n) @ (n, p) is one 2-D product; an operand broadcast along batch axes is read
    again, never copied out to the batch's size (on the plain path, which copies a matrix
    view compact for its product; the tuned one reads views in place)."""
    without_capabilities(monkeypatch, device)
    products, copies = [], []
    matmul, compact = device.kernels.matmul, device.kernels.compact
    monkeypatch.setattr(device.kernels, "matmul",
                        lambda *args: products.append(args[-3:]) or matmul(*args))
    monkeypatch.setattr(device.kernels, "compact",
                        lambda a, out, shape, *rest: copies.append(math.prod(shape))
                        or compact(a, out, shape, *rest))
    x, a = _pair(device, (4, 3, 5, 6))
    w, b = _pair(device, (6, 2))
    np.testing.assert_allclose((a @ b).numpy(), x @ w, rtol=1e-4, atol=1e-4)
    assert products == [(60, 6, 2)]
    products.clear()
    c, d = _pair(device, (2, 1, 3, 4)), _pair(device, (5, 4, 7))
    copies.clear()
    out = c[1] @ d[1]
    assert max(copies) <= 28 and products == [(3, 4, 7)] * 10
    np.testing.assert_allclose(out.numpy(), c[0] @ d[0], rtol=1e-4, atol=1e-4)
