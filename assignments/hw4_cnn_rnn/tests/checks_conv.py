"""Section 2: convolution, Conv2d, pooling and BatchNorm2d."""
import numpy as np

from autograder.checks import graded
from autograder.compare import agree, numerical_gradient


def _conv_setting(rng):
    stride, padding, kernel = (int(rng.integers(1, 3)), int(rng.integers(0, 3)),
                               int(rng.choice([1, 3, 5])))
    size = int(rng.integers(kernel, kernel + 5))
    return stride, padding, kernel, size


@graded(points=4, number="2.1", rtol=1e-6, atol=1e-8)
def conv_forward_and_backward(mdl, rng):
    """conv with stride and padding per side, on non-square images and kernels: output and
    both gradients"""
    stride = int(rng.integers(1, 3))
    kh, kw = (int(k) for k in rng.choice([1, 2, 3, 5], size=2, replace=False))
    height, width = int(rng.integers(kh, kh + 5)), int(rng.integers(kw, kw + 5)) + 1
    top, bottom, left, right = (int(p) for p in rng.integers(0, 3, size=4))
    left = left if left != top else top + 1  # the columns' padding differs from the rows'
    x = mdl.Tensor(rng.standard_normal((2, 3, height, width)), dtype="float64",
                   requires_grad=True)
    w = mdl.Tensor(rng.standard_normal((4, 3, kh, kw)), dtype="float64", requires_grad=True)
    out = mdl.ops.conv(x, w, stride, ((top, bottom), (left, right)))
    (out * mdl.Tensor(rng.standard_normal(out.shape), dtype="float64")).sum().backward()
    return {"out": out, "grad x": x.grad, "grad weight": w.grad}


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


@graded(points=2, number="2.3", rtol=1e-5, atol=1e-6)
def conv2d_layer(mdl, rng):
    """Conv2d: weight and bias shapes, output with bias, stride and padding"""
    layer = mdl.nn.Conv2d(3, 5, 3, stride=2, padding=1)
    layer.weight.data = mdl.Tensor(rng.standard_normal((5, 3, 3, 3)).astype("float32"))
    layer.bias.data = mdl.Tensor(rng.standard_normal(5).astype("float32"))
    x = mdl.Tensor(rng.standard_normal((2, 3, 7, 7)).astype("float32"))
    return {"weight shape": np.array(layer.weight.shape), "out": layer(x)}


@graded(points=2, number="2.4")
def pooling(mdl, rng):
    """MaxPool2d and AvgPool2d over non-overlapping windows, with MaxPool2d's gradient"""
    x = mdl.Tensor(rng.standard_normal((2, 3, 5, 6)), dtype="float64", requires_grad=True)
    pooled = mdl.nn.MaxPool2d(2)(x)
    pooled.sum().backward()
    return {"max": pooled, "avg": mdl.nn.AvgPool2d(2)(x), "max grad": x.grad,
            "avg 3": mdl.nn.AvgPool2d(3)(x)}


@graded(points=2, number="2.5", rtol=1e-5, atol=1e-6)
def batchnorm2d(mdl, rng):
    """BatchNorm2d: statistics per channel over batch and space (one channel nearly constant,
    where eps counts), running statistics, and eval mode"""
    norm = mdl.nn.BatchNorm2d(3)
    images = rng.standard_normal((4, 3, 2, 5)) * 3 + 1
    images[:, 0] = 1 + 0.01 * (images[:, 0] - images[:, 0].mean())  # variance ~1e-4
    x = mdl.Tensor(images.astype("float32"), requires_grad=True)
    out = norm(x)
    (out * mdl.Tensor(rng.standard_normal(out.shape).astype("float32"))).sum().backward()
    norm.eval()
    single = norm(mdl.Tensor(images[:1], dtype="float32"))  # eval mode, a batch of one
    return {"out": out, "input grad": x.grad, "running mean": norm.running_mean,
            "running var": norm.running_var, "eval out": single}
