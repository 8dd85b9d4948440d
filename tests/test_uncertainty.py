"""hw7's uncertainty part: GaussianNLLLoss against PyTorch's documented formula (var shapes, eps
clamp, full, reductions, errors), and minidl.uncertainty against NumPy definitions written
here: predictive entropy, ECE and the reliability data against a direct loop over bins,
temperature scaling, MC dropout's modes and ensembles."""
import math

import numpy as np
import pytest

from conftest import minidl_reference, tensor

mdl = minidl_reference()
nn, F, U = mdl.nn, mdl.nn.functional, mdl.uncertainty


# NumPy definitions, float64.

def np_gaussian_nll(x, t, var, full=False, eps=1e-6, reduction="mean"):
    """PyTorch's gaussian_nll_loss: var of x's shape, or x's shape without its last dimension
    or with it 1; clamped below at eps."""
    if var.shape != x.shape and var.shape == x.shape[:-1]:
        var = var[..., None]
    var = np.maximum(var, eps)
    loss = 0.5 * (np.log(var) + (x - t) ** 2 / var) + (0.5 * math.log(2 * math.pi) if full else 0)
    loss = np.broadcast_to(loss, x.shape)
    return {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]


def np_entropy(p):
    safe = np.where(p > 0, p, 1.0)
    return -(p * np.log(safe)).sum(-1)


def np_reliability(probs, labels, bins):
    """Per bin (lo, hi] (a confidence of 0 in the first): count, accuracy, mean confidence,
    by a direct loop."""
    confidence, correct = probs.max(1), probs.argmax(1) == labels
    counts, accuracy, mean_conf = np.zeros(bins, int), np.full(bins, np.nan), np.full(bins, np.nan)
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = (confidence > lo) & (confidence <= hi) | ((b == 0) & (confidence == 0))
        counts[b] = inside.sum()
        if counts[b]:
            accuracy[b], mean_conf[b] = correct[inside].mean(), confidence[inside].mean()
    return counts, accuracy, mean_conf


def np_ece(probs, labels, bins):
    counts, accuracy, confidence = np_reliability(probs, labels, bins)
    return sum(n / len(labels) * abs(a - c) for n, a, c in zip(counts, accuracy, confidence)
               if n)


def np_nll(logits, labels):
    z = logits - logits.max(1, keepdims=True)
    return np.mean(np.log(np.exp(z).sum(1)) - z[np.arange(len(labels)), labels])


# Gaussian NLL

@pytest.mark.parametrize("device", ["cpu", "cpu_numba"])
@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1)])
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gaussian_nll_values_and_gradients(device, var_shape, full, reduction, monkeypatch):
    monkeypatch.setenv("MINIDL_DEVICE", device)
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    var = rng.uniform(0.1, 2.0, var_shape)
    var.flat[0] = 1e-9  # clamped to eps
    X, V = tensor(x, True), tensor(var, True)
    loss = nn.GaussianNLLLoss(full=full, reduction=reduction)(X, tensor(t), V)
    expected = np_gaussian_nll(x, t, var, full, reduction=reduction)
    np.testing.assert_allclose(loss.numpy(), expected, rtol=1e-12)
    upstream = rng.standard_normal(np.shape(expected))
    (loss * tensor(upstream)).sum().backward()
    # d/dx and d/dvar of the formula at the clamped variance c: the clamp passes the gradient
    scale = {"mean": upstream / x.size, "sum": upstream, "none": upstream}[reduction]
    c = np.maximum(var[..., None] if var_shape == (4,) else var, 1e-6)
    np.testing.assert_allclose(X.grad.numpy(), scale * (x - t) / c, rtol=1e-10)
    dvar = np.broadcast_to(scale * 0.5 * (1 / c - (x - t) ** 2 / c ** 2), x.shape)
    dvar = dvar.sum(-1) if var_shape == (4,) else dvar.sum(-1, keepdims=True) \
        if var_shape == (4, 1) else dvar
    np.testing.assert_allclose(V.grad.numpy(), dvar, rtol=1e-10)
    assert V.grad.numpy().flat[0] != 0  # the clamped entry still gets a gradient


