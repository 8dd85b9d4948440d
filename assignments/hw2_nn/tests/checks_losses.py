"""Section 3: losses."""
from autograder.checks import graded


def _normal(rng, *shape):
    return rng.standard_normal(shape).astype("float32")


@graded(points=2, number="3.1")
def softmax_loss(mdl, rng):
    """SoftmaxLoss: mean cross-entropy from logits, stable for large logits; its gradient"""
    n, k = int(rng.integers(1, 9)), int(rng.integers(2, 11))
    logits = mdl.Tensor(_normal(rng, n, k) * float(rng.choice([1.0, 100.0])), requires_grad=True)
    labels = rng.integers(0, k, n)
    loss = mdl.nn.SoftmaxLoss()(logits, mdl.Tensor(labels))
    loss.backward()
    return {"loss": loss, "dlogits": logits.grad}


@graded(points=1, number="3.2")
def mse_loss(mdl, rng):
    """MSELoss: mean squared error and its gradient"""
    shape = tuple(int(v) for v in rng.integers(1, 6, size=2))
    prediction = mdl.Tensor(_normal(rng, *shape), requires_grad=True)
    loss = mdl.nn.MSELoss()(prediction, mdl.Tensor(_normal(rng, *shape)))
    loss.backward()
    return {"loss": loss, "dprediction": prediction.grad}
