"""hw6's layers: ConvTranspose2d, GroupNorm, SiLU, Upsample and BCEWithLogitsLoss, against
NumPy definitions written here from PyTorch's documented formulas; values, gradients (against
numerical ones), PyTorch-style state dicts and errors, on each CPU device."""
import numpy as np
import pytest

from autograder.compare import numerical_gradient
from conftest import minidl_reference, tensor

pytestmark = pytest.mark.usefixtures("device")  # each CPU device (conftest)
mdl = minidl_reference()
nn, F = mdl.nn, mdl.nn.functional
rng = np.random.default_rng(6)


# NumPy definitions, float64.

def np_conv_transpose(x, w, stride, padding, output_padding, bias=None):
    """PyTorch's ConvTranspose2d by its definition: input pixel (i, j) adds itself times the
    kernel into the output at (i * stride - padding, j * stride - padding) onwards."""
    n, _, h, wd = x.shape
    _, out_channels, kh, kw = w.shape
    ho = (h - 1) * stride - 2 * padding + kh + output_padding
    wo = (wd - 1) * stride - 2 * padding + kw + output_padding
    full = np.zeros((n, out_channels, (h - 1) * stride + kh + output_padding,
                     (wd - 1) * stride + kw + output_padding))
    for i in range(h):
        for j in range(wd):
            full[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw] += \
                np.einsum("nc,cokl->nokl", x[:, :, i, j], w)
    out = full[:, :, padding:padding + ho, padding:padding + wo]
    return out if bias is None else out + bias.reshape(1, -1, 1, 1)


def np_group_norm(x, groups, weight=None, bias=None, eps=1e-5):
    n, c = x.shape[:2]
    g = x.reshape(n, groups, -1)
    out = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + eps))
    out = out.reshape(x.shape)
    per_channel = (1, c) + (1,) * (x.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(per_channel)
    return out if bias is None else out + bias.reshape(per_channel)


def np_bce_with_logits(x, y):
    """-(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))), for moderate x only."""
    p = 1 / (1 + np.exp(-x))
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def gradients_agree(function, arrays, rtol=1e-6, atol=1e-7):
    """The gradient of the scalar function(*tensors) w.r.t. each array against central
    differences."""
    tensors = [tensor(a, True) for a in arrays]
    function(*tensors).backward()
    for i, (t, a) in enumerate(zip(tensors, arrays)):
        def of_one(v, i=i):
            return function(*[tensor(v if j == i else b) for j, b in enumerate(arrays)]).item()
        np.testing.assert_allclose(t.grad.numpy(), numerical_gradient(of_one, a), rtol=rtol,
                                   atol=atol, err_msg=f"the gradient w.r.t. argument {i}")


# ConvTranspose2d.

# (stride, padding, output_padding, kernel): padding above kernel - 1 crops (negative
# padding of the underlying conv)
CONV_TRANSPOSE_SETTINGS = [(1, 0, 0, 3), (1, 1, 0, 3), (2, 0, 0, 3), (2, 1, 1, 3), (2, 1, 0, 4),
                           (2, 0, 1, 2), (3, 1, 2, 3), (3, 2, 1, 5), (2, 2, 1, 2), (1, 2, 0, 2),
                           (4, 0, 3, 1)]


@pytest.mark.parametrize("stride, padding, output_padding, kernel", CONV_TRANSPOSE_SETTINGS)
def test_conv_transpose_scatters_each_input_pixel_times_the_kernel(stride, padding,
                                                                   output_padding, kernel,
                                                                   conv_compute):
    x = rng.standard_normal((2, 3, 4, 5))
    w = rng.standard_normal((3, 2, kernel, kernel))
    b = rng.standard_normal(2)
    expected = np_conv_transpose(x, w, stride, padding, output_padding, b)
    out = F.conv_transpose2d(tensor(x), tensor(w), tensor(b), stride, padding, output_padding)
    assert out.shape == ((2, 2) + tuple((n - 1) * stride - 2 * padding + kernel + output_padding
                                        for n in (4, 5)))
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-10)
    plain = mdl.ops.conv_transpose(tensor(x), tensor(w), stride, padding, output_padding)
    np.testing.assert_allclose(plain.numpy(), np_conv_transpose(x, w, stride, padding,
                                                                output_padding), atol=1e-10)


@pytest.mark.parametrize("stride, padding, output_padding, kernel",
                         [(1, 0, 0, 3), (2, 1, 1, 3), (3, 2, 1, 4), (2, 2, 1, 2)])
