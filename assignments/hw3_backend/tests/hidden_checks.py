"""Hidden checks: a few steps of training on cpu_numba, in float64."""
from autograder.checks import graded


@graded(points=3, number="7.1", visibility="after_due_date", rtol=1e-6, atol=1e-8)
def softmax_regression_on_numba(mdl, rng):
    """Three gradient steps of softmax regression on cpu_numba in float64"""
    n, features, classes = int(rng.integers(5, 30)), int(rng.integers(2, 9)), int(rng.integers(2, 6))
    device = mdl.cpu_numba()
    x = mdl.Tensor(rng.standard_normal((n, features)), device=device, dtype="float64")
    onehot = mdl.Tensor(rng.multinomial(1, [1 / classes] * classes, n).astype("float64"),
                        device=device, dtype="float64")
    w = mdl.Tensor(rng.standard_normal((features, classes)) * 0.1, device=device,
                   dtype="float64", requires_grad=True)
    losses = []
    for _ in range(3):
        logits = x @ w
        loss = (mdl.ops.logsumexp(logits, axes=(1,)) - (logits * onehot).sum(axes=(1,))).sum() / n
        loss.backward()
        losses.append(loss.numpy())
        w = (w - w.grad * 0.5).detach()
        w.requires_grad = True
    return {"losses": losses, "weights": w}
