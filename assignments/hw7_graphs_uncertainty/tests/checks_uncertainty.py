"""Section 3: uncertainty: the Gaussian negative log-likelihood (minidl/nn/loss.py), predictive
entropy, expected calibration error and the reliability diagram's data, temperature scaling,
Monte Carlo dropout and deep ensembles (minidl/uncertainty.py)."""
import numpy as np

from autograder.checks import graded
from autograder.compare import agree
from _hw7_inputs import gradcheck, tensor


def _nll_hint(expected, got):
    """Name the usual slips of the Gaussian NLL when values are off."""
    if any(not np.isfinite(np.asarray(v, dtype=float)).all() for v in got.values()):
        return ("a loss is inf or nan: a variance of 0 must be clamped to eps before the log "
                "and the division")
    return ("var is a variance, not a log-variance: 0.5 * (log(max(var, eps)) + (input - "
            "target)^2 / max(var, eps)), plus 0.5 * log(2 pi) when full; 'mean' averages over "
            "every element")


@graded(points=3, number="3.1", rtol=1e-10, atol=1e-12, hint=_nll_hint)
def gaussian_nll_forward(mdl, rng):
    """GaussianNLLLoss with var of input's shape, (N,) and (N, 1) (one variance per row),
    reductions "none", "sum" and "mean", full=True, variances of 0 and below eps clamped (eps
    default and 0.1), and F.gaussian_nll_loss"""
    x, target = tensor(mdl, rng, 4, 3), tensor(mdl, rng, 4, 3)
    var = rng.uniform(0.2, 3.0, (4, 3))
    var[0, :2] = (0.0, 1e-8)  # clamped to eps
    out = {}
    for name, v in (("var (4, 3)", var), ("var (4,)", var[:, 1]), ("var (4, 1)", var[:, 2:])):
        v = mdl.Tensor(v, dtype="float64")
        for reduction in ("none", "sum", "mean"):
            out[f"{name}, reduction {reduction!r}"] = mdl.nn.GaussianNLLLoss(
                reduction=reduction)(x, target, v)
    v = mdl.Tensor(var, dtype="float64")
    out["full=True, reduction 'none'"] = mdl.nn.GaussianNLLLoss(full=True, reduction="none")(
        x, target, v)
    out["eps=0.1, reduction 'none'"] = mdl.nn.GaussianNLLLoss(eps=0.1, reduction="none")(
        x, target, v)
    out["F.gaussian_nll_loss, full=True, var (4,)"] = mdl.nn.functional.gaussian_nll_loss(
        x, target, mdl.Tensor(var[:, 1], dtype="float64"), full=True)
    return out


# Central differences carry rounding of about 1e-16 |loss| / 1e-6 each: the goldens of this
# check (which include them) are compared at 1e-6
@graded(points=2, number="3.2", verify=agree("analytic", "numerical", rtol=1e-5, atol=1e-7),
        rtol=1e-6, atol=1e-6)
def gaussian_nll_gradients(mdl, rng):
    """numerical check: the gradients of the Gaussian NLL w.r.t. input and var (var of input's
    shape with reduction "none" weighted, var (N,) with "mean", var (N, 1) with "sum" and
    full); and the gradient at variances below eps, which the clamp passes on as if unclamped"""
    out, analytic, numerical = {}, [], []
    target = rng.standard_normal((3, 4))
    upstream = tensor(mdl, rng, 3, 4)
    for tag, var_shape, reduction, full in (("var (3, 4)", (3, 4), "none", False),
                                            ("var (3,)", (3,), "mean", False),
                                            ("var (3, 1)", (3, 1), "sum", True)):
        def loss(input, var, reduction=reduction, full=full):
            value = mdl.nn.functional.gaussian_nll_loss(
                input, mdl.Tensor(target, dtype="float64"), var, full=full, reduction=reduction)
            return (value * upstream).sum() if reduction == "none" else value

        arrays = {"input": rng.standard_normal((3, 4)), "var": rng.uniform(0.3, 2.0, var_shape)}
        result = gradcheck(mdl, loss, arrays)
        analytic.append(result.pop("analytic"))
        numerical.append(result.pop("numerical"))
        out |= {f"{tag}: {name}": value for name, value in result.items()}
    var = mdl.Tensor(np.array([[0.0, 0.05, 0.5, 2.0]] * 3), dtype="float64", requires_grad=True)
    x = tensor(mdl, rng, 3, 4, grad=True)
    mdl.nn.functional.gaussian_nll_loss(x, mdl.Tensor(target, dtype="float64"), var, eps=0.1,
                                        reduction="sum").backward()
    out |= {"eps=0.1, var 0 and 0.05 clamped: gradient of var": var.grad,
            "eps=0.1, var 0 and 0.05 clamped: gradient of input": x.grad}
    return out | {"analytic": np.concatenate(analytic), "numerical": np.concatenate(numerical)}