def test_conv_transpose_gradients_agree_with_numerical_ones(stride, padding, output_padding,
                                                            kernel, device, conv_compute):
    x = rng.standard_normal((2, 2, 3, 3))
    w = rng.standard_normal((2, 3, kernel, kernel))
    b = rng.standard_normal(3)
    shape = np_conv_transpose(x, w, stride, padding, output_padding).shape
    upstream = tensor(rng.standard_normal(shape))

    def loss(x, w, b):
        return (F.conv_transpose2d(x, w, b, stride, padding, output_padding) * upstream).sum()

    gradients_agree(loss, [x, w, b])
    X = tensor(x, True)
    loss(X, tensor(w), tensor(b)).backward()
    assert X.grad.device.name == device


def test_conv_transpose_is_the_adjoint_of_conv(conv_compute):
    """<conv(y, w), x> = <y, conv_transpose(x, w)> with one stride and padding."""
    for stride, padding, kernel in [(1, 0, 3), (2, 1, 3), (3, 1, 4)]:
        y = rng.standard_normal((2, 3, 9, 9))
        w = rng.standard_normal((2, 3, kernel, kernel))
        down = mdl.ops.conv(tensor(y), tensor(w), stride, padding).numpy()
        x = rng.standard_normal(down.shape)
        up = mdl.ops.conv_transpose(tensor(x), tensor(w), stride, padding,
                                    output_padding=(9 + 2 * padding - kernel) % stride)
        assert up.shape == y.shape
        np.testing.assert_allclose((down * x).sum(), (up.numpy() * y).sum(), rtol=1e-10)


def test_conv_transpose2d_layer_has_pytorchs_parameters_init_and_output_shape():
    layer = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1)
    assert list(layer.state_dict()) == ["weight", "bias"]
    assert layer.weight.shape == (4, 6, 3, 3) and layer.bias.shape == (6,)
    assert layer.weight.dtype == "float32"
    # The fans come from weight.shape[1] * k * k = out_channels * 9, as PyTorch
    assert np.abs(layer.weight.numpy()).max() <= np.sqrt(6 / (6 * 9)) + 1e-7
    assert np.abs(layer.bias.numpy()).max() <= 1 / np.sqrt(6 * 9) + 1e-7
    out = layer(mdl.Tensor(rng.standard_normal((2, 4, 5, 7))))
    assert out.shape == (2, 6, 10, 14) and out.dtype == "float32"
    assert nn.ConvTranspose2d(4, 6, 3, bias=False).bias is None
    assert "output_padding=1" in repr(layer)


def test_conv_transpose2d_loads_a_pytorch_state_dict_and_computes_the_same():
    weight, bias = rng.standard_normal((3, 2, 4, 4)), rng.standard_normal(2)
    layer = nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1, dtype="float64")
    layer.load_state_dict({"weight": weight, "bias": bias})
    x = rng.standard_normal((1, 3, 4, 4))
    np.testing.assert_allclose(layer(tensor(x)).numpy(),
                               np_conv_transpose(x, weight, 2, 1, 0, bias), atol=1e-10)


def test_conv_transpose_errors_name_the_shapes():
    x, w = tensor(rng.standard_normal((1, 3, 4, 4))), tensor(rng.standard_normal((3, 2, 3, 3)))
    with pytest.raises(ValueError, match=r"output_padding=2 with stride=2.*\(1, 3, 4, 4\)"):
        mdl.ops.conv_transpose(x, w, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="output_padding=1 with stride=1"):
        F.conv_transpose2d(x, w, output_padding=1)
    with pytest.raises(ValueError, match="output_padding"):
        nn.ConvTranspose2d(3, 2, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"\(1, 3, 4, 4\)"):
        nn.ConvTranspose2d(2, 2, 3)(x)
    with pytest.raises(ValueError, match=r"\(1, 3, 4, 4\).*\(2, 2, 3, 3\)"):
        mdl.ops.conv_transpose(x, tensor(rng.standard_normal((2, 2, 3, 3))))
    with pytest.raises(ValueError, match=r"\(1, 3, 4, 4\).*empty output \[0, 0\]"):
        mdl.ops.conv_transpose(x, tensor(rng.standard_normal((3, 2, 1, 1))), padding=2)


# GroupNorm.

@pytest.mark.parametrize("shape, groups", [((2, 6, 3, 4), 3), ((2, 6, 3, 4), 1), ((2, 6, 3, 4), 6),
                                           ((3, 4, 5), 2), ((3, 4), 2), ((1, 4, 2, 3, 2), 2)])
