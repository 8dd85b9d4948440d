"""Convolution, pooling and recurrent layers against independent NumPy computations (and
PyTorch where it is installed), values and gradients."""
import importlib

import numpy as np
import pytest

from autograder.compare import numerical_gradient
from conftest import minidl_reference, tensor

pytestmark = pytest.mark.usefixtures("device")  # each CPU device (conftest)
mdl = minidl_reference()
CONV_LIVE = importlib.import_module(mdl.__name__ + ".ops.conv_live")
rng = np.random.default_rng(4)


def numpy_conv(x, w, stride, padding, dilation=1, input_dilation=1):
    """Cross-correlation by its definition, with loops; `padding` an int or per side
    ((top, bottom), (left, right)), negative sides cropping."""
    (top, bottom), (left, right) = ((padding, padding),) * 2 if np.isscalar(padding) else padding
    spread = np.zeros(x.shape[:2] + tuple((n - 1) * input_dilation + 1 for n in x.shape[2:]))
    spread[:, :, ::input_dilation, ::input_dilation] = x
    x = np.pad(spread, [(0, 0), (0, 0), (max(top, 0), max(bottom, 0)),
                        (max(left, 0), max(right, 0))])
    x = x[:, :, max(-top, 0):x.shape[2] - max(-bottom, 0),
          max(-left, 0):x.shape[3] - max(-right, 0)]
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    reach_h, reach_w = dilation * (kh - 1) + 1, dilation * (kw - 1) + 1
    ho, wo = (h - reach_h) // stride + 1, (wd - reach_w) // stride + 1
    out = np.zeros((n, o, ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = x[:, :, i * stride:i * stride + reach_h:dilation,
                       j * stride:j * stride + reach_w:dilation]
            out[:, :, i, j] = np.einsum("nchw,ochw->no", window, w)
    return out


def numpy_conv_gradients(x, w, g, stride, padding, dilation):
    """The gradients of sum(conv(x, w) * g) w.r.t. x and w, by scattering each output back."""
    xp = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
    grad_xp, grad_w = np.zeros_like(xp), np.zeros_like(w)
    _, _, kh, kw = w.shape
    for i in range(g.shape[2]):
        for j in range(g.shape[3]):
            rows = slice(i * stride, i * stride + dilation * (kh - 1) + 1, dilation)
            cols = slice(j * stride, j * stride + dilation * (kw - 1) + 1, dilation)
            grad_xp[:, :, rows, cols] += np.einsum("no,ochw->nchw", g[:, :, i, j], w)
            grad_w += np.einsum("no,nchw->ochw", g[:, :, i, j], xp[:, :, rows, cols])
    h, wd = x.shape[2:]
    return grad_xp[:, :, padding:padding + h, padding:padding + wd], grad_w


def test_conv_gradients_agree_with_scattering_over_a_grid_of_settings(conv_compute):
    for stride, padding, kernel, dilation in np.ndindex(3, 3, 4, 2):
        stride, kernel, dilation = stride + 1, (1, 2, 3, 5)[kernel], dilation + 1
        reach = dilation * (kernel - 1) + 1
        for size in range(max(reach - 2 * padding, 1), reach + stride + 1):
            x = rng.standard_normal((2, 2, size, size))
            w = rng.standard_normal((3, 2, kernel, kernel))
            X, W = tensor(x, True), tensor(w, True)
            out = mdl.ops.conv(X, W, stride, padding, dilation)
            g = rng.standard_normal(out.shape)
            (out * tensor(g)).sum().backward()
            expected_x, expected_w = numpy_conv_gradients(x, w, g, stride, padding, dilation)
            setting = f"stride {stride} padding {padding} kernel {kernel} dilation {dilation} size {size}"
            np.testing.assert_allclose(X.grad.numpy(), expected_x, rtol=1e-9, atol=1e-9,
                                       err_msg=setting)
            np.testing.assert_allclose(W.grad.numpy(), expected_w, rtol=1e-9, atol=1e-9,
                                       err_msg=setting)


@pytest.mark.parametrize("stride, padding, kernel, size, dilation", [
    (1, 0, 3, 5, 1), (1, 1, 3, 6, 1), (2, 1, 3, 7, 1), (2, 0, 2, 6, 1), (3, 2, 1, 5, 1),
    (1, 1, 1, 4, 1), (1, 1, 3, 7, 2), (2, 2, 2, 8, 3)])
def test_conv_matches_its_definition_with_gradients_by_conv(stride, padding, kernel, size,
                                                            dilation, device, conv_compute):
    x = rng.standard_normal((2, 3, size, size))
    w = rng.standard_normal((4, 3, kernel, kernel))
    upstream = None

    def loss(xv, wv):
        out = numpy_conv(xv, wv, stride, padding, dilation)
        return (out * upstream).sum()

    X, W = tensor(x, True), tensor(w, True)
    out = mdl.ops.conv(X, W, stride, padding, dilation)
    expected = numpy_conv(x, w, stride, padding, dilation)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-10)
    upstream = rng.standard_normal(expected.shape)
    (out * tensor(upstream)).sum().backward()
    assert X.grad.device.name == device
    np.testing.assert_allclose(X.grad.numpy(), numerical_gradient(lambda v: loss(v, w), x),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(W.grad.numpy(), numerical_gradient(lambda v: loss(x, v), w),
                               rtol=1e-6, atol=1e-6)
    W.grad = None
    mdl.ops.conv(tensor(x), W, stride, padding, dilation).sum().backward()
    np.testing.assert_allclose(W.grad.numpy(), numerical_gradient(
        lambda v: numpy_conv(x, v, stride, padding, dilation).sum(), w), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("setting", range(12))
def test_conv_with_padding_per_side_and_input_dilation_matches_its_definition(setting,
                                                                             conv_compute):
    """The general conv that conv's own gradients use: uneven and negative (cropping)
    padding, zeros between input values; values and numerical gradients."""
    local = np.random.default_rng(setting)
    stride, dilation, spread = (int(v) for v in local.integers(1, 4, 3))
    kernel = (int(local.integers(1, 4)), int(local.integers(1, 4)))
    padding = tuple(tuple(int(v) for v in local.integers(-1, 4, 2)) for _ in range(2))
    size = [max(1, -(-(dilation * (k - 1) - sum(p)) // spread) + 1) + int(local.integers(0, 3))
            for k, p in zip(kernel, padding)]
    x = local.standard_normal((2, 2, *size))
    w = local.standard_normal((3, 2, *kernel))
    X, W = tensor(x, True), tensor(w, True)
    out = mdl.ops.conv(X, W, stride, padding, dilation, spread)
    expected = numpy_conv(x, w, stride, padding, dilation, spread)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-10)
    upstream = local.standard_normal(expected.shape)
    (out * tensor(upstream)).sum().backward()
    np.testing.assert_allclose(X.grad.numpy(), numerical_gradient(lambda v: (numpy_conv(
        v, w, stride, padding, dilation, spread) * upstream).sum(), x), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(W.grad.numpy(), numerical_gradient(lambda v: (numpy_conv(
        x, v, stride, padding, dilation, spread) * upstream).sum(), w), rtol=1e-6, atol=1e-6)


def test_conv_skips_the_taps_and_outputs_that_read_only_padding():
    """A 3x3 kernel over a 1x1 map padded by 1 reads x only through its centre tap."""
    span = CONV_LIVE.live_span(1, 1, 1, 3, 1, 1, 1)
    assert (span.size, span.outputs, span.first_tap, span.taps, span.before, span.after) == (
        1, 1, 1, 1, 0, 0)
    # the weight's gradient there: of its 3x3 outputs only the centre one reads x
    span = CONV_LIVE.live_span(1, 1, 1, 1, 1, 1, 1)
    assert (span.size, span.first_output, span.outputs) == (3, 1, 1)
    x, w = rng.standard_normal((2, 4, 1, 1)), rng.standard_normal((5, 4, 3, 3))
    X, W = tensor(x, True), tensor(w, True)
    out = mdl.ops.conv(X, W, 1, 1)
    np.testing.assert_allclose(out.numpy(), numpy_conv(x, w, 1, 1), rtol=1e-12)
    out.sum().backward()
    expected = np.zeros_like(w)
    expected[:, :, 1, 1] = x.sum(0)[:, 0, 0]
    np.testing.assert_allclose(W.grad.numpy(), expected, rtol=1e-12)
    with pytest.raises(ValueError, match="kernel reaches over 5"):
        mdl.ops.conv(X, tensor(rng.standard_normal((5, 4, 5, 5))), 1, 1)


def test_pad_flip_dilate_stack_split_and_their_gradients():
    a = rng.standard_normal((2, 3, 4))
    A = tensor(a, True)
    np.testing.assert_array_equal(mdl.ops.pad(A, ((0, 0), (1, 2), (0, 1))).numpy(),
                                  np.pad(a, [(0, 0), (1, 2), (0, 1)]))
    np.testing.assert_array_equal(mdl.ops.flip(A, (0, 2)).numpy(), a[::-1, :, ::-1])
    dilated = mdl.ops.dilate(A, (1,), 2)
    assert dilated.shape == (2, 7, 4)
    np.testing.assert_array_equal(dilated.numpy()[:, ::3], a)
    np.testing.assert_array_equal(mdl.ops.undilate(dilated, (1,), 2).numpy(), a)
    parts = mdl.ops.split(A, 1)
    assert len(parts) == 3 and parts[1].shape == (2, 4)
    stacked = mdl.ops.stack(parts[::-1], 2)
    np.testing.assert_array_equal(stacked.numpy(), np.stack([a[:, 2], a[:, 1], a[:, 0]], 2))
    weights = rng.standard_normal(stacked.shape)
    (stacked * tensor(weights)).sum().backward()
    np.testing.assert_array_equal(A.grad.numpy(), np.stack([weights[:, :, 2], weights[:, :, 1],
                                                            weights[:, :, 0]], 1))


def test_pooling_and_batchnorm2d():
    x = rng.standard_normal((2, 3, 5, 5))
    X = tensor(x, True)
    pooled = mdl.nn.MaxPool2d(2)(X)
    windows = x[:, :, :4, :4].reshape(2, 3, 2, 2, 2, 2)
    np.testing.assert_array_equal(pooled.numpy(), windows.max(axis=(3, 5)))
    np.testing.assert_allclose(mdl.nn.AvgPool2d(2)(X).numpy(), windows.mean(axis=(3, 5)))
    pooled.sum().backward()
    assert X.grad.numpy().sum() == 2 * 3 * 2 * 2 and X.grad.numpy()[:, :, 4].sum() == 0
    norm = mdl.nn.BatchNorm2d(3, dtype="float64")
    out = norm(X).numpy()
    mean, var = x.mean(axis=(0, 2, 3), keepdims=True), x.var(axis=(0, 2, 3), keepdims=True)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-5), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(norm.running_mean.numpy(), 0.1 * mean.ravel(), rtol=1e-8)


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def numpy_lstm(x, params, layers, hidden):
    h = np.zeros((layers, x.shape[1], hidden))
    c = np.zeros_like(h)
    for k in range(layers):
        outputs = []
        for step in x:
            gates = (step @ params[f"weight_ih_l{k}"].T + params[f"bias_ih_l{k}"]
                     + h[k] @ params[f"weight_hh_l{k}"].T + params[f"bias_hh_l{k}"])
            i, f, g, o = np.split(gates, 4, axis=1)
            c[k] = sigmoid(f) * c[k] + sigmoid(i) * np.tanh(g)
            h[k] = sigmoid(o) * np.tanh(c[k])
            outputs.append(h[k].copy())
        x = np.stack(outputs)
    return x, h, c


def numpy_gru(x, params, hidden):
    h = np.zeros((x.shape[1], hidden))
    outputs = []
    for step in x:
        xs = step @ params["weight_ih_l0"].T + params["bias_ih_l0"]
        hs = h @ params["weight_hh_l0"].T + params["bias_hh_l0"]
        (xr, xz, xn), (hr, hz, hn) = np.split(xs, 3, axis=1), np.split(hs, 3, axis=1)
        r, z = sigmoid(xr + hr), sigmoid(xz + hz)
        n = np.tanh(xn + r * hn)
        h = (1 - z) * n + z * h
        outputs.append(h)
    return np.stack(outputs), h


def test_lstm_matches_numpy_and_its_gradient_is_numerical():
    seq, batch, features, hidden, layers = 4, 3, 5, 6, 2
    lstm = mdl.nn.LSTM(features, hidden, num_layers=layers, dtype="float64")
    params = {name: p.numpy() for name, p in lstm.named_parameters()}
    assert params["weight_ih_l1"].shape == (4 * hidden, hidden)
    x = rng.standard_normal((seq, batch, features))
    X = tensor(x, True)
    output, (h, c) = lstm(X)
    expected, eh, ec = numpy_lstm(x, params, layers, hidden)
    np.testing.assert_allclose(output.numpy(), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h.numpy(), eh, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(c.numpy(), ec, rtol=1e-10, atol=1e-12)
    output.sum().backward()
    np.testing.assert_allclose(
        X.grad.numpy(), numerical_gradient(lambda v: numpy_lstm(v, params, layers, hidden)[0].sum(), x),
        rtol=1e-5, atol=1e-7)


def test_rnn_and_gru_match_numpy():
    seq, batch, features, hidden = 3, 2, 4, 5
    x = rng.standard_normal((seq, batch, features))
    gru = mdl.nn.GRU(features, hidden, dtype="float64")
    params = {name: p.numpy() for name, p in gru.named_parameters()}
    output, h = gru(tensor(x))
    expected, eh = numpy_gru(x, params, hidden)
    np.testing.assert_allclose(output.numpy(), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h.numpy()[0], eh, rtol=1e-10, atol=1e-12)
    rnn = mdl.nn.RNN(features, hidden, nonlinearity="relu", dtype="float64")
    p = {name: t.numpy() for name, t in rnn.named_parameters()}
    state = np.zeros((batch, hidden))
    for step in x:
        state = np.maximum(step @ p["weight_ih_l0"].T + p["bias_ih_l0"]
                           + state @ p["weight_hh_l0"].T + p["bias_hh_l0"], 0)
    np.testing.assert_allclose(rnn(tensor(x))[1].numpy()[0], state, rtol=1e-10, atol=1e-12)


def test_cells_step_like_the_layers_in_numpy():
    x = rng.standard_normal((2, 3, 4))
    lstm = mdl.nn.LSTMCell(4, 5, dtype="float64")
    params = {f"{name}_l0": p.numpy() for name, p in lstm.named_parameters()}
    h, c = lstm(tensor(x[0]))
    h, c = lstm(tensor(x[1]), (h, c))
    _, eh, ec = numpy_lstm(x, params, 1, 5)
    np.testing.assert_allclose(h.numpy(), eh[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(c.numpy(), ec[0], rtol=1e-10, atol=1e-12)
    gru = mdl.nn.GRUCell(4, 5, dtype="float64")
    params = {f"{name}_l0": p.numpy() for name, p in gru.named_parameters()}
    h = gru(tensor(x[1]), gru(tensor(x[0])))
    np.testing.assert_allclose(h.numpy(), numpy_gru(x, params, 5)[1], rtol=1e-10, atol=1e-12)
    rnn = mdl.nn.RNNCell(4, 5, bias=False, nonlinearity="relu", dtype="float64")
    assert [name for name, _ in rnn.named_parameters()] == ["weight_ih", "weight_hh"]
    h0 = rng.standard_normal((3, 5))
    expected = np.maximum(x[0] @ rnn.weight_ih.numpy().T + h0 @ rnn.weight_hh.numpy().T, 0)
    np.testing.assert_allclose(rnn(tensor(x[0]), tensor(h0)).numpy(), expected, rtol=1e-10)
    with pytest.raises(ValueError, match=r"LSTMCell expects \(batch, 4\), got shape \(2, 3, 4\)"):
        lstm(tensor(x))


def test_embedding_looks_up_rows_and_routes_gradients():
    emb = mdl.nn.Embedding(7, 3, dtype="float64")
    ids = np.array([[1, 6], [1, 0]])
    out = emb(ids)
    np.testing.assert_array_equal(out.numpy(), emb.weight.numpy()[ids])
    out.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.numpy()[:, 0], [1, 2, 0, 0, 0, 0, 1])
    with pytest.raises(IndexError, match="Embedding of 7 rows got index 7"):
        emb(np.array([7]))


def test_torch_weights_load_and_give_the_same_outputs():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(3, 4, 3, stride=2, padding=1).double()
    lstm = torch.nn.LSTM(5, 6, num_layers=2).double()
    gru = torch.nn.GRU(5, 6).double()
    x = rng.standard_normal((2, 3, 7, 7))
    seq = rng.standard_normal((4, 3, 5))
    ours = mdl.nn.Conv2d(3, 4, 3, stride=2, padding=1, dtype="float64")
    ours.load_state_dict({k: v.numpy() for k, v in conv.state_dict().items()})
    np.testing.assert_allclose(ours(tensor(x)).numpy(), conv(torch.tensor(x)).detach().numpy(),
                               rtol=1e-10, atol=1e-12)
    for theirs, mine in ((lstm, mdl.nn.LSTM(5, 6, num_layers=2, dtype="float64")),
                         (gru, mdl.nn.GRU(5, 6, dtype="float64"))):
        mine.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
        np.testing.assert_allclose(mine(tensor(seq))[0].numpy(),
                                   theirs(torch.tensor(seq))[0].detach().numpy(),
                                   rtol=1e-10, atol=1e-12)
    step, state = seq[0], (rng.standard_normal((3, 6)), rng.standard_normal((3, 6)))
    for theirs, mine in ((torch.nn.LSTMCell(5, 6), mdl.nn.LSTMCell(5, 6, dtype="float64")),
                         (torch.nn.RNNCell(5, 6), mdl.nn.RNNCell(5, 6, dtype="float64")),
                         (torch.nn.GRUCell(5, 6), mdl.nn.GRUCell(5, 6, dtype="float64"))):
        mine.load_state_dict({k: v.double().numpy() for k, v in theirs.state_dict().items()})
        lstm_cell = isinstance(mine, mdl.nn.LSTMCell)
        got = mine(tensor(step), tuple(map(tensor, state)) if lstm_cell else tensor(state[0]))
        expected = theirs.double()(torch.tensor(step), tuple(map(torch.tensor, state))
                                   if lstm_cell else torch.tensor(state[0]))
        np.testing.assert_allclose((got[1] if lstm_cell else got).numpy(),
                                   (expected[1] if lstm_cell else expected).detach().numpy(),
                                   rtol=1e-10, atol=1e-12)
