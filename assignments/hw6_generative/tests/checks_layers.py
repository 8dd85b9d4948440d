"""Section 1: the layers generative models are built from: ConvTranspose2d, GroupNorm, SiLU,
Upsample and BCEWithLogitsLoss (minidl/ops/convolution.py, nn/convolution.py,
nn/normalization.py, nn/activation.py, nn/loss.py)."""
import numpy as np

from autograder.checks import graded
from autograder.compare import agree, numerical_gradient
from _hw6_inputs import random_parameters, tensor

# (stride, padding, output_padding, kernel_size); the last crops more than the kernel reaches
CONV_TRANSPOSE_SETTINGS = [(1, 0, 0, 3), (2, 1, 1, 3), (2, 0, 0, 2), (3, 1, 2, 4), (2, 2, 1, 2)]


def _gradcheck(mdl, loss, arrays: dict) -> dict:
    """loss(**tensors)'s gradient w.r.t. each of `arrays` by backward ("analytic") and by
    central differences ("numerical"), and each gradient by name."""
    tensors = {name: mdl.Tensor(a, dtype="float64", requires_grad=True)
               for name, a in arrays.items()}
    loss(**tensors).backward()
    numerical = []
    for name, array in arrays.items():
        def of_one(v, name=name):
            xs = {k: mdl.Tensor(v if k == name else a, dtype="float64")
                  for k, a in arrays.items()}
            return loss(**xs).numpy().item()
        numerical.append(numerical_gradient(of_one, array).ravel())
    missing = [name for name, t in tensors.items() if t.grad is None]
    if missing:
        raise AssertionError(f"backward gave no gradient for {missing[0]}")
    out = {f"gradient of {name}": t.grad for name, t in tensors.items()}
    return out | {"analytic": np.concatenate([t.grad.numpy().ravel() for t in tensors.values()]),
                  "numerical": np.concatenate(numerical)}


def _conv_transpose_hint(expected, got):
    """Name the output size formula when a shape is off."""
    for name, value in expected.items():
        if name in got and np.shape(got[name]) != np.shape(value):
            return (f"'{name}' has shape {np.shape(got[name])}, expected {np.shape(value)}: "
                    "H_out = (H - 1) * stride - 2 * padding + kernel_size + output_padding, "
                    "output_padding adding rows and columns at the bottom and right only")
    return None


@graded(points=3, number="1.1", hint=_conv_transpose_hint)
def conv_transpose2d_forward(mdl, rng):
    """ConvTranspose2d (3 -> 2 channels, bias) on non-square images over stride, padding and
    output_padding (stride 2 with output_padding 1 among them), and F.conv_transpose2d without
    bias"""
    out = {}
    x = tensor(mdl, rng, 2, 3, 3, 4)
    for stride, padding, output_padding, k in CONV_TRANSPOSE_SETTINGS:
        layer = random_parameters(mdl, mdl.nn.ConvTranspose2d(
            3, 2, k, stride=stride, padding=padding, output_padding=output_padding,
            dtype="float64"), rng)
        out[f"stride {stride} padding {padding} output_padding {output_padding} "
            f"kernel {k}"] = layer(x)
    weight = tensor(mdl, rng, 3, 4, 3, 3)
    out["F.conv_transpose2d, stride 2 padding 1 output_padding 1, no bias"] = \
        mdl.nn.functional.conv_transpose2d(x, weight, stride=2, padding=1, output_padding=1)
    return out


# Central differences carry rounding of about 1e-16 |loss| / 1e-6 each: the goldens of these
# checks (which include them) are compared at 1e-6
@graded(points=3, number="1.2", verify=agree("analytic", "numerical", rtol=1e-5, atol=1e-7),
        rtol=1e-6, atol=1e-6)
def conv_transpose2d_gradients(mdl, rng):
    """numerical check: the gradients of ConvTranspose2d w.r.t. its input, weight and bias,
    stride 1 and stride 2 with padding 1 and output_padding 1"""
    out = {}
    for stride, padding, output_padding in ((1, 0, 0), (2, 1, 1)):
        h = (3 - 1) * stride - 2 * padding + 3 + output_padding
        upstream = tensor(mdl, rng, 1, 3, h, h)

        def loss(x, weight, bias):
            return (mdl.nn.functional.conv_transpose2d(
                x, weight, bias, stride, padding, output_padding) * upstream).sum()

        arrays = {"x": rng.standard_normal((1, 2, 3, 3)),
                  "weight": rng.standard_normal((2, 3, 3, 3)), "bias": rng.standard_normal(3)}
        for name, value in _gradcheck(mdl, loss, arrays).items():
            out[f"stride {stride}: {name}"] = value
    out["analytic"] = np.concatenate([out.pop(f"stride {s}: analytic") for s in (1, 2)])
    out["numerical"] = np.concatenate([out.pop(f"stride {s}: numerical") for s in (1, 2)])
    return out


def _group_norm_hint(expected, got):
    """Tell LayerNorm (groups=1) and InstanceNorm (groups=C) apart from GroupNorm."""
    agreeing = [name for name in expected if name in got and np.shape(got[name]) == np.shape(
        expected[name]) and np.allclose(got[name], expected[name], rtol=1e-7, atol=1e-9)]
    if agreeing and len(agreeing) < len(expected) and all(
            name.startswith(("groups=1 ", "groups=C ")) for name in agreeing):
        return (f"only the case {' and '.join(agreeing)} agrees: each of the num_groups "
                "groups is num_channels / num_groups consecutive channels, its mean and "
                "variance taken over those channels and every position")
    return None


