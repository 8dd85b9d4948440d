"""Section 2: convolution, Conv2d, pooling and BatchNorm2d."""
import numpy as np

from autograder.checks import graded
from autograder.compare import agree, numerical_gradient


def _conv_setting(rng):
    stride, padding, kernel = (int(rng.integers(1, 3)), int(rng.integers(0, 3)),
                               int(rng.choice([1, 3, 5])))
    size = int(rng.integers(kernel, kernel + 5))
    return stride, padding, kernel, size


@graded(points=4, number="2.1")
def conv_forward_and_backward(mdl, rng):
    """conv with stride and padding per side, on non-square images and kernels: output and
    both gradients, also with a constant weight and with a constant input (float64)"""
    stride = int(rng.integers(1, 3))
    kh, kw = (int(k) for k in rng.choice([1, 2, 3, 5], size=2, replace=False))
    height, width = int(rng.integers(kh, kh + 5)), int(rng.integers(kw, kw + 5)) + 1
    top, bottom, left, right = (int(p) for p in rng.integers(0, 3, size=4))
    left = left if left != top else top + 1  # the columns' padding differs from the rows'
    x = mdl.Tensor(rng.standard_normal((2, 3, height, width)), dtype="float64",
                   requires_grad=True)
    w = mdl.Tensor(rng.standard_normal((4, 3, kh, kw)), dtype="float64", requires_grad=True)
    padding = ((top, bottom), (left, right))
    out = mdl.ops.conv(x, w, stride, padding)
    weights = mdl.Tensor(rng.standard_normal(out.shape), dtype="float64")
    (out * weights).sum().backward()
    # Each operand alone requiring a gradient: a frozen kernel, a network's input images
    x_only = mdl.Tensor(x.numpy(), dtype="float64", requires_grad=True)
    w_only = mdl.Tensor(w.numpy(), dtype="float64", requires_grad=True)
    for xi, wi in ((x_only, mdl.Tensor(w.numpy(), dtype="float64")),
                   (mdl.Tensor(x.numpy(), dtype="float64"), w_only)):
        (mdl.ops.conv(xi, wi, stride, padding) * weights).sum().backward()
    return {"out": out, "grad x": x.grad, "grad weight": w.grad,
            "grad x (constant weight)": x_only.grad, "grad weight (constant input)": w_only.grad}


@graded(points=3, number="2.2", verify=agree("analytic", "numerical", rtol=1e-4, atol=1e-6),
        rtol=1e-5, atol=1e-7)
