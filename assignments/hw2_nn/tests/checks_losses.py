"""Section 3: losses, in float32 and float64, with each operand that can take a gradient
requiring one or not."""
from autograder.checks import graded


def _normal(rng, *shape, dtype="float32"):
    return rng.standard_normal(shape).astype(dtype)


def _gradient(tensor, name: str):
    if tensor.grad is None:
        raise RuntimeError(f"{name} has no gradient after backward(): the loss is not "
                           "connected to it in the graph")
    return tensor.grad


def _softmax_loss(mdl, rng, dtype, offsets: bool = False):
    """With `offsets`, each row of logits is shifted by its own amount up to +-1000: the loss
    is the same, and a step taken in float32 shows in float64's tolerance."""
    n, k = int(rng.integers(1, 9)), int(rng.integers(2, 11))
    logits = _normal(rng, n, k, dtype=dtype) * float(rng.choice([1.0, 100.0]))
    if offsets:
        logits += rng.uniform(-1000, 1000, (n, 1)).astype(dtype)
    logits = mdl.Tensor(logits, dtype=dtype, requires_grad=True)
    labels = rng.integers(0, k, n)
    loss = mdl.nn.SoftmaxLoss()(logits, mdl.Tensor(labels))
    loss.backward()
    return {"loss": loss, "dlogits": _gradient(logits, "the logits")}


@graded(points=2, number="3.1")
def softmax_loss(mdl, rng):
    """SoftmaxLoss: mean cross-entropy from logits, stable for large logits; its gradient;
    float64 logits too, each row shifted by up to +-1000"""
    double = _softmax_loss(mdl, rng, "float64", offsets=True)
    return {**_softmax_loss(mdl, rng, "float32"),
            **{f"float64: {k}": v for k, v in double.items()}}


def _mse_loss(mdl, rng, dtype, which: tuple[bool, bool]):
    """The loss and the gradients of the operands that require one (`which`: prediction,
    target), on inputs of 1 to 3 dimensions."""
    shape = tuple(int(v) for v in rng.integers(1, 5, size=int(rng.integers(1, 4))))
    prediction, target = (mdl.Tensor(_normal(rng, *shape, dtype=dtype), dtype=dtype,
                                     requires_grad=grad) for grad in which)
    loss = mdl.nn.MSELoss()(prediction, target)
    loss.backward()
    outputs = {"loss": loss}
    if which[0]:
        outputs["dprediction"] = _gradient(prediction, "the prediction")
    if which[1]:
        outputs["dtarget"] = _gradient(target, "the target")
    return outputs


@graded(points=1, number="3.2")
def mse_loss(mdl, rng):
    """MSELoss: mean squared error over every element (of 1-D to 3-D inputs) and its gradient,
    for the prediction, the target, or both; float64 too"""
    outputs = {}
    for label, which in (("", (True, False)), ("target only: ", (False, True)),
                         ("both: ", (True, True))):
        outputs.update({f"{label}{k}": v for k, v in
                        _mse_loss(mdl, rng, "float32", which).items()})
    outputs.update({f"float64: {k}": v for k, v in
                    _mse_loss(mdl, rng, "float64", (True, True)).items()})
    return outputs