def test_gaussian_nll_functional_eps_and_broadcast_target():
    x, t = np.array([[0.0, 1.0], [2.0, -1.0]]), np.array([[1.0], [0.0]])
    var = np.array([[0.0, 0.5], [0.01, 3.0]])
    got = F.gaussian_nll_loss(tensor(x), tensor(t), tensor(var), eps=0.1, reduction="none")
    np.testing.assert_allclose(got.numpy(), np_gaussian_nll(x, t, var, eps=0.1, reduction="none"))
    # arrays are accepted for target and var; a 1-D input with a scalar variance
    np.testing.assert_allclose(
        F.gaussian_nll_loss(tensor([1.0, 2.0]), [0.0, 0.0], np.float64(2.0)).numpy(),
        np_gaussian_nll(np.array([1.0, 2.0]), np.zeros(2), np.array(2.0)))
    assert "full=True" in repr(nn.GaussianNLLLoss(full=True))


@pytest.mark.parametrize("var_shape, target_shape, reduction, message", [
    ((4, 2), (4, 3), "mean", "var (4, 2)"), ((3,), (4, 3), "mean", "var (3,)"),
    ((4, 3, 1), (4, 3), "mean", "var (4, 3, 1)"), ((4, 3), (4, 2), "mean", "target (4, 2)"),
    ((4, 3), (4, 3), "avg", "'avg'")])
def test_gaussian_nll_errors(var_shape, target_shape, reduction, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        F.gaussian_nll_loss(tensor(np.zeros((4, 3))), tensor(np.zeros(target_shape)),
                            tensor(np.ones(var_shape)), reduction=reduction)
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(tensor(np.zeros((2, 2))), tensor(np.zeros((2, 2))),
                            tensor([[1.0, -0.1], [1.0, 1.0]]))
    with pytest.raises(ValueError, match="'avg'"):
        nn.GaussianNLLLoss(reduction="avg")


# Entropy

def test_predictive_entropy():
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(4), (3, 5))
    p[0, 0] = [0.0, 1.0, 0.0, 0.0]
    p[0, 1] = [0.5, 0.5, 0.0, 0.0]
    got = U.predictive_entropy(p)
    assert got.shape == (3, 5) and np.isfinite(got).all()
    np.testing.assert_allclose(got, np_entropy(p), rtol=1e-12)
    assert got[0, 0] == 0 and np.isclose(got[0, 1], math.log(2))  # natural log, 0 log 0 = 0
    np.testing.assert_allclose(U.predictive_entropy(tensor(np.full((2, 5), 0.2))), math.log(5))
    with pytest.raises(ValueError, match="non-negative"):
        U.predictive_entropy([[-0.1, 1.1]])


# Calibration

def test_ece_and_reliability_against_a_loop():
    rng = np.random.default_rng(2)
    for n, k, bins in ((200, 4, 15), (50, 3, 10), (7, 2, 20)):
        probs = rng.dirichlet(np.full(k, 0.3), n)
        labels = rng.integers(0, k, n)
        counts, accuracy, confidence = np_reliability(probs, labels, bins)
        diagram = U.reliability_diagram(probs, labels, bins)
        np.testing.assert_array_equal(diagram.counts, counts)
        np.testing.assert_allclose(diagram.accuracy, accuracy, rtol=1e-12)
        np.testing.assert_allclose(diagram.confidence, confidence, rtol=1e-12)
        np.testing.assert_allclose(diagram.edges, np.linspace(0, 1, bins + 1))
        assert np.isnan(diagram.accuracy[counts == 0]).all()
        assert np.isclose(U.expected_calibration_error(probs, labels, bins),
                          np_ece(probs, labels, bins), rtol=1e-12, atol=0)
    assert np.isclose(U.expected_calibration_error(probs, labels), np_ece(probs, labels, 15))


