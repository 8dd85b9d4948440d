"""minidl.cuda() in fewer launches: views read in place, one-kernel reductions, a fused Adam.

All in Numba's simulator, on small arrays: each GPU thread there is a Python thread.
"""
import importlib

import numpy as np
import pytest

from conftest import minidl_reference, without_capabilities

mdl = minidl_reference()
cuda = mdl.cuda()
backend, tuned = cuda.backend, cuda.tuned
launch = importlib.import_module(".cuda_launch", backend.__package__)
rng = np.random.default_rng(0)
X = rng.standard_normal((2, 3, 4)).astype("float32")
ROW = rng.standard_normal(4).astype("float32")


def launches(compute):
    """compute()'s result as NumPy, and the launches that computing it took."""
    launch.launch_counts.clear()
    result = compute()
    counts = dict(launch.launch_counts)
    return result.numpy(), counts


def without_fused_kernels(monkeypatch) -> None:
    """minidl.cuda() as before this work: views copied compact, Adam in elementwise launches."""
    without_capabilities(monkeypatch, cuda)


def test_elementwise_operations_read_strided_and_broadcast_views_in_one_launch():
    x, row = cuda.array(X), cuda.array(ROW)
    permuted = x.permute((2, 0, 1))[::-1, 1:, ::2]  # a negative step, an offset, a step
    broadcast = row.reshape((4, 1, 1)).broadcast_to((4, 2, 3))[::-1, 1:, ::2]
    expected_view = X.transpose(2, 0, 1)[::-1, 1:, ::2]
    expected_broadcast = np.broadcast_to(ROW.reshape(4, 1, 1), (4, 2, 3))[::-1, 1:, ::2]
    copied = permuted.compact()  # a compact operand next to a view
    cases = [
        (lambda: permuted + broadcast, expected_view + expected_broadcast, "ewise_strided"),
        (lambda: broadcast / copied, expected_broadcast / expected_view, "ewise_strided"),
        (lambda: permuted * 3.0, expected_view * 3, "scalar_strided"),
        (lambda: permuted.maximum(0.0), np.maximum(expected_view, 0), "scalar_strided"),
        (lambda: broadcast.exp(), np.exp(expected_broadcast), "unary_strided"),
    ]
    for compute, expected, kernel in cases:
        result, counts = launches(compute)
        np.testing.assert_allclose(result, expected, rtol=1e-6)
        assert counts == {kernel: 1}  # no compact copy first


def test_compact_operands_keep_the_plain_kernels():
    x = cuda.array(X)
    result, counts = launches(lambda: x + x)
    np.testing.assert_array_equal(result, X + X)
    assert counts == {"ewise": 1}


@pytest.mark.parametrize("axis", [0, 1, 2, (0, 2), (1, 2), None])
def test_reductions_over_permuted_and_broadcast_views_are_one_launch(axis):
    x = cuda.array(X)
    views = [(x.permute((1, 2, 0)), X.transpose(1, 2, 0)),
             (x[:, ::-2, 1:], X[:, ::-2, 1:]),
             (cuda.array(ROW).broadcast_to((2, 3, 4)), np.broadcast_to(ROW, (2, 3, 4))),
             (x, X)]  # compact: the plain kernel where the reduced axes are last
    for (view, expected), keepdims in zip(views, (False, True, False, True)):
        total, counts = launches(lambda: view.sum(axis, keepdims=keepdims))
        np.testing.assert_allclose(total, expected.sum(axis, keepdims=keepdims), rtol=1e-5,
                                   atol=1e-5)
        largest, _ = launches(lambda: view.max(axis, keepdims=keepdims))
        np.testing.assert_array_equal(largest, expected.max(axis, keepdims=keepdims))
        trailing = view is x and axis in (2, (1, 2), None)
        assert counts == {"reduce" if trailing else "reduce_strided": 1}


# Matrices as views (buffer size, (row stride, column stride), offset) of (rows, columns).
LAYOUTS = {
    "compact": lambda rows, columns: (rows * columns, (columns, 1), 0),
    "transposed": lambda rows, columns: (rows * columns, (1, rows), 0),  # a compact (cols, rows)
    # big[1::2, 2:] of a compact big of (2 * rows + 1, columns + 3): a step and an offset
    "sliced": lambda rows, columns: ((2 * rows + 1) * (columns + 3), (2 * (columns + 3), 1),
                                     columns + 5),
    "broadcast": lambda rows, columns: (columns, (0, 1), 0),  # one row, repeated
    "reversed": lambda rows, columns: (rows * columns, (-columns, 1), (rows - 1) * columns),
}


def matrix_view(layout: str, rows: int, columns: int, dtype: str):
    """A random view laid out as `layout`, and the matrix it reads, by NumPy."""
    size, strides, offset = LAYOUTS[layout](rows, columns)
    buffer = rng.standard_normal(size).astype(dtype)
    item = buffer.itemsize
    matrix = np.lib.stride_tricks.as_strided(buffer[offset:], (rows, columns),
                                             (strides[0] * item, strides[1] * item))
    return (buffer, strides, offset), matrix


# m, n and p each take every value in {1, 7, 8, 9, 17}: below, at and past the simulator's
# block edges (BLOCK_M = BLOCK_N = 8, BLOCK_K = 4)
SIZES = [(1, 7, 9), (7, 9, 1), (9, 1, 8), (8, 17, 7), (17, 8, 17)]