@graded(points=1, number="3.3", rtol=1e-10, atol=1e-12)
def predictive_entropy(mdl, rng):
    """predictive_entropy in nats over the last axis: random distributions with zeros among
    them (0 log 0 = 0), one-hot and uniform rows, and a 3-D (samples, N, K) input"""
    probs = rng.dirichlet(np.full(5, 0.5), 6)
    probs[0] = (0.0, 0.0, 1.0, 0.0, 0.0)
    probs[1] = 0.2
    probs[2, :2] = 0.0
    probs[2] /= probs[2].sum()
    entropy = mdl.uncertainty.predictive_entropy
    return {"entropy (6, 5)": np.asarray(entropy(probs), dtype=np.float64),
            "entropy (2, 3, 4)": np.asarray(entropy(rng.dirichlet(np.ones(4), (2, 3))),
                                            dtype=np.float64)}


def _edge_probs(rng, n: int):
    """n rows of 5 probabilities whose maximum is 0, 0.25, 0.5, 0.75 or 1 exactly (edges of 4 and
    8 equal-width bins, where every way of binning agrees), the argmax unique but at random."""
    rows = np.array([[0.0, 0.0, 0.0, 0.0, 0.0], [0.25, 0.2, 0.2, 0.2, 0.15],
                     [0.5, 0.25, 0.25, 0.0, 0.0], [0.75, 0.25, 0.0, 0.0, 0.0],
                     [1.0, 0.0, 0.0, 0.0, 0.0]])
    probs = rows[rng.integers(0, 5, n)]
    return np.take_along_axis(probs, rng.permuted(np.tile(np.arange(5), (n, 1)), axis=1), 1)


def _classifier_outputs(rng, n: int, k: int):
    """Random probabilities (n, k) and labels that agree with the argmax about half the time."""
    probs = rng.dirichlet(np.full(k, 0.4), n)
    labels = np.where(rng.random(n) < 0.5, probs.argmax(1), rng.integers(0, k, n))
    return probs, labels


def _ece_hint(expected, got):
    """Recall the ECE's definition."""
    return ("ECE = sum over bins b of (n_b / N) |accuracy_b - confidence_b|, with N all the "
            "predictions, empty bins adding nothing; bin b holds confidences in (b/bins, "
            "(b+1)/bins], a confidence of 0 in the first")


@graded(points=2, number="3.4", rtol=1e-10, atol=1e-12, hint=_ece_hint)
def expected_calibration_error(mdl, rng):
    """expected_calibration_error with 15 (the default), 10 and 40 bins (many of them empty),
    and with confidences exactly 0, 1 and on the edges of 4 and 8 bins"""
    ece = mdl.uncertainty.expected_calibration_error
    probs, labels = _classifier_outputs(rng, 60, 4)
    # confidences on the edges among random ones, so that moving them changes bins' means
    more_probs, more_labels = _classifier_outputs(rng, 20, 5)
    edge_probs = np.concatenate([_edge_probs(rng, 40), more_probs])
    edge_labels = np.concatenate([np.where(rng.random(40) < 0.6, edge_probs[:40].argmax(1),
                                           rng.integers(0, 5, 40)), more_labels])
    return {"bins=15 (default)": float(ece(probs, labels)),
            "bins=10": float(ece(probs, labels, bins=10)),
            "bins=40, 12 predictions": float(ece(probs[:12], labels[:12], bins=40)),
            "edges, bins=4": float(ece(edge_probs, edge_labels, bins=4)),
            "edges, bins=8": float(ece(edge_probs, edge_labels, bins=8))}