@graded(points=3, number="1.3", hint=_group_norm_hint)
def group_norm_forward(mdl, rng):
    """GroupNorm with 2 of 6 channels a group, groups=1 and groups=C, on 4-D and 3-D inputs,
    with random weight and bias, a given eps, values far from mean 0 and variance 1, and
    F.group_norm without weight or bias"""
    x4 = mdl.Tensor(rng.standard_normal((2, 6, 3, 2)) * 3 + 2, dtype="float64")
    x3 = mdl.Tensor(rng.standard_normal((3, 4, 5)) * 0.05 - 1, dtype="float64")
    out = {}
    for name, groups, x, eps in (("groups=3, 4-D", 3, x4, 1e-5), ("groups=1 (4-D)", 1, x4, 1e-5),
                                 ("groups=C (4-D)", 6, x4, 1e-5), ("groups=2, 3-D", 2, x3, 1e-5),
                                 ("groups=2, 3-D, eps 1e-2", 2, x3, 1e-2)):
        layer = random_parameters(mdl, mdl.nn.GroupNorm(groups, x.shape[1], eps=eps,
                                                        dtype="float64"), rng)
        out[name] = layer(x)
    out["F.group_norm, groups=2, no weight or bias"] = mdl.nn.functional.group_norm(x4, 2)
    return out


@graded(points=2, number="1.4", verify=agree("analytic", "numerical", rtol=1e-5, atol=1e-7),
        rtol=1e-6, atol=1e-6)
def group_norm_gradients(mdl, rng):
    """numerical check: the gradients of group_norm w.r.t. its input, weight and bias (4-D
    with 2 groups, 3-D with 1 group)"""
    out = {}
    for tag, shape, groups in (("4-D", (2, 4, 2, 2), 2), ("3-D", (2, 3, 3), 1)):
        upstream = tensor(mdl, rng, *shape)

        def loss(x, weight, bias):
            return (mdl.nn.functional.group_norm(x, groups, weight, bias) * upstream).sum()

        arrays = {"x": rng.standard_normal(shape), "weight": rng.standard_normal(shape[1]),
                  "bias": rng.standard_normal(shape[1])}
        for name, value in _gradcheck(mdl, loss, arrays).items():
            out[f"{tag}: {name}"] = value
    out["analytic"] = np.concatenate([out.pop(f"{t}: analytic") for t in ("4-D", "3-D")])
    out["numerical"] = np.concatenate([out.pop(f"{t}: numerical") for t in ("4-D", "3-D")])
    return out


@graded(points=2, number="1.5")
def silu_and_upsample(mdl, rng):
    """SiLU's values (inputs up to +-30) and gradient; Upsample by 2 and 3 on 4-D and 3-D
    inputs (F.interpolate), with the gradient each input value collects"""
    x = mdl.Tensor(np.concatenate([rng.standard_normal(12) * 3, [-30.0, 30.0]]),
                   dtype="float64", requires_grad=True)
    y = mdl.nn.SiLU()(x)
    (y * mdl.Tensor(rng.standard_normal(14), dtype="float64")).sum().backward()
    out = {"SiLU": y, "SiLU gradient": x.grad}
    images = tensor(mdl, rng, 2, 2, 2, 3, grad=True)
    up = mdl.nn.Upsample(scale_factor=2)(images)
    (up * tensor(mdl, rng, *up.shape)).sum().backward()
    sequence = tensor(mdl, rng, 1, 2, 3)
    out |= {"Upsample(2), 4-D": up, "Upsample(2) input gradient": images.grad,
            "Upsample(3), 4-D": mdl.nn.Upsample(3)(images),
            "F.interpolate(scale_factor=2), 3-D": mdl.nn.functional.interpolate(sequence, 2)}
    return out


def _bce_hint(expected, got):
    """Name the stable formula when large logits overflowed."""
    if any(not np.isfinite(np.asarray(v, dtype=float)).all() for v in got.values()):
        return ("a loss or gradient is inf or nan: for logits like +-1000, exp(|x|) overflows "
                "and log(sigmoid(x)) is log(0). Use max(x, 0) - x * y + log(1 + exp(-|x|)), "
                "whose exp never sees a large positive number")
    return None


@graded(points=2, number="1.6", hint=_bce_hint)
def bce_with_logits(mdl, rng):
    """BCEWithLogitsLoss with reduction "none", "sum" and "mean" (soft targets in [0, 1]),
    logits of +-1000 and their gradient, and the functional form"""
    logits = rng.standard_normal((3, 4)) * 3
    logits[0, :2], logits[1, :2] = (-1000.0, 1000.0), (1000.0, -1000.0)
    target = rng.random((3, 4))
    target[0, :2] = (1.0, 0.0)
    x = mdl.Tensor(logits, dtype="float64", requires_grad=True)
    y = mdl.Tensor(target, dtype="float64")
    out = {f"reduction {r!r}": mdl.nn.BCEWithLogitsLoss(reduction=r)(x, y)
           for r in ("none", "sum")}
    mean = mdl.nn.BCEWithLogitsLoss()(x, y)
    mean.backward()
    small = tensor(mdl, rng, 5)
    return out | {"reduction 'mean' (the default)": mean, "gradient of the mean": x.grad,
                  "F.binary_cross_entropy_with_logits": mdl.nn.functional
                  .binary_cross_entropy_with_logits(small, mdl.Tensor(rng.random(5),
                                                                      dtype="float64"))}