def gradcheck_conv(mdl, rng):
    """numerical check: conv's gradient w.r.t. its input and its weight"""
    stride, padding, kernel, size = _conv_setting(rng)
    x = rng.standard_normal((1, 2, size, size))
    w = rng.standard_normal((3, 2, kernel, kernel))
    weights = rng.standard_normal((1, 3, (size + 2 * padding - kernel) // stride + 1,
                                   (size + 2 * padding - kernel) // stride + 1))

    def loss(xv, wv, grad=False):
        xt = mdl.Tensor(xv, dtype="float64", requires_grad=grad)
        wt = mdl.Tensor(wv, dtype="float64", requires_grad=grad)
        value = (mdl.ops.conv(xt, wt, stride, padding) * mdl.Tensor(weights, dtype="float64")).sum()
        return value, xt, wt

    value, xt, wt = loss(x, w, grad=True)
    value.backward()
    numerical = np.concatenate([numerical_gradient(lambda v: loss(v, w)[0].numpy().item(), x).ravel(),
                                numerical_gradient(lambda v: loss(x, v)[0].numpy().item(), w).ravel()])
    return {"analytic": np.concatenate([xt.grad.numpy().ravel(), wt.grad.numpy().ravel()]),
            "numerical": numerical}


@graded(points=2, number="2.3")
def conv2d_layer(mdl, rng):
    """Conv2d: weight and bias shapes, output with bias, stride and padding, in float32 and
    float64"""
    weight, bias = rng.standard_normal((5, 3, 3, 3)), rng.standard_normal(5)
    x = rng.standard_normal((2, 3, 7, 7))
    out = {}
    for dtype in ("float32", "float64"):
        layer = mdl.nn.Conv2d(3, 5, 3, stride=2, padding=1, dtype=dtype)
        layer.weight.data = mdl.Tensor(weight, dtype=dtype)
        layer.bias.data = mdl.Tensor(bias, dtype=dtype)
        out[f"out ({dtype})"] = layer(mdl.Tensor(x, dtype=dtype))
    return {"weight shape": np.array(layer.weight.shape), **out}


@graded(points=2, number="2.4")
def pooling(mdl, rng):
    """MaxPool2d and AvgPool2d over non-overlapping windows, with MaxPool2d's gradient"""
    x = mdl.Tensor(rng.standard_normal((2, 3, 5, 6)), dtype="float64", requires_grad=True)
    pooled = mdl.nn.MaxPool2d(2)(x)
    pooled.sum().backward()
    return {"max": pooled, "avg": mdl.nn.AvgPool2d(2)(x), "max grad": x.grad,
            "avg 3": mdl.nn.AvgPool2d(3)(x)}


def _nearly_constant_channel_hint(expected, got):
    """Advice when only channel 0 of BatchNorm2d's float32 output differs."""
    want, have = expected["out"], got["out"]
    if want.shape != have.shape or want.ndim != 4:
        return None
    close = np.isclose(have, want, rtol=1e-4, atol=1e-5)
    if close[:, 0].all() or not close[:, 1:].all():
        return None
    scale = float(np.sum(have[:, 0] * want[:, 0]) / np.sum(want[:, 0] ** 2))
    if not np.isfinite(have[:, 0]).all() or abs(scale - 1) < 0.05:
        return ("only channel 0 differs, the nearly constant one (values within 0.01 of 4): "
                "there E[x^2] - E[x]^2 cancels almost every digit of float32; compute the "
                "variance in two passes, the mean first and then the mean of (x - mean)^2")
    return ("only channel 0 differs, the one whose variance (about 1e-5) is as small as eps: "
            "normalize by sqrt(var + eps), eps inside the square root")


@graded(points=2, number="2.5", hint=_nearly_constant_channel_hint)
def batchnorm2d(mdl, rng):
    """BatchNorm2d: statistics per channel over batch and space (one channel nearly constant,
    where eps counts), running statistics and eval mode in float32; gradients in float64"""
    images = rng.standard_normal((4, 3, 2, 4)) * 3 + 1
    # Channel 0 within 0.01 of 4 (variance ~1e-5, as small as eps), on a grid of 2^-16 with
    # 32 = 2^5 values per channel: its sums and mean are exact in float32 in any order, so
    # every two-pass variance agrees, while E[x^2] - E[x]^2 loses its digits to cancellation.
    images[:, 0] = 4 + np.round(rng.standard_normal((4, 2, 4)) * 200) / 2 ** 16
    out = {}
    for dtype in ("float32", "float64"):
        norm = mdl.nn.BatchNorm2d(3, dtype=dtype)
        norm.weight.data = mdl.Tensor(rng.uniform(0.5, 1.5, 3), dtype=dtype)
        norm.bias.data = mdl.Tensor(rng.uniform(-0.5, 0.5, 3), dtype=dtype)
        x = mdl.Tensor(images, dtype=dtype, requires_grad=True)
        y = norm(x)
        (y * mdl.Tensor(rng.standard_normal(y.shape), dtype=dtype)).sum().backward()
        norm.eval()
        single = norm(mdl.Tensor(images[:1], dtype=dtype))  # eval mode, a batch of one
        suffix = "" if dtype == "float32" else " (float64)"
        out |= {f"out{suffix}": y, f"running mean{suffix}": norm.running_mean,
                f"running var{suffix}": norm.running_var, f"eval out{suffix}": single}
        if dtype == "float64":  # float32 gradients of channel 0 carry rounding x 1/std ~ 200
            out |= {"input grad": x.grad, "weight grad": norm.weight.grad,
                    "bias grad": norm.bias.grad}
    return out