def test_group_norm_matches_its_definition(shape, groups):
    x = rng.standard_normal(shape) * 3 + 1
    weight, bias = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
    np.testing.assert_allclose(F.group_norm(tensor(x), groups).numpy(),
                               np_group_norm(x, groups), rtol=1e-10, atol=1e-10)
    got = F.group_norm(tensor(x), groups, tensor(weight), tensor(bias), eps=1e-3)
    np.testing.assert_allclose(got.numpy(), np_group_norm(x, groups, weight, bias, 1e-3),
                               rtol=1e-10, atol=1e-10)
    layer = nn.GroupNorm(groups, shape[1], dtype="float64")
    layer.load_state_dict({"weight": weight, "bias": bias})  # PyTorch's keys
    np.testing.assert_allclose(layer(tensor(x)).numpy(), np_group_norm(x, groups, weight, bias),
                               rtol=1e-10, atol=1e-10)


def test_group_norm_with_one_group_is_layer_norm_and_with_c_groups_instance_norm():
    x = rng.standard_normal((2, 4, 3, 3))
    one = F.group_norm(tensor(x), 1).numpy()
    layer = nn.LayerNorm((4, 3, 3), elementwise_affine=False, dtype="float64")
    np.testing.assert_allclose(one, layer(tensor(x)).numpy(), atol=1e-12)
    per_channel = F.group_norm(tensor(x), 4).numpy()
    mean, var = x.mean((2, 3), keepdims=True), x.var((2, 3), keepdims=True)
    np.testing.assert_allclose(per_channel, (x - mean) / np.sqrt(var + 1e-5), atol=1e-12)


@pytest.mark.parametrize("shape, groups", [((2, 4, 2, 3), 2), ((2, 6, 3), 3), ((3, 4), 1)])
def test_group_norm_gradients_agree_with_numerical_ones(shape, groups, device):
    x = rng.standard_normal(shape)
    weight, bias = rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
    upstream = tensor(rng.standard_normal(shape))
    gradients_agree(lambda x, w, b: (F.group_norm(x, groups, w, b) * upstream).sum(),
                    [x, weight, bias])


def test_group_norm_layer_starts_as_pytorchs_and_refuses_channels_not_in_groups():
    layer = nn.GroupNorm(2, 4)
    assert list(layer.state_dict()) == ["weight", "bias"]
    np.testing.assert_array_equal(layer.weight.numpy(), np.ones(4, dtype=np.float32))
    np.testing.assert_array_equal(layer.bias.numpy(), np.zeros(4, dtype=np.float32))
    out = layer(mdl.Tensor(rng.standard_normal((2, 4, 3, 3))))
    assert out.dtype == "float32" and out.shape == (2, 4, 3, 3)
    plain = nn.GroupNorm(2, 4, affine=False)
    assert plain.parameters() == [] and plain.weight is None
    with pytest.raises(ValueError, match=r"num_channels \(6\).*num_groups \(4\)"):
        nn.GroupNorm(4, 6)
    with pytest.raises(ValueError, match=r"multiple of 4, got shape \(2, 6, 3\)"):
        F.group_norm(tensor(rng.standard_normal((2, 6, 3))), 4)
    with pytest.raises(ValueError, match=r"0 groups.*\(2, 6, 3\)"):
        F.group_norm(tensor(rng.standard_normal((2, 6, 3))), 0)
    with pytest.raises(ValueError, match=r"\(N, 4, \*\), got shape \(2, 6, 3\)"):
        layer(tensor(rng.standard_normal((2, 6, 3))))


# SiLU and Upsample.