@graded(points=2, number="3.5", rtol=1e-10, atol=1e-12, hint=_ece_hint)
def reliability_diagram(mdl, rng):
    """reliability_diagram: each bin's count, accuracy and mean confidence (empty bins NaN,
    shown here as -1) and the edges, for random predictions in 10 bins and for confidences
    exactly 0, 1 and on the edges of 4 bins"""
    out = {}
    probs, labels = _classifier_outputs(rng, 30, 3)
    edge_probs = _edge_probs(rng, 25)
    edge_labels = np.where(rng.random(25) < 0.6, edge_probs.argmax(1), rng.integers(0, 5, 25))
    for tag, p, y, bins in (("10 bins", probs, labels, 10), ("edges, 4 bins", edge_probs,
                                                              edge_labels, 4)):
        diagram = mdl.uncertainty.reliability_diagram(p, y, bins=bins)
        accuracy = np.asarray(diagram.accuracy, dtype=np.float64)
        confidence = np.asarray(diagram.confidence, dtype=np.float64)
        out |= {f"{tag}: counts": np.asarray(diagram.counts, dtype=np.float64),
                f"{tag}: accuracy": np.where(np.isnan(accuracy), -1.0, accuracy),
                f"{tag}: confidence": np.where(np.isnan(confidence), -1.0, confidence),
                f"{tag}: empty bins are NaN": np.isnan(accuracy) & np.isnan(confidence),
                f"{tag}: edges": np.asarray(diagram.edges, dtype=np.float64)}
    return out


@graded(points=1, number="3.6", rtol=1e-10, atol=1e-12)
def temperature_scaling(mdl, rng):
    """TemperatureScaling: logits divided by the temperature before any softmax (T = 0.5 and
    T = 2.5), the softmax of the scaled logits, and the gradient of a loss w.r.t.
    log_temperature"""
    out = {}
    for t in (0.5, 2.5):
        scaler = mdl.uncertainty.TemperatureScaling(t, dtype="float64")
        logits = tensor(mdl, rng, 4, 3)
        scaled = scaler(logits)
        loss = mdl.nn.SoftmaxLoss()(scaled, rng.integers(0, 3, 4))
        loss.backward()
        out |= {f"T={t}: scaled logits": scaled,
                f"T={t}: softmax of the scaled logits": mdl.ops.softmax(scaled, axes=1),
                f"T={t}: NLL": loss, f"T={t}: gradient of log_temperature":
                scaler.log_temperature.grad}
    return out


def _nll(logits: np.ndarray, labels: np.ndarray) -> float:
    z = logits - logits.max(1, keepdims=True)
    return float(np.mean(np.log(np.exp(z).sum(1)) - z[np.arange(len(labels)), labels]))


def _fit_verify(outputs):
    """The NLL at the fitted temperature is the grid's minimum, to within 1e-5 (about 1% off
    the best temperature)."""
    excess = float(outputs["NLL at the fitted T"] - outputs["NLL at the grid's best T"])
    fitted, best = float(outputs["fitted T"]), float(outputs["grid's best T"])
    if excess > 1e-5:
        return (f"the NLL at the fitted temperature {fitted:.4g} is {excess:.3g} above its "
                f"minimum, at T = {best:.4g}: minimize SoftmaxLoss(scaler(logits), labels) "
                "over the steps with the optimizer (zero_grad, backward, step)")
    return None


# Adam's 200 steps from T = 1, on log T or on T itself, end within 0.1% of the optimum for
# these logits (at T near 3, T itself is still 1.5% short): 1% admits both
@graded(points=2, number="3.7", rtol=1e-2, atol=1e-4, verify=_fit_verify)
def fit_temperature(mdl, rng):
    """fit_temperature on fixed logits 0.5 to 2.5 times too large (or small): the fitted T
    against the minimum of the NLL over a fine grid of temperatures (any sound descent to it
    passes), and the NLL there"""
    n, k = 300, 4
    true = rng.standard_normal((n, k)) * 1.5
    p = np.exp(true - true.max(1, keepdims=True))
    labels = (rng.random((n, 1)) > (p / p.sum(1, keepdims=True)).cumsum(1)).sum(1)
    logits = true * rng.uniform(0.5, 2.5)
    scaler = mdl.uncertainty.fit_temperature(mdl.Tensor(logits, dtype="float64"), labels)
    fitted = float(scaler.temperature)
    best = 1.0
    for step, reach in ((0.05, 0.95), (0.001, 0.05), (0.00002, 0.001)):  # coarse to fine
        grid = best * np.exp(np.arange(-reach, reach + step / 2, step) * 3)
        best = grid[np.argmin([_nll(logits / t, labels) for t in grid])]
    return {"fitted T": fitted, "grid's best T": best,
            "NLL at the fitted T": _nll(logits / fitted, labels),
            "NLL at the grid's best T": _nll(logits / best, labels)}