def test_ece_edges_zero_and_one():
    # bins of a quarter: confidences on edges belong to the bin below; 0 to the first
    probs = np.array([[0.25, 0.25], [0.5, 0.5], [0.75, 0.25], [1.0, 0.0], [0.0, 0.0],
                      [0.25, 0.75]])
    labels = np.array([0, 1, 0, 0, 0, 1])
    diagram = U.reliability_diagram(probs, labels, 4)
    np.testing.assert_array_equal(diagram.counts, [2, 1, 2, 1])
    np.testing.assert_array_equal(diagram.accuracy, [1.0, 0.0, 1.0, 1.0])
    np.testing.assert_allclose(diagram.confidence, [0.125, 0.5, 0.75, 1.0])
    expected = (2 * 0.875 + 0.5 + 2 * 0.25 + 0) / 6
    assert np.isclose(U.expected_calibration_error(probs, labels, 4), expected)
    assert U.expected_calibration_error(np.eye(3), [0, 1, 2]) == 0  # confident and right


def test_calibration_errors_and_plot():
    with pytest.raises(ValueError, match=r"\(3,\)"):
        U.expected_calibration_error(np.ones(3) / 3, [0])
    with pytest.raises(ValueError, match=r"\(2, 2\) .* \(3,\)"):
        U.reliability_diagram(np.eye(2), [0, 1, 1])
    with pytest.raises(ValueError, match="bins"):
        U.reliability_diagram(np.eye(2), [0, 1], bins=0)
    with pytest.raises(ValueError, match=r"\[0, 2\), got int64 values 0..2"):
        U.expected_calibration_error(np.eye(2), np.array([0, 2]))
    with pytest.raises(ValueError, match="integers"):
        U.expected_calibration_error(np.eye(2), np.array([0.0, 1.0]))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    figure, ax = plt.subplots()
    assert U.plot_reliability(U.reliability_diagram(np.eye(2) * 0.9, [0, 0], 5), ax) is ax
    plt.close(figure)


# Temperature scaling