def test_silu_is_x_times_sigmoid_and_finite_for_large_inputs():
    x = np.concatenate([rng.standard_normal(20) * 3, [-1000.0, 1000.0, 0.0]])
    expected = x * (np.tanh(x / 2) + 1) / 2  # x * sigmoid(x), without overflow
    np.testing.assert_allclose(F.silu(tensor(x)).numpy(), expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_array_equal(nn.SiLU()(tensor(x)).numpy(), F.silu(tensor(x)).numpy())
    gradients_agree(lambda x: (F.silu(x) * tensor(np.arange(5.0))).sum(),
                    [rng.standard_normal(5) * 3])
    X = tensor(np.array([-1000.0, 1000.0]), True)
    F.silu(X).sum().backward()
    np.testing.assert_allclose(X.grad.numpy(), [0.0, 1.0])


@pytest.mark.parametrize("shape, scale", [((2, 3, 2, 4), 2), ((1, 2, 3, 3), 3),
                                          ((2, 2, 5), 2), ((1, 1, 2, 2), 1)])
def test_upsample_repeats_every_value_scale_times_along_each_spatial_axis(shape, scale):
    x = rng.standard_normal(shape)
    expected = x
    for axis in range(2, x.ndim):
        expected = np.repeat(expected, scale, axis=axis)
    np.testing.assert_array_equal(nn.Upsample(scale_factor=scale)(tensor(x)).numpy(), expected)
    np.testing.assert_array_equal(F.interpolate(tensor(x), scale).numpy(), expected)
    upstream = rng.standard_normal(expected.shape)
    X = tensor(x, True)
    (F.interpolate(X, scale) * tensor(upstream)).sum().backward()
    blocks = upstream.reshape(shape[:2] + tuple(d for n in shape[2:] for d in (n, scale)))
    np.testing.assert_allclose(X.grad.numpy(), blocks.sum(tuple(range(3, blocks.ndim, 2))),
                               atol=1e-12)


def test_upsample_refuses_other_modes_and_scales_naming_them():
    x = tensor(rng.standard_normal((1, 1, 2, 2)))
    with pytest.raises(NotImplementedError, match="'bilinear'"):
        F.interpolate(x, 2, mode="bilinear")
    with pytest.raises(NotImplementedError, match="'bicubic'"):
        nn.Upsample(2, mode="bicubic")
    with pytest.raises(ValueError, match="1.5"):
        F.interpolate(x, 1.5)
    with pytest.raises(ValueError, match=r"\(2, 2\)"):
        F.interpolate(tensor(rng.standard_normal((2, 2))), 2)


# BCEWithLogitsLoss.

def test_bce_with_logits_matches_its_definition_under_each_reduction():
    x, y = rng.standard_normal((4, 5)) * 3, rng.random((4, 5))
    expected = np_bce_with_logits(x, y)
    for reduction, value in (("none", expected), ("sum", expected.sum()),
                             ("mean", expected.mean())):
        got = F.binary_cross_entropy_with_logits(tensor(x), tensor(y), reduction=reduction)
        np.testing.assert_allclose(got.numpy(), value, rtol=1e-12, err_msg=reduction)
        layer = nn.BCEWithLogitsLoss(reduction=reduction)
        np.testing.assert_allclose(layer(tensor(x), y).numpy(), value, rtol=1e-12)
    assert F.binary_cross_entropy_with_logits(tensor(x), tensor(y)).shape == ()


def test_bce_with_logits_is_finite_and_exact_for_huge_logits():
    x = np.array([-1000.0, -1000.0, 1000.0, 1000.0, -800.0, 750.0])
    y = np.array([0.0, 1.0, 0.0, 1.0, 0.3, 0.6])
    # log(1 + exp(-|x|)) is 0 in float64 there: the loss is max(x, 0) - x y exactly
    expected = np.maximum(x, 0) - x * y
    X = tensor(x, True)
    loss = F.binary_cross_entropy_with_logits(X, tensor(y), reduction="none")
    np.testing.assert_array_equal(loss.numpy(), expected)
    loss.sum().backward()
    np.testing.assert_allclose(X.grad.numpy(), (x > 0) - y, atol=1e-300)
    single = F.binary_cross_entropy_with_logits(mdl.Tensor(x), mdl.Tensor(y))  # float32
    assert np.isfinite(single.numpy())


def test_bce_with_logits_gradients_agree_with_numerical_ones(device):
    x, y = rng.standard_normal((3, 4)) * 2, rng.random((3, 4))
    for reduction in ("mean", "sum"):
        gradients_agree(lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction),
                        [x, y])


def test_bce_with_logits_errors_name_shapes_and_reductions():
    x = tensor(rng.standard_normal((2, 3)))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        F.binary_cross_entropy_with_logits(x, tensor(rng.random((3, 2))))
    with pytest.raises(ValueError, match="'average'"):
        nn.BCEWithLogitsLoss(reduction="average")
    with pytest.raises(ValueError, match="'max'"):
        F.binary_cross_entropy_with_logits(x, x, reduction="max")


# The layers together.

def test_a_small_decoder_trains_on_each_device(device):
    """ConvTranspose2d, GroupNorm, SiLU and Upsample chained to 8x8 logits under
    BCEWithLogitsLoss: every parameter gets a gradient on the device and a step lowers the
    loss."""
    decoder = nn.Sequential(nn.ConvTranspose2d(4, 8, 4, stride=2, padding=1, dtype="float64"),
                            nn.GroupNorm(2, 8, dtype="float64"), nn.SiLU(),
                            nn.Upsample(scale_factor=2),
                            nn.Conv2d(8, 1, 3, padding=1, dtype="float64"))
    z, target = tensor(rng.standard_normal((3, 4, 2, 2))), tensor(rng.random((3, 1, 8, 8)))
    optimizer = mdl.optim.SGD(decoder.parameters(), lr=0.1)
    losses = []
    for _ in range(3):
        optimizer.zero_grad()
        loss = nn.BCEWithLogitsLoss()(decoder(z), target)
        loss.backward()
        assert all(p.grad is not None and p.grad.device.name == device
                   for p in decoder.parameters())
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
