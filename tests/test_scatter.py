"""hw7's scatter ops: the take_rows / scatter_add / scatter_max primitives of every backend,
NDArray's row methods, and ops.index_select, index_add, scatter and segment_softmax against
NumPy definitions written here from PyTorch's and PyTorch Geometric's documented formulas;
gradients against numerical ones, empty segments, repeated indices and errors."""
import numpy as np
import pytest

from autograder.compare import numerical_gradient
from conftest import minidl_reference, tensor

mdl = minidl_reference()
ops = mdl.ops
DEVICES = ["cpu", "cpu_numba", "cuda"]
rng = np.random.default_rng(7)


@pytest.fixture(params=DEVICES)
def device(request, monkeypatch):
    """Each device; cuda (Numba's simulator without a GPU: a Python thread per element) gets
    the same small cases."""
    monkeypatch.setenv("MINIDL_DEVICE", request.param)
    return mdl.backends.device(request.param)


@pytest.fixture(params=["cpu", "cpu_numba"])
def cpu_device(request, monkeypatch):
    monkeypatch.setenv("MINIDL_DEVICE", request.param)
    return mdl.backends.device(request.param)


# NumPy definitions, float64.

def np_scatter(src, index, size, reduce):
    """PyG's scatter along dim 0: each segment's rows reduced; an empty segment is 0."""
    out = np.zeros((size,) + src.shape[1:])
    for r in range(size):
        rows = src[index == r]
        if len(rows):
            out[r] = {"sum": np.sum, "mean": np.mean, "max": np.max}[reduce](rows, axis=0)
    return out


def np_segment_softmax(src, index, size):
    """PyG's softmax: exp(src - segment max) over the segment's sum of the same."""
    out = np.zeros_like(src)
    for r in range(size):
        rows = index == r
        if rows.any():
            e = np.exp(src[rows] - src[rows].max(axis=0))
            out[rows] = e / e.sum(axis=0)
    return out


def gradcheck(function, *arrays, rtol=1e-6, atol=1e-8):
    """The gradient of sum(function(*tensors) * w) for a fixed random w, by backward and by
    central differences, for each input."""
    weights = rng.standard_normal(function(*map(tensor, arrays)).shape)
    tensors = [tensor(a, requires_grad=True) for a in arrays]
    (function(*tensors) * tensor(weights)).sum().backward()
    for i, (t, a) in enumerate(zip(tensors, arrays)):
        def of_one(v, i=i):
            xs = [tensor(v if j == i else b) for j, b in enumerate(arrays)]
            return float((function(*xs).numpy() * weights).sum())
        np.testing.assert_allclose(t.grad.numpy(), numerical_gradient(of_one, a), rtol=rtol,
                                   atol=atol, err_msg=f"gradient of input {i}")


# The primitives, on flat buffers.

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("rows, edges, cols", [(6, 11, 3), (4, 0, 2), (1, 5, 1)])
def test_each_backends_row_primitives_match_numpys_definitions(device, dtype, rows, edges, cols):
    kernels, backend = device.kernels, device.backend
    index = rng.integers(0, rows, edges)
    a = rng.standard_normal((edges, cols)).astype(dtype)
    table = rng.standard_normal((rows, cols)).astype(dtype)

    def run(primitive, source, start, shape):
        out = backend.empty(start.size, dtype)
        backend.from_numpy(start, out)
        getattr(kernels, primitive)(_on(backend, source), index, out, cols)
        return backend.to_numpy(out, shape, (shape[1], 1), 0)

    got = run("take_rows", table.ravel(), np.zeros(edges * cols, dtype), (edges, cols))
    np.testing.assert_array_equal(got, table[index])
    expected = table.astype("float64")
    np.add.at(expected, index, a)
    got = run("scatter_add", a.ravel(), table.ravel(), (rows, cols))
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    expected = table.copy()
    np.maximum.at(expected, index, a)
    np.testing.assert_array_equal(run("scatter_max", a.ravel(), table.ravel(), (rows, cols)),
                                  expected)


def _on(backend, array):
    buffer = backend.empty(array.size, str(array.dtype))
    backend.from_numpy(array, buffer)
    return buffer


@pytest.mark.parametrize("cols", [1, 16, 37])
def test_numbas_parallel_scatters_match_numpy_on_many_edges_to_few_rows(cols):
    """Grouped by target row, each row summed in the index's order: every repeat counts."""
    backend, reference = mdl.cpu_numba().backend, mdl.cpu().backend
    index = rng.integers(0, 50, 20_000)
    a = rng.standard_normal(20_000 * cols)
    for primitive, start in (("scatter_add", 0.0), ("scatter_max", -np.inf)):
        got, expected = np.full(50 * cols, start), np.full(50 * cols, start)
        getattr(backend, primitive)(a, index, got, cols)
        getattr(reference, primitive)(a, index, expected, cols)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=primitive)