@pytest.mark.parametrize("a_layout, b_layout", [
    ("transposed", "compact"), ("compact", "transposed"), ("transposed", "transposed"),
    ("sliced", "compact"), ("broadcast", "sliced"), ("transposed", "broadcast"),
    ("reversed", "reversed")])
@pytest.mark.parametrize("m, n, p", SIZES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matmul_reads_transposed_sliced_broadcast_and_reversed_matrices_in_one_launch(
        a_layout, b_layout, m, n, p, dtype):
    a, a_matrix = matrix_view(a_layout, m, n, dtype)
    b, b_matrix = matrix_view(b_layout, n, p, dtype)
    out = np.full(m * p, np.nan, dtype)
    launch.launch_counts.clear()
    tuned.matmul_strided(a, b, out, m, n, p)
    assert launch.launch_counts == {"matmul_tiled": 1}  # no compact copy first
    # a view read as if compact gives other numbers, so this checks its strides and offset
    np.testing.assert_allclose(out.reshape(m, p), a_matrix @ b_matrix,
                               rtol=1e-5 if dtype == "float32" else 1e-12, atol=1e-6)


def adam_steps(optimizer_class, dtype: str, steps: int = 3, **options):
    """Parameters, first and second moments after `steps` steps of fixed random gradients, and
    the launches of the last step."""
    data = np.random.default_rng(1)
    # more parameters than a launch takes, the first longer than the simulator's grid (so each
    # thread loops), and one without a gradient (which Adam leaves alone)
    shapes = [(7, 9), (3, 4), (5,)] + [(size,) for size in range(1, tuned.GROUP + 1)]
    assert len(shapes) - 1 > tuned.GROUP and 63 > tuned.MAX_BLOCKS * backend.THREADS
    params = [mdl.nn.Parameter(mdl.Tensor(cuda.array(data.standard_normal(shape), dtype)))
              for shape in shapes]
    optimizer = optimizer_class(params, lr=0.01, **options)
    for _ in range(steps):
        for param in params[:-1]:
            param.grad = mdl.Tensor(cuda.array(data.standard_normal(param.shape), dtype))
        launch.launch_counts.clear()
        optimizer.step()
    counts = dict(launch.launch_counts)
    moments = [moment[id(param)].numpy() for moment in (optimizer.m, optimizer.v)
               for param in params[:-1]]
    return [param.numpy() for param in params] + moments, counts


@pytest.mark.parametrize("optimizer_class", ["Adam", "AdamW"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_fused_adam_update_gives_the_numbers_of_the_plain_one(optimizer_class, dtype,
                                                                     monkeypatch):
    optimizer_class = getattr(mdl.optim, optimizer_class)
    options = {"weight_decay": 0.1, "betas": (0.8, 0.99), "eps": 1e-6}
    fused, counts = adam_steps(optimizer_class, dtype, **options)
    assert counts == {"_adam": 2}  # 10 parameters with gradients, 8 a launch
    without_fused_kernels(monkeypatch)
    plain, counts = adam_steps(optimizer_class, dtype, **options)
    assert "_adam" not in counts
    for ours, theirs in zip(fused, plain):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6 if dtype == "float32" else 1e-14)
    # weight decay changes the numbers, so the comparison above checks it is applied
    undecayed, _ = adam_steps(optimizer_class, dtype, **options | {"weight_decay": 0})
    assert not np.allclose(undecayed[0], fused[0], rtol=1e-6)


def training_step_launches() -> dict:
    """Launches by kernel of a second Adam training step (the first also makes Adam's moments)
    of a tiny network with ResNet9's layers: a convolution, batch norm, ReLU and a linear one."""
    mdl.init.manual_seed(0)
    model = mdl.nn.Sequential(mdl.nn.Conv2d(2, 3, 3, padding=1), mdl.nn.BatchNorm2d(3),
                              mdl.nn.ReLU(), mdl.nn.Flatten(), mdl.nn.Linear(3 * 3 * 3, 2))
    images = mdl.Tensor(np.random.default_rng(2).standard_normal((1, 2, 3, 3)))
    labels, loss_fn = mdl.Tensor(np.array([1])), mdl.nn.SoftmaxLoss()
    optimizer = mdl.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(2):
        launch.launch_counts.clear()
        loss = loss_fn(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return dict(launch.launch_counts)


def test_a_training_step_takes_fewer_launches(monkeypatch):
    monkeypatch.setenv("MINIDL_DEVICE", "cuda")
    counts = training_step_launches()
    # Measured: 192 launches before (28 compact copies, 140 elementwise ones and 12 reductions,
    # Adam's update about 13 a parameter), 60 now: broadcast, permuted and transposed operands
    # (of elementwise ops and matmul) read in place, a reduction one launch, Adam one launch
    # for up to 8 parameters and batch norm's training step 5 (test_fused_layers.py). The copies left are the convolution's windows and weights, the optimizer's
    # gradients and assignments' values.
    assert sum(counts.values()) <= 60
    assert counts["_adam"] == 1  # weights and biases of the convolution, batch norm and linear
    assert counts["_compact"] <= 11
