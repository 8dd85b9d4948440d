"""Hidden check: the uncertainty tools chained: a Gaussian NLL on 3-D predictions, and an
ensemble's calibration and disagreement after temperature scaling."""
import numpy as np

from autograder.checks import graded
from _hw7_inputs import tensor


def _net(mdl, rng):
    """x @ w1 -> Dropout(0.5) -> tanh -> @ w2, with its weights drawn by the check."""
    nn = mdl.nn

    class Net(nn.Module):
        def __init__(self):
            self.w1 = nn.Parameter(rng.standard_normal((3, 5)), dtype="float64")
            self.dropout = nn.Dropout(0.5)
            self.w2 = nn.Parameter(rng.standard_normal((5, 4)) * 2, dtype="float64")

        def forward(self, x):
            return mdl.ops.tanh(self.dropout(x @ self.w1)) @ self.w2

    return Net()


@graded(points=3, number="4.3", visibility="after_due_date", rtol=1e-9, atol=1e-11)
def uncertainty_pipeline(mdl, rng):
    """a Gaussian NLL on (B, T, D) predictions with one variance per (B, T) (given as an array
    and as a Tensor, full, clamped) and its gradients; three models' ensemble probabilities,
    their temperature-scaled ECE (6 bins) and reliability counts, the entropy of the mean and
    the mutual information (entropy of the mean minus the mean entropy)"""
    mean, var = tensor(mdl, rng, 2, 3, 2, grad=True), rng.uniform(0.1, 2.0, (2, 3))
    var[0, 0] = 0.0
    target = tensor(mdl, rng, 2, 3, 2)
    var_tensor = mdl.Tensor(var, dtype="float64", requires_grad=True)
    loss = mdl.nn.GaussianNLLLoss(full=True, eps=0.05)(mean, target, var_tensor)
    loss.backward()
    out = {"NLL": loss, "gradient of the mean": mean.grad, "gradient of var": var_tensor.grad,
           "NLL, var as an array, reduction 'sum'": mdl.nn.functional.gaussian_nll_loss(
               mean, target, var, reduction="sum")}
    x = tensor(mdl, rng, 30, 3)
    models = [_net(mdl, rng) for _ in range(3)]
    scaler = mdl.uncertainty.TemperatureScaling(1.7, dtype="float64")
    probs = np.asarray(mdl.uncertainty.ensemble_predict(models, x), dtype=np.float64)
    logits = mdl.Tensor(np.log(probs.mean(0)), dtype="float64")
    calibrated = mdl.ops.softmax(scaler(logits), axes=1).numpy()
    labels = rng.integers(0, 4, 30)
    entropy = mdl.uncertainty.predictive_entropy
    diagram = mdl.uncertainty.reliability_diagram(calibrated, labels, bins=6)
    return out | {
        "ensemble probabilities": probs,
        "ECE after temperature scaling": float(mdl.uncertainty.expected_calibration_error(
            calibrated, labels, bins=6)),
        "reliability counts": np.asarray(diagram.counts, dtype=np.float64),
        "entropy of the mean": np.asarray(entropy(probs.mean(0)), dtype=np.float64),
        "mutual information": np.asarray(entropy(probs.mean(0)) - entropy(probs).mean(0),
                                         dtype=np.float64)}
