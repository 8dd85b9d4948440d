"""The reference's fused layers on the (simulated) GPU, an LSTM step and BatchNorm2d in
training, against the composed ops students write: outputs, states, every gradient, launches."""
import importlib

import numpy as np

from conftest import minidl_reference

mdl = minidl_reference()
launch = importlib.import_module(".cuda_launch", mdl.cuda().backend.__package__)
SEQ, BATCH, FEATURES, HIDDEN, LAYERS = 3, 3, 4, 6, 1  # a state of 2 simulated blocks


def lstm_results() -> tuple[list[np.ndarray], dict]:
    """A float32 LSTM and an LSTMCell from a given state: outputs, final states and the
    gradients of a weighted sum of them w.r.t. the input, the initial states and every weight;
    and the launches of the LSTM's forward and backward."""
    data = np.random.default_rng(3)
    mdl.init.manual_seed(0)
    lstm, cell = (mdl.nn.LSTM(FEATURES, HIDDEN, num_layers=LAYERS),
                  mdl.nn.LSTMCell(FEATURES, HIDDEN))
    x, h0, c0 = (mdl.Tensor(data.standard_normal(shape), requires_grad=True)
                 for shape in [(SEQ, BATCH, FEATURES)] + [(LAYERS, BATCH, HIDDEN)] * 2)
    launch.launch_counts.clear()
    output, (h, c) = lstm(x, (h0, c0))
    cell_h, cell_c = cell(mdl.ops.split(x, 0)[0], (mdl.ops.split(h0, 0)[0],
                                                   mdl.ops.split(c0, 0)[0]))
    results = [output, h, c, cell_h, cell_c]
    loss = sum(((result * mdl.Tensor(data.standard_normal(result.shape))).sum()
                for result in results), mdl.Tensor(np.zeros(())))
    loss.backward()
    counts = dict(launch.launch_counts)
    params = [p for module in (lstm, cell) for p in module.parameters()]
    return [t.numpy() for t in results] + [t.grad.numpy() for t in [x, h0, c0, *params]], counts


def test_the_fused_lstm_step_gives_the_numbers_of_the_composed_ops(monkeypatch):
    kernels, parts = mdl.cuda().kernels, []
    fused_kernel = kernels.lstm_cell
    monkeypatch.setattr(kernels, "lstm_cell", lambda kind, *arrays: (parts.append(kind),
                                                                     fused_kernel(kind, *arrays)))
    monkeypatch.setenv("MINIDL_DEVICE", "cuda")
    fused, counts = lstm_results()
    monkeypatch.setenv("MINIDL_DEVICE", "cpu")  # NumPy's device: lstm_step's composed ops
    composed, _ = lstm_results()
    for ours, theirs in zip(fused, composed, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    steps = SEQ * LAYERS + 1  # the LSTM's and the cell's
    assert sorted(parts) == sorted(list(range(6)) * steps)  # each part once a step
    # measured: 259 launches with the composed ops, 115 fused
    assert counts["_lstm"] == 6 * steps and sum(counts.values()) <= 115, counts


def batch_norm_results() -> tuple[list[np.ndarray], dict]:
    """BatchNorm2d's output and gradients (x, weight, bias) over two training steps, its running
    statistics after them and an evaluation's output; the launches of the second step."""
    data = np.random.default_rng(5)
    # n * h * w = 30 values a channel: each of the simulator's 16 threads sums one or two
    norm = mdl.nn.BatchNorm2d(3, momentum=0.3)
    norm.weight.data = mdl.Tensor(data.uniform(0.5, 2, 3))
    norm.bias.data = mdl.Tensor(data.standard_normal(3))
    results = []
    for _ in range(2):
        x = mdl.Tensor(data.standard_normal((2, 3, 3, 5)) * 3 + 1, requires_grad=True)
        launch.launch_counts.clear()
        out = norm(x)
        (out * mdl.Tensor(data.standard_normal(out.shape))).sum().backward()
        results += [out, x.grad, norm.weight.grad, norm.bias.grad]
        norm.weight.grad = norm.bias.grad = None
    counts = dict(launch.launch_counts)
    results += [norm.running_mean, norm.running_var, norm.num_batches_tracked]
    norm.eval()
    results.append(norm(mdl.Tensor(data.standard_normal((2, 3, 3, 5)))))
    return [t.numpy() for t in results], counts


def test_the_fused_batch_norm_gives_the_numbers_of_the_composed_ops(monkeypatch):
    monkeypatch.setenv("MINIDL_DEVICE", "cuda")
    fused, counts = batch_norm_results()
    monkeypatch.setenv("MINIDL_DEVICE", "cpu")
    composed, _ = batch_norm_results()
    for ours, theirs in zip(fused, composed, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    assert counts["_batch_norm_stats"] == counts["_batch_norm_apply"] == 1
    assert counts["_batch_norm_sum"] == 2 and counts["_batch_norm_grad_x"] == 1
    # measured: 45 launches with the composed ops, 10 fused (with the loss's own)
    assert sum(counts.values()) <= 10, counts
