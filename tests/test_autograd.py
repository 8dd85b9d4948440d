"""The reference autodiff core: values, gradients, graph handling and dtypes."""
import importlib

import numpy as np
import pytest

from autograder.compare import numerical_gradient
from conftest import minidl_reference

mdl = minidl_reference()
rng = np.random.default_rng(0)


@pytest.fixture(autouse=True, params=["cpu", "cpu_numba", "cuda"])
def device(request, monkeypatch):
    """Every test here runs once on each CPU device (the default device of new tensors)."""
    monkeypatch.setenv("MINIDL_DEVICE", request.param)
    return mdl.backends.device(request.param)


UNARY = {
    "exp": (lambda t: t.exp(), np.exp),
    "log": (lambda t: t.log(), np.log),
    "relu": (mdl.ops.relu, lambda x: np.maximum(x, 0)),
    "tanh": (mdl.ops.tanh, np.tanh),
    "sigmoid": (mdl.ops.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    "negate": (lambda t: -t, np.negative),
    "power_scalar": (lambda t: t ** 3, lambda x: x ** 3),
    "mul_scalar": (lambda t: t * 2.5, lambda x: x * 2.5),
    "div_scalar": (lambda t: t / 2.5, lambda x: x / 2.5),
    "rdiv": (lambda t: 2.0 / t, lambda x: 2.0 / x),
    "rsub": (lambda t: 2.0 - t, lambda x: 2.0 - x),
    "sum_axis": (lambda t: t.sum(1), lambda x: x.sum(1)),
    "sum_keepdims": (lambda t: t.sum((0, 1), keepdims=True), lambda x: x.sum((0, 1), keepdims=True)),
    "max_axis": (lambda t: t.max(0), lambda x: x.max(0)),
    "reshape": (lambda t: t.reshape(4, 3), lambda x: x.reshape(4, 3)),
    "transpose": (lambda t: t.transpose(), lambda x: x.T),
    "broadcast": (lambda t: t.broadcast_to((2, 3, 4)), lambda x: np.broadcast_to(x, (2, 3, 4))),
    "logsumexp": (lambda t: mdl.ops.logsumexp(t, axes=1),
                  lambda x: np.log(np.exp(x).sum(1))),
}
BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
    "pow": (lambda a, b: a ** b, np.power),
    "matmul": (lambda a, b: a @ b.transpose(), lambda a, b: a @ b.T),
    "broadcasting_add": (lambda a, b: a + b.sum(0, keepdims=True), lambda a, b: a + b.sum(0)),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_forward_and_gradient(name):
    op, expected = UNARY[name]
    x = rng.uniform(0.5, 2.0, (3, 4))
    np.testing.assert_allclose(op(mdl.Tensor(x, dtype="float64")).numpy(), expected(x), rtol=1e-10)
    weights = rng.standard_normal(np.shape(expected(x)))
    t = mdl.Tensor(x, dtype="float64", requires_grad=True)
    (op(t) * mdl.Tensor(weights, dtype="float64")).sum().backward()
    numerical = numerical_gradient(lambda v: (expected(v) * weights).sum(), x)
    np.testing.assert_allclose(t.grad.numpy(), numerical, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_forward_and_gradient(name):
    op, expected = BINARY[name]
    a, b = rng.uniform(0.5, 2.0, (3, 4)), rng.uniform(0.5, 2.0, (3, 4))
    A = mdl.Tensor(a, dtype="float64", requires_grad=True)
    B = mdl.Tensor(b, dtype="float64", requires_grad=True)
    out = op(A, B)
    np.testing.assert_allclose(out.numpy(), expected(a, b), rtol=1e-10)
    out.sum().backward()
    np.testing.assert_allclose(A.grad.numpy(), numerical_gradient(lambda v: expected(v, b).sum(), a),
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(B.grad.numpy(), numerical_gradient(lambda v: expected(a, v).sum(), b),
                               rtol=1e-5, atol=1e-7)


def test_batched_matmul_broadcasts_and_reduces_gradients():
    a, b = rng.standard_normal((2, 1, 3, 4)), rng.standard_normal((5, 4, 2))
    A = mdl.Tensor(a, dtype="float64", requires_grad=True)
    B = mdl.Tensor(b, dtype="float64", requires_grad=True)
    out = A @ B
    assert out.shape == (2, 5, 3, 2)
    out.sum().backward()
    np.testing.assert_allclose(B.grad.numpy(), numerical_gradient(lambda v: (a @ v).sum(), b),
                               rtol=1e-6)
    np.testing.assert_allclose(A.grad.numpy(), numerical_gradient(lambda v: (v @ b).sum(), a),
                               rtol=1e-6)


def test_sums_of_a_scalar_and_of_empty_axes_and_their_gradients(device):
    """As PyTorch: a 0-d tensor takes axis 0, an empty sum is 0, an empty max an error."""
    two = mdl.Tensor(2.0, requires_grad=True)
    for total in (two.sum(), two.sum(0, keepdims=True), two.max(-1)):
        assert total.shape == () and total.item() == 2.0
    (two.sum() * 3).backward()
    assert two.grad.shape == () and two.grad.item() == 3.0
    empty = mdl.Tensor(np.zeros((0, 3)), requires_grad=True)
    total = empty.sum(0)
    np.testing.assert_array_equal(total.numpy(), np.zeros(3))
    total.backward(mdl.Tensor(np.ones(3)))
    assert empty.grad.shape == (0, 3)
    assert empty.sum().item() == 0.0 and empty.max(1).shape == (0,)
    with pytest.raises(ValueError, match=r"max: axis 0 of shape \(0, 3\) has length 0"):
        empty.max(0)


@pytest.mark.parametrize("device", ["cpu", "cpu_numba"], indirect=True)  # simulated GPU: 10,000 launches
def test_deep_chain_of_ten_thousand_ops_does_not_recurse():
    x = mdl.Tensor([1.0], requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y + 1.0
    y.backward()
    assert x.grad.numpy().tolist() == [1.0]
    assert y.numpy().tolist() == [10_001.0]


def test_gradients_of_a_reused_tensor_add_up_and_accumulate_across_calls():
    x = mdl.Tensor([2.0, 3.0], requires_grad=True)
    (x * x + x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [5.0, 7.0])
    (x * 2.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [7.0, 9.0])


def test_no_grad_and_detach_cut_the_graph():
    x = mdl.Tensor([1.0, 2.0], requires_grad=True)
    with mdl.no_grad():
        y = x * 3.0
    assert not y.requires_grad and y.is_leaf() and y.inputs == ()
    assert mdl.is_grad_enabled()
    z = x.detach() * 3.0
    assert not z.requires_grad
    w = x * 3.0
    assert w.requires_grad and w.inputs == (x,)


def test_backward_does_not_build_a_graph_unless_asked():
    x = mdl.Tensor([1.5], requires_grad=True)
    (x ** 3).backward()
    assert not x.grad.requires_grad
    x2 = mdl.Tensor([1.5], dtype="float64", requires_grad=True)
    (x2 ** 3).backward(create_graph=True)
    first = x2.grad
    x2.grad = None
    first.backward()
    np.testing.assert_allclose(x2.grad.numpy(), [6 * 1.5])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtype_is_kept_through_ops_and_gradients(dtype):
    x = mdl.Tensor(rng.standard_normal((3, 3)), dtype=dtype, requires_grad=True)
    out = mdl.ops.logsumexp(mdl.ops.sigmoid(x @ x) * 2.0 / 3.0 - 1.0, axes=0) ** 2
    out.sum().backward()
    assert out.dtype == dtype and x.grad.dtype == dtype


def test_float32_is_the_default_dtype_even_for_float64_data():
    """As the docstring of Tensor says: float64 data is cast unless dtype="float64" is given."""
    float64 = np.array([0.1, 0.2])
    assert mdl.Tensor([[1, 2]]).dtype == "float32"
    for data in (float64, mdl.cpu().array(float64, "float64"),
                 mdl.Tensor(float64, dtype="float64")):
        assert mdl.Tensor(data).dtype == "float32"
        kept = mdl.Tensor(data, dtype="float64")
        assert kept.dtype == "float64" and kept.numpy().tolist() == [0.1, 0.2]


@pytest.mark.parametrize("dims", [(1, 2, 0), ((1, 2, 0),), ([1, 2, 0],), (-2, -1, 0)])
def test_permute_takes_dims_as_pytorch_does_and_is_differentiable(dims):
    x = rng.standard_normal((2, 3, 4))
    w = rng.standard_normal((3, 4, 2))
    X = mdl.Tensor(x, dtype="float64", requires_grad=True)
    out = X.permute(*dims)
    np.testing.assert_array_equal(out.numpy(), x.transpose(1, 2, 0))
    (out * mdl.Tensor(w, dtype="float64")).sum().backward()
    np.testing.assert_array_equal(X.grad.numpy(), w.transpose(2, 0, 1))
    with pytest.raises(ValueError, match="permutation"):
        X.permute(0, 1)


def test_logsumexp_is_stable_at_1e4():
    x = mdl.Tensor([[1e4, 1e4 - 1.0], [-1e4, -1e4]], dtype="float64", requires_grad=True)
    out = mdl.ops.logsumexp(x, axes=1)
    out.sum().backward()
    np.testing.assert_allclose(out.numpy(), [1e4 + np.log1p(np.exp(-1.0)), -1e4 + np.log(2)])
    assert np.isfinite(x.grad.numpy()).all()
    np.testing.assert_allclose(x.grad.numpy().sum(1), [1.0, 1.0])


def test_logsumexps_gradient_is_the_softmax_and_is_itself_differentiable():
    """With create_graph the gradient differentiates again: d/dz sum(softmax(z) * w) checked
    against finite differences; a second backward through the same graph agrees."""
    z = rng.standard_normal((3, 5))
    w = rng.standard_normal((3, 5))
    Z = mdl.Tensor(z, dtype="float64", requires_grad=True)
    out = mdl.ops.logsumexp(Z, axes=1)
    out.sum().backward(create_graph=True)
    softmax = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    np.testing.assert_allclose(Z.grad.numpy(), softmax, rtol=1e-12)
    first = Z.grad
    Z.grad = None
    (first * mdl.Tensor(w, dtype="float64")).sum().backward()
    numerical = numerical_gradient(
        lambda v: (np.exp(v) / np.exp(v).sum(1, keepdims=True) * w).sum(), z)
    np.testing.assert_allclose(Z.grad.numpy(), numerical, rtol=1e-6, atol=1e-8)
    Z.grad = None
    out.sum().backward()
    np.testing.assert_allclose(Z.grad.numpy(), softmax, rtol=1e-12)


# Every operator, built once as `op()` and applied to inputs of `shapes` (values > 0 where
# `positive`), for the test below; a new operator needs an entry here.
ROWS = np.array([[0, 2], [2, 2]])
SHARED_OPS = {
    "EWiseAdd": (lambda: mdl.ops.EWiseAdd(), [(3, 4), (3, 4)]),
    "AddScalar": (lambda: mdl.ops.AddScalar(1.5), [(3, 4)]),
    "EWiseMul": (lambda: mdl.ops.EWiseMul(), [(3, 4), (3, 4)]),
    "MulScalar": (lambda: mdl.ops.MulScalar(2.5), [(3, 4)]),
    "EWiseDiv": (lambda: mdl.ops.EWiseDiv(), [(3, 4), (3, 4)], "positive"),
    "DivScalar": (lambda: mdl.ops.DivScalar(2.5), [(3, 4)]),
    "Negate": (lambda: mdl.ops.Negate(), [(3, 4)]),
    "PowerScalar": (lambda: mdl.ops.PowerScalar(3), [(3, 4)]),
    "EWisePow": (lambda: mdl.ops.EWisePow(), [(3, 4), (3, 4)], "positive"),
    "Exp": (lambda: mdl.ops.Exp(), [(3, 4)]),
    "Log": (lambda: mdl.ops.Log(), [(3, 4)], "positive"),
    "ReLU": (lambda: mdl.ops.ReLU(), [(3, 4)]),
    "Tanh": (lambda: mdl.ops.Tanh(), [(3, 4)]),
    "Sigmoid": (lambda: mdl.ops.Sigmoid(), [(3, 4)]),
    "MatMul": (lambda: mdl.ops.MatMul(), [(3, 4), (4, 2)]),
    "Summation": (lambda: mdl.ops.Summation((1,)), [(3, 4)]),
    "Max": (lambda: mdl.ops.Max(1), [(3, 4)]),
    "BroadcastTo": (lambda: mdl.ops.BroadcastTo((2, 3, 4)), [(3, 4)]),
    "Reshape": (lambda: mdl.ops.Reshape((4, 3)), [(3, 4)]),
    "Transpose": (lambda: mdl.ops.Transpose(), [(3, 4)]),
    "LogSumExp": (lambda: mdl.ops.LogSumExp(1), [(3, 4)]),
    "Softmax": (lambda: mdl.ops.Softmax(1), [(3, 4)]),
    "Permute": (lambda: mdl.ops.Permute((1, 2, 0)), [(2, 3, 4)]),
    "GetItem": (lambda: mdl.ops.GetItem((slice(0, 2, 1), slice(1, 4, 2))), [(3, 4)]),
    "ScatterInto": (lambda: mdl.ops.ScatterInto((slice(0, 2, 1), slice(1, 4, 2)), (3, 4)),
                    [(2, 2)]),
    "Flip": (lambda: mdl.ops.Flip((1,)), [(3, 4)]),
    "Stack": (lambda: mdl.ops.Stack(1), [(3, 4), (3, 4)]),
    "Concatenate": (lambda: mdl.ops.Concatenate(1), [(3, 4), (3, 2)]),
    "Erf": (lambda: mdl.ops.Erf(), [(3, 4)]),
    "TakeRows": (lambda: mdl.ops.TakeRows(ROWS), [(3, 4)]),
    "AddRows": (lambda: mdl.ops.AddRows(ROWS, 3), [(2, 2, 4)]),
    "Conv": (lambda: mdl.ops.Conv(2, ((1, 0), (1, 1))), [(2, 3, 5, 5), (4, 3, 3, 3)]),
    "IndexSelect": (lambda: mdl.ops.IndexSelect(1, np.array([2, 0, 2])), [(3, 4)]),
    "IndexAdd": (lambda: mdl.ops.IndexAdd(0, np.array([2, 0, 2]), 1.5), [(3, 4), (3, 4)]),
    "ScatterMax": (lambda: mdl.ops.ScatterMax(np.array([1, 0, 1, 1]), 3), [(4, 2)]),
    # the reference's fused layers, on minidl.cuda() alone: c' from the gates and c; images
    # normalized by constant statistics (each channel's mean and 1 / std)
    "_LSTMPart": (lambda: FUSED._LSTMPart(FUSED.STATE), [(3, 8), (3, 2)], "fused"),
    "_BatchNormApply": (lambda: FUSED._BatchNormApply(), [(2, 3, 2, 2), (2, 3), (3,), (3,)],
                        "fused", "constant second"),
}
FUSED = importlib.import_module(mdl.__name__ + ".nn.fused")
COVERED = {"_LSTMPartGradient": "_LSTMPart", "_BatchNormSum": "_BatchNormApply",
           "_BatchNormGradX": "_BatchNormApply"}  # run in the backward pass of the other


def _op_classes() -> set[type]:
    """Every subclass of Op that minidl (its ops, nn and the rest) defines."""
    found, todo = set(), [mdl.Op]
    while todo:
        for cls in todo.pop().__subclasses__():
            if cls.__module__.startswith(mdl.__name__ + ".") and cls not in found:
                found.add(cls)
                todo.append(cls)
    return found


def test_every_operator_has_an_entry_in_the_shared_op_table():
    assert {cls.__name__ for cls in _op_classes()} == set(SHARED_OPS) | set(COVERED)


@pytest.mark.parametrize("name", sorted(SHARED_OPS))
def test_one_op_object_serves_two_graphs(name, device):
    """An op is a pure function of its inputs: applied again to other inputs, it leaves the
    first graph's output and gradients as a fresh op object computes them."""
    make, shapes, *flags = SHARED_OPS[name]
    if "fused" in flags and device.name != "cuda":
        pytest.skip("the reference's fused layers run on minidl.cuda() alone")
    low = 0.5 if "positive" in flags else -2.0
    first, second = ([rng.uniform(low, 2.0, shape) for shape in shapes] for _ in range(2))

    def graph(op, values):
        tensors = [mdl.Tensor(v, dtype="float64",
                              requires_grad=not (i == 1 and "constant second" in flags))
                   for i, v in enumerate(values)]
        return op(*tensors), tensors

    shared = make()
    out, tensors = graph(shared, first)
    graph(shared, second)
    weights = mdl.Tensor(rng.standard_normal(out.shape), dtype="float64")
    (out * weights).sum().backward()
    fresh_out, fresh = graph(make(), first)
    (fresh_out * weights).sum().backward()
    np.testing.assert_allclose(out.numpy(), fresh_out.numpy(), rtol=1e-12)
    for t, f in zip(tensors, fresh):
        if t.requires_grad:
            np.testing.assert_allclose(t.grad.numpy(), f.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_softmax_is_stable_and_matches_numpy_with_its_gradient():
    z = rng.standard_normal((2, 3, 4)) * 3 + np.array([0.0, 1e4])[:, None, None]
    g = rng.standard_normal(z.shape)
    Z = mdl.Tensor(z, dtype="float64", requires_grad=True)
    out = mdl.ops.softmax(Z, axes=1)
    shifted = np.exp(z - z.max(1, keepdims=True))
    expected = shifted / shifted.sum(1, keepdims=True)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    out.backward(mdl.Tensor(g, dtype="float64"))
    numerical = numerical_gradient(lambda v: (np.exp(v - v.max(1, keepdims=True)) / np.exp(
        v - v.max(1, keepdims=True)).sum(1, keepdims=True) * g).sum(), z)
    np.testing.assert_allclose(Z.grad.numpy(), numerical, rtol=1e-6, atol=1e-8)


def test_shape_errors_name_the_shapes():
    a, b = mdl.Tensor(np.zeros((2, 3))), mdl.Tensor(np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        a @ b
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        a + b
    with pytest.raises(ValueError, match="out_grad has shape"):
        a.backward(mdl.Tensor(np.zeros((3, 2))))


def test_unsupported_dtype_is_refused():
    with pytest.raises(TypeError, match="int32"):
        mdl.Tensor([1, 2], dtype="int32")


def test_max_shares_the_gradient_among_ties():
    x = mdl.Tensor([[1.0, 3.0, 3.0]], requires_grad=True)
    x.max(1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.0, 0.5, 0.5]])


def test_tensors_live_on_the_default_device_and_move_explicitly(device):
    x = mdl.Tensor([[1.0, 2.0]], requires_grad=True)
    assert x.device == device and (x * 2).device == device
    other = mdl.cpu() if device != mdl.cpu() else mdl.cpu_numba()
    moved = x.to(other)
    assert moved.device == other and moved.requires_grad and moved.is_leaf()
    np.testing.assert_array_equal(moved.numpy(), x.numpy())
    with pytest.raises(ValueError, match=f"{device.name}.*{other.name}"):
        x + moved
