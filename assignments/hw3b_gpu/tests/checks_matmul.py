"""Section 4: the shared-memory tiled matmul, and whole computations on the GPU."""
import numpy as np

from autograder.checks import graded
from _hw3b_arrays import float32_rounding_hint, floats


@graded(points=5, number="4.1", cases=2, rtol=1e-5, atol=1e-5)
def tiled_matmul(mdl, rng):
    """matmul for shapes that do not fill the 4x4 tiles, in float32 (float64: check 4.4)"""
    out = {}
    for m, n, p in [(1, 1, 1), tuple(int(x) for x in rng.integers(2, 7, 3)),
                    tuple(int(x) for x in rng.integers(7, 11, 3))]:
        a, b = floats(rng, (m, n)), floats(rng, (n, p))
        out[f"{m}x{n} @ {n}x{p} float32"] = mdl.cuda().array(a) @ mdl.cuda().array(b)
    return out


@graded(points=3, number="4.2", cases=2, rtol=1e-4, atol=1e-5)
def autodiff_on_gpu(mdl, rng):
    """A small network's loss and gradients computed on minidl.cuda()"""
    batch, features, classes = (int(n) for n in rng.integers(2, 6, 3))
    device = mdl.cuda()
    x = mdl.Tensor(floats(rng, (batch, features)), device=device)
    w = mdl.Tensor(floats(rng, (features, classes)), device=device, requires_grad=True)
    logits = mdl.ops.tanh(x @ w)
    loss = mdl.ops.logsumexp(logits, axes=(1,)).sum()
    loss.backward()
    return {"loss": loss, "grad": w.grad, "on the GPU": w.grad.device.name == "cuda"}


@graded(points=1, number="4.3", cases=2)
def moving_between_devices(mdl, rng):
    """tensor.to() moves values both ways; mixing devices in one op is an error naming both"""
    data = floats(rng, (3, 4))
    on_gpu = mdl.Tensor(data).to(mdl.cuda())
    try:
        on_gpu + mdl.Tensor(data)
        message = ""
    except ValueError as error:
        message = str(error)
    return {"round trip": on_gpu.to(mdl.cpu()).numpy(), "device": on_gpu.device.name == "cuda",
            "error names both devices": "cuda" in message and "cpu" in message,
            "same values": np.array_equal(on_gpu.numpy(), data)}


@graded(points=2, number="4.4", cases=2, rtol=1e-10, atol=1e-10,
        hint=float32_rounding_hint)
def tiled_matmul_in_float64(mdl, rng):
    """float64 matmul to float64's precision (tiles of another dtype show), for shapes that
    leave partial tiles on every side"""
    out = {}
    for m, n, p in [(1, 1, 1), tuple(int(x) for x in rng.choice([3, 5, 6, 7], 3))]:
        a, b = floats(rng, (m, n), dtype="float64"), floats(rng, (n, p), dtype="float64")
        out[f"{m}x{n} @ {n}x{p}"] = (mdl.cuda().array(a, "float64") @
                                     mdl.cuda().array(b, "float64"))
    return out