def _probed_net(mdl, rng, p: float):
    """x @ w1 -> shift -> Dropout(p) -> probe -> @ w2: `shift` adds 1 in training mode only (an
    eval-mode layer such as BatchNorm: it must see eval mode); `probe` records (its training
    flag, whether gradients are recorded) at each call."""
    nn = mdl.nn

    class Shift(nn.Module):
        def forward(self, x):
            return x + 1.0 if self.training else x

    class Probe(nn.Module):
        def __init__(self):
            self.calls = []

        def forward(self, x):
            self.calls.append((self.training, mdl.is_grad_enabled()))
            return x

    class Net(nn.Module):
        def __init__(self):
            self.w1 = nn.Parameter(rng.standard_normal((3, 6)), dtype="float64")
            self.shift = Shift()
            self.dropout = nn.Dropout(p)
            self.probe = Probe()
            self.w2 = nn.Parameter(rng.standard_normal((6, 4)), dtype="float64")

        def forward(self, x):
            return self.probe(self.dropout(self.shift(x @ self.w1))) @ self.w2

    return Net()


def _seen(net) -> np.ndarray:
    """The distinct (training, gradients recorded) states the probe saw: one pass per sample
    or one pass over the input repeated are both sound."""
    return np.unique(np.array(net.probe.calls, dtype=bool).reshape(-1, 2), axis=0)


def _modes(net) -> np.ndarray:
    return np.array([net.training, net.shift.training, net.dropout.training, net.probe.training])


@graded(points=2, number="3.8", rtol=1e-10, atol=1e-12)
def mc_dropout_predict(mdl, rng):
    """mc_dropout_predict, checked by properties (dropout masks are yours to draw): the shape
    (samples, N, K) and rows summing to 1; during the passes dropout in training mode, every
    other module in eval mode and no graph recorded; the modes restored after; with p = 0
    every sample is the eval-mode softmax, with p = 0.5 the samples differ"""
    x = tensor(mdl, rng, 5, 3, grad=True)
    net = _probed_net(mdl, rng, 0.5)
    net.train()
    net.dropout.training = False  # a mixed state that must come back as it was
    draws = np.asarray(mdl.uncertainty.mc_dropout_predict(net, x, samples=6))
    modes_after = _modes(net)
    still = _probed_net(mdl, rng, 0.0)
    still.eval()
    still.probe.training = True
    fixed = np.asarray(mdl.uncertainty.mc_dropout_predict(still, x, samples=3))
    return {"shape": np.array(draws.shape), "rows sum to 1": np.allclose(draws.sum(-1), 1),
            "samples differ with p=0.5": bool(draws.std(0).max() > 1e-6),
            "probe saw (training, gradients recorded)": _seen(net),
            "modes after (net, shift, dropout, probe)": modes_after,
            "p=0: the samples": fixed.astype(np.float64),
            "p=0: modes after": _modes(still)}


@graded(points=1, number="3.9", rtol=1e-10, atol=1e-12)
def ensemble_predict(mdl, rng):
    """ensemble_predict: each model's softmax in eval mode (dropout off), shape (M, N, K), no
    graph recorded, every model's modes restored after"""
    x = tensor(mdl, rng, 4, 3)
    nets = [_probed_net(mdl, rng, 0.5) for _ in range(3)]
    nets[1].eval()
    nets[2].shift.training = False
    before = [_modes(net) for net in nets]
    probs = np.asarray(mdl.uncertainty.ensemble_predict(nets, x))
    return {"probabilities": probs.astype(np.float64),
            "probe saw (training, gradients recorded)": np.unique(
                np.concatenate([_seen(net) for net in nets]), axis=0),
            "modes restored": np.array([(_modes(net) == b).all() for net, b in zip(nets, before)])}