def over_confident(rng, n=2000, k=5, factor=3.0):
    """Logits `factor` times too large for labels drawn from the softmax of the true ones."""
    true = rng.standard_normal((n, k)) * 1.5
    p = np.exp(true - true.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    labels = (rng.random((n, 1)) > p.cumsum(1)).sum(1)
    return true * factor, labels


def test_temperature_divides_logits_before_the_softmax():
    scaler = U.TemperatureScaling(2.5, dtype="float64")
    assert scaler.log_temperature.shape == (1,) and np.isclose(scaler.temperature, 2.5)
    assert [name for name, _ in scaler.named_parameters()] == ["log_temperature"]
    logits = np.random.default_rng(3).standard_normal((4, 3))
    out = scaler(tensor(logits))
    np.testing.assert_allclose(out.numpy(), logits / 2.5, rtol=1e-12)
    out.sum().backward()
    # d/d log T of sum(z / T) = -sum(z) / T
    np.testing.assert_allclose(scaler.log_temperature.grad.numpy(), [-logits.sum() / 2.5])
    with pytest.raises(ValueError, match="-1"):
        U.TemperatureScaling(-1.0)


@pytest.mark.parametrize("device", ["cpu", "cpu_numba"])  # cpu_numba's Adam is a fused kernel
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fit_temperature_recovers_the_over_confidence(dtype, device, monkeypatch):
    monkeypatch.setenv("MINIDL_DEVICE", device)
    logits, labels = over_confident(np.random.default_rng(4))
    scaler = U.fit_temperature(mdl.Tensor(logits, dtype=dtype), labels)
    assert isinstance(scaler, U.TemperatureScaling) and scaler.log_temperature.dtype == dtype
    best = 3.0
    for step, reach in ((0.1, 2.0), (0.001, 0.1)):  # a coarse grid, then a fine one
        grid = best + np.arange(-reach, reach + step / 2, step)
        best = grid[np.argmin([np_nll(logits / T, labels) for T in grid])]
    assert abs(best - 3) < 0.3  # the data's optimum is near the factor
    assert abs(scaler.temperature - best) < 0.01
    assert np_nll(logits / scaler.temperature, labels) < np_nll(logits, labels) - 0.1
    before = U.expected_calibration_error(np.exp(logits) / np.exp(logits).sum(1, keepdims=True),
                                          labels)
    scaled = scaler(mdl.Tensor(logits, dtype=dtype)).numpy().astype(np.float64)
    after = np.exp(scaled - scaled.max(1, keepdims=True))
    after = U.expected_calibration_error(after / after.sum(1, keepdims=True), labels)
    assert after < before / 2


def test_fit_temperature_takes_arrays_and_checks_shape():
    logits, labels = over_confident(np.random.default_rng(5), n=300)
    assert U.fit_temperature(logits, labels, steps=5).log_temperature.dtype == "float64"
    with pytest.raises(ValueError, match=r"\(300,\)"):
        U.fit_temperature(logits[:, 0], labels)


# MC dropout and ensembles

def probed_model(p):
    """Linear -> BatchNorm1d (running statistics set) -> ReLU -> Dropout(p) -> probe -> Linear;
    the probe records (training, grad enabled) at each call."""
    class Probe(nn.Module):
        def __init__(self):
            self.calls = []

        def forward(self, x):
            self.calls.append((self.training, mdl.is_grad_enabled()))
            return x

    mdl.init.manual_seed(0)
    norm = nn.BatchNorm1d(6, dtype="float64")
    norm.running_mean = tensor(np.linspace(-0.5, 0.5, 6))
    norm.running_var = tensor(np.linspace(0.5, 2.0, 6))
    probe = Probe()
    return nn.Sequential(nn.Linear(3, 6, dtype="float64"), norm, nn.ReLU(), nn.Dropout(p),
                         probe, nn.Linear(6, 4, dtype="float64")), probe


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_mc_dropout_modes_and_samples():
    x = tensor(np.random.default_rng(6).standard_normal((5, 3)), requires_grad=True)
    model, probe = probed_model(0.5)
    model.train()
    model[1].training = False
    modes = [m.training for m in model.modules()]
    draws = U.mc_dropout_predict(model, x, samples=7)
    assert draws.shape == (7, 5, 4) and isinstance(draws, np.ndarray)
    np.testing.assert_allclose(draws.sum(-1), 1, rtol=1e-12)
    assert [m.training for m in model.modules()] == modes
    assert probe.calls == [(False, False)] * 7  # eval mode around dropout, no graph recorded
    assert draws.std(0).max() > 1e-3  # the masks differ between samples
    # with p = 0 every sample is the eval-mode output (BatchNorm on its running statistics)
    model, _ = probed_model(0.0)
    expected = softmax(model.eval()(x).numpy())
    model.train()
    np.testing.assert_allclose(U.mc_dropout_predict(model, x, samples=3),
                               np.broadcast_to(expected, (3, 5, 4)), rtol=1e-12)
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="samples"):
        U.mc_dropout_predict(model, x, samples=0)


def test_mc_dropout_restores_modes_after_an_error():
    model = nn.Sequential(nn.Dropout(0.3), nn.Linear(3, 2))
    model.train()
    with pytest.raises(ValueError):
        U.mc_dropout_predict(model, tensor(np.zeros((2, 5))))
    assert all(m.training for m in model.modules())


def test_ensemble_predict():
    x = tensor(np.random.default_rng(7).standard_normal((5, 3)))
    models = [probed_model(0.5)[0] for _ in range(2)]
    models.append(nn.Sequential(nn.Linear(3, 4, dtype="float64")))
    for model in models:
        model.train()
    probs = U.ensemble_predict(models, x)
    assert probs.shape == (3, 5, 4)
    for model, p in zip(models, probs):
        assert all(m.training for m in model.modules())
        np.testing.assert_allclose(p, softmax(model.eval()(x).numpy()), rtol=1e-12)
    with pytest.raises(ValueError, match="model"):
        U.ensemble_predict([], x)