# NDArray's row methods.

def test_ndarray_row_methods_read_views_and_keep_trailing_axes(device):
    data = rng.standard_normal((3, 4, 2))
    view = device.array(data).permute((1, 0, 2))  # (4, 3, 2), not compact
    index = np.array([3, 0, 3, 1, 3])
    np.testing.assert_allclose(view.take_rows(index).numpy(), data.transpose(1, 0, 2)[index],
                               rtol=1e-6)
    source = rng.standard_normal((5, 3, 2))
    expected = data.transpose(1, 0, 2).copy()
    np.add.at(expected, index, source)
    np.testing.assert_allclose(view.index_add_rows(index, device.array(source)).numpy(),
                               expected, rtol=1e-5, atol=1e-6)
    maxima = device.array(source).scatter_max_rows(index, 6).numpy()
    assert np.isneginf(maxima[[2, 4, 5]]).all()
    np.testing.assert_allclose(maxima[3], source[[0, 2, 4]].max(axis=0).astype("float32"))


def test_ndarray_row_methods_refuse_an_index_out_of_range_naming_it():
    array = mdl.cpu().array(np.zeros((3, 2)))
    with pytest.raises(IndexError, match="index 3 out of range for 3 rows"):
        array.take_rows([0, 3])
    with pytest.raises(IndexError, match="index -1 out of range for 3 rows"):
        array.index_add_rows([-1], array[0:1])
    with pytest.raises(ValueError, match=r"1-D array of integers, got shape \(\) and dtype float"):
        array.take_rows(1.0)
    with pytest.raises(ValueError, match=r"source of shape \(3, 2\) does not match 2 indices"):
        array.index_add_rows([0, 1], array)
    with pytest.raises(ValueError, match=r"arrays on minidl\.cpu\(\) and minidl\.cpu_numba\(\)"):
        array.index_add_rows([0], mdl.cpu_numba().array(np.ones((1, 2))))
    added = array.index_add_rows([2, 2], mdl.cpu().array(np.ones((2, 2)), "float64"))
    assert added.dtype == "float32" and added.numpy()[2].tolist() == [2.0, 2.0]


# The ops.

@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_select_matches_numpy_take_with_repeats_on_every_device(device, dim):
    a = rng.standard_normal((3, 4, 5))
    index = np.array([2, 0, 2])
    out = ops.index_select(tensor(a), dim, index)
    np.testing.assert_allclose(out.numpy(), np.take(a, index, axis=dim))


@pytest.mark.parametrize("dim", [0, 1, -2])
def test_index_add_matches_pytorchs_definition_with_alpha_and_repeats(device, dim):
    a = rng.standard_normal((4, 3, 2))
    index = np.array([1, 0, 1, 1])[:a.shape[dim]]
    source_shape = list(a.shape)
    source_shape[dim] = index.size
    source = rng.standard_normal(source_shape)
    expected = a.copy()
    for k, i in enumerate(index):  # torch: self[:, index[k]] += alpha * source[:, k] (dim 1)
        expected[(slice(None),) * (dim % 3) + (i,)] += 2.5 * np.take(source, k, axis=dim)
    out = ops.index_add(tensor(a), dim, index, tensor(source), alpha=2.5)
    np.testing.assert_allclose(out.numpy(), expected)


@pytest.mark.parametrize("reduce", ["sum", "mean", "max"])
def test_scatter_matches_pygs_with_empty_segments_as_zero(device, reduce):
    src = rng.standard_normal((7, 3))
    index = np.array([0, 2, 2, 0, 2, 4, 0])  # 1 and 3 empty, 4 has one row
    out = ops.scatter(tensor(src), index, 5, reduce)
    np.testing.assert_allclose(out.numpy(), np_scatter(src, index, 5, reduce))
    assert not np.signbit(out.numpy()[[1, 3]]).any()  # 0, not -0


def test_scatter_infers_dim_size_from_the_largest_index_and_takes_1d_src(cpu_device):
    out = ops.scatter(tensor([1.0, 2.0, 3.0]), [1, 3, 1], reduce="mean")
    np.testing.assert_allclose(out.numpy(), [0.0, 2.0, 0.0, 2.0])


def test_segment_softmax_matches_pygs_per_segment_and_head(device):
    src = rng.standard_normal((8, 2)) * 3
    index = np.array([3, 0, 3, 3, 0, 5, 3, 0])  # 1, 2, 4 empty; 5 has one entry
    out = ops.segment_softmax(tensor(src), index, 6).numpy()
    np.testing.assert_allclose(out, np_segment_softmax(src, index, 6))
    np.testing.assert_allclose(out[5], [1.0, 1.0])


def test_segment_softmax_subtracts_each_segments_max_so_large_values_do_not_overflow(device):
    out = ops.segment_softmax(tensor([1000.0, 1001.0, -1000.0]), [1, 1, 0], 3).numpy()
    e = np.exp(-1.0)
    np.testing.assert_allclose(out, [e / (1 + e), 1 / (1 + e), 1.0])
    out32 = ops.segment_softmax(mdl.Tensor([1000.0, 1001.0]), [0, 0]).numpy()
    assert out32.dtype == np.float32 and np.isfinite(out32).all()


def test_a_graph_without_edges_scatters_zeros_and_softmaxes_nothing(device):
    src = mdl.Tensor(np.zeros((0, 3)), dtype="float64", requires_grad=True)
    for reduce in ("sum", "mean", "max"):
        out = ops.scatter(src, [], 4, reduce)
        np.testing.assert_array_equal(out.numpy(), np.zeros((4, 3)))
        out.sum().backward()
        assert src.grad.shape == (0, 3)
    assert ops.segment_softmax(tensor(np.zeros((0, 2))), [], 3).shape == (0, 2)
    assert ops.index_select(tensor(np.ones((2, 3))), 1, []).shape == (2, 0)


# Gradients, against central differences (float64, CPU devices: hundreds of evaluations).

@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_select_and_index_add_gradients_match_numerical_ones(cpu_device, dim):
    a = rng.standard_normal((3, 4, 2))
    index = np.array([1, 0, 1])  # a repeat, and a slice never selected (dim 1: 2 and 3)
    gradcheck(lambda x: ops.index_select(x, dim, index), a)
    source_shape = list(a.shape)
    source_shape[dim] = index.size
    gradcheck(lambda x, s: ops.index_add(x, dim, index, s, alpha=-1.5), a,
              rng.standard_normal(source_shape))


@pytest.mark.parametrize("reduce", ["sum", "mean", "max"])
def test_scatter_gradients_match_numerical_ones(cpu_device, reduce):
    index = np.array([0, 2, 2, 0, 2, 4])
    gradcheck(lambda s: ops.scatter(s, index, 5, reduce), rng.standard_normal((6, 3)))


def test_scatter_max_shares_the_gradient_among_tied_rows_as_max_does(device):
    src = tensor([[1.0, 2.0], [1.0, 0.0], [5.0, 5.0], [1.0, 2.0]], requires_grad=True)
    ops.scatter(src, [0, 0, 2, 0], 3, "max").sum().backward()
    np.testing.assert_allclose(src.grad.numpy(), [[1 / 3, 0.5], [1 / 3, 0.0], [1.0, 1.0],
                                                  [1 / 3, 0.5]])


def test_segment_softmax_gradient_matches_numerical_one_with_heads(cpu_device):
    index = np.array([1, 0, 1, 1, 3])
    gradcheck(lambda s: ops.segment_softmax(s, index, 4), rng.standard_normal((5, 2)))


def test_embeddings_gradient_adds_repeated_rows_through_scatter_add(device):
    weight = tensor(rng.standard_normal((4, 3)), requires_grad=True)
    ids = np.array([[1, 3], [1, 1]])
    upstream = rng.standard_normal((2, 2, 3))
    (ops.take_rows(weight, ids) * tensor(upstream)).sum().backward()
    expected = np.zeros((4, 3))
    np.add.at(expected, ids.ravel(), upstream.reshape(4, 3))
    np.testing.assert_allclose(weight.grad.numpy(), expected)


# Errors.

@pytest.mark.parametrize("call, error, message", [
    (lambda x: ops.index_select(x, 0, [0, 4]), IndexError,
     "index_select: index 4 out of range for size 4"),
    (lambda x: ops.index_select(x, 2, [0]), IndexError, "dim 2 out of range for a tensor of 2"),
    (lambda x: ops.index_select(x, 0, [[0]]), ValueError, r"got shape \(1, 1\)"),
    (lambda x: ops.index_add(x, 1, [0, 3], x), IndexError,
     "index_add: index 3 out of range for size 3"),
    (lambda x: ops.index_add(x, 1, [0, 1], x), ValueError,
     r"source of shape \(4, 3\) should be \(4, 2\)"),
    (lambda x: ops.scatter(x, [0, 1, 9, 1], 5), IndexError,
     "scatter: index 9 out of range for size 5"),
    (lambda x: ops.scatter(x, [0, 1], 5), ValueError, r"index of 2 entries for src of shape"),
    (lambda x: ops.scatter(x, [0, 1, 1, 1], 2, "min"), ValueError, "reduce must be one of"),
    (lambda x: ops.segment_softmax(x, [0, -1, 0, 0], 2), IndexError,
     "segment_softmax: index -1 out of range for size 2"),
])
def test_errors_name_the_offending_index_or_shape(call, error, message):
    with pytest.raises(error, match=message):
        call(tensor(np.zeros((4, 3))))
