"""hw5's layers and model: attention, MultiheadAttention, LayerNorm, GELU, the transformer
encoder layer, positional embeddings, the GPT with its KV cache, generate and fit_gpt; each
against a NumPy reference written here (and PyTorch where it is installed)."""
import math
import time

import numpy as np
import pytest

from autograder.compare import numerical_gradient
from conftest import minidl_reference, tensor

mdl = minidl_reference()
nn, F = mdl.nn, mdl.nn.functional
rng = np.random.default_rng(5)


# NumPy references, float64.

def np_softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def np_attention(q, k, v, additive=None, scale=None):
    scores = q @ np.swapaxes(k, -1, -2) * (scale or 1 / math.sqrt(q.shape[-1]))
    weights = np_softmax(scores if additive is None else scores + additive)
    return weights @ v, weights


def np_layer_norm(x, axes, weight=1.0, bias=0.0, eps=1e-5):
    mean = x.mean(axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def np_mha(layer, q, k, v, additive=None):
    """MultiheadAttention on batch-first (N, L, E) arrays, from the layer's parameters."""
    state = layer.state_dict()
    w, b = state["in_proj_weight"], state["in_proj_bias"]
    e, h = layer.embed_dim, layer.num_heads

    def heads(x, i):
        n, length, _ = x.shape
        projected = x @ w[i * e:(i + 1) * e].T + b[i * e:(i + 1) * e]
        return projected.reshape(n, length, h, e // h).transpose(0, 2, 1, 3)

    out, weights = np_attention(heads(q, 0), heads(k, 1), heads(v, 2), additive)
    n, _, length, _ = out.shape
    joined = out.transpose(0, 2, 1, 3).reshape(n, length, e)
    return joined @ state["out_proj.weight"].T + state["out_proj.bias"], weights


def randomize(module, scale=0.5):
    """Every parameter drawn from N(0, scale^2): biases and norms away from 0 and 1."""
    module.load_state_dict({name: rng.standard_normal(value.shape) * scale
                            for name, value in module.state_dict().items()})


# scaled_dot_product_attention.

def test_attention_matches_numpy_over_batch_dims_with_its_scale():
    q, k, v = rng.standard_normal((2, 3, 4, 5)), rng.standard_normal((2, 3, 6, 5)), \
        rng.standard_normal((2, 3, 6, 7))
    for scale in (None, 0.3):
        expected, expected_weights = np_attention(q, k, v, scale=scale)
        out, weights = F.attention(tensor(q), tensor(k), tensor(v), scale=scale)
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(weights.numpy(), expected_weights, rtol=1e-12, atol=1e-14)
        got = F.scaled_dot_product_attention(tensor(q), tensor(k), tensor(v), scale=scale)
        np.testing.assert_array_equal(got.numpy(), out.numpy())


def test_boolean_masks_let_true_attend_and_float_masks_add_to_the_scores():
    q, k, v = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 5, 3)), \
        rng.standard_normal((2, 5, 3))
    allowed = rng.random((4, 5)) > 0.4
    allowed[:, 0] = True  # no row fully masked
    additive = np.where(allowed, 0.0, -np.inf)
    expected, _ = np_attention(q, k, v, additive)
    by_bool = F.scaled_dot_product_attention(tensor(q), tensor(k), tensor(v), attn_mask=allowed)
    by_float = F.scaled_dot_product_attention(tensor(q), tensor(k), tensor(v),
                                              attn_mask=tensor(additive))
    np.testing.assert_allclose(by_bool.numpy(), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(by_float.numpy(), by_bool.numpy())
    bias = rng.standard_normal((2, 1, 5))  # broadcast over the queries
    np.testing.assert_allclose(
        F.scaled_dot_product_attention(tensor(q), tensor(k), tensor(v), attn_mask=bias).numpy(),
        np_attention(q, k, v, bias)[0], rtol=1e-12, atol=1e-12)


def test_a_query_that_may_attend_to_no_key_gets_zeros_as_in_pytorch():
    q, k, v = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4)), \
        rng.standard_normal((2, 5, 4))
    allowed = np.ones((2, 3, 5), bool)
    allowed[1, 2] = False
    inputs = [tensor(a, requires_grad=True) for a in (q, k, v)]
    out, weights = F.attention(*inputs, attn_mask=allowed)
    assert (out.numpy()[1, 2] == 0).all() and (weights.numpy()[1, 2] == 0).all()
    np.testing.assert_allclose(out.numpy()[0], np_attention(q[0], k[0], v[0])[0], rtol=1e-12)
    out.sum().backward()
    assert all(np.isfinite(x.grad.numpy()).all() for x in inputs)
    assert (inputs[0].grad.numpy()[1, 2] == 0).all()
    layer = nn.MultiheadAttention(4, 2, batch_first=True, dtype="float64")
    randomize(layer)
    padding = np.zeros((2, 5), bool)
    padding[0] = True
    out, weights = layer.forward(tensor(q), tensor(k), tensor(v), key_padding_mask=padding)
    np.testing.assert_allclose(out.numpy()[0], np.tile(layer.out_proj.bias.numpy(), (3, 1)))
    assert (weights.numpy()[0] == 0).all() and np.isfinite(out.numpy()).all()


def test_is_causal_is_the_lower_triangular_mask_and_excludes_attn_mask():
    q, k, v = (rng.standard_normal((3, 4, 6)) for _ in range(3))
    causal = F.scaled_dot_product_attention(tensor(q), tensor(k), tensor(v), is_causal=True)
    expected, weights = np_attention(q, k, v, np.where(np.tril(np.ones((4, 4))), 0.0, -np.inf))
    np.testing.assert_allclose(causal.numpy(), expected, rtol=1e-12, atol=1e-12)
    assert (np.triu(weights[0], 1) == 0).all()
    with pytest.raises(ValueError, match="attn_mask or is_causal"):
        F.scaled_dot_product_attention(tensor(q), tensor(k), tensor(v), attn_mask=np.ones((4, 4)),
                                       is_causal=True)


def test_attention_names_the_shapes_it_cannot_take():
    q, k = tensor(np.zeros((2, 4, 3))), tensor(np.zeros((2, 5, 3)))
    with pytest.raises(ValueError, match=r"query \(2, 4, 3\) and key \(2, 5, 2\)"):
        F.scaled_dot_product_attention(q, tensor(np.zeros((2, 5, 2))), k)
    with pytest.raises(ValueError, match=r"key \(2, 5, 3\) and value \(2, 6, 3\)"):
        F.scaled_dot_product_attention(q, k, tensor(np.zeros((2, 6, 3))))
    with pytest.raises(ValueError, match=r"attn_mask of shape \(4, 4\).*\(2, 4, 5\)"):
        F.scaled_dot_product_attention(q, k, k, attn_mask=np.ones((4, 4), bool))


def test_attention_gradients_match_central_differences():
    q, k, v = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4)), \
        rng.standard_normal((2, 5, 3))
    mask = rng.standard_normal((3, 5))
    g = rng.standard_normal((2, 3, 3))
    inputs = [tensor(a, requires_grad=True) for a in (q, k, v)]
    (F.scaled_dot_product_attention(*inputs, attn_mask=mask) * tensor(g)).sum().backward()
    for i, x in enumerate(inputs):
        def loss(value, i=i):
            args = [q, k, v]
            args[i] = value
            return (np_attention(*args, mask)[0] * g).sum()
        np.testing.assert_allclose(x.grad.numpy(), numerical_gradient(loss, (q, k, v)[i]),
                                   rtol=1e-6, atol=1e-8)


def test_dropout_zeroes_a_fraction_p_of_the_weights_and_scales_the_rest():
    mdl.init.manual_seed(0)
    q, k, v = rng.standard_normal((8, 40, 4)), rng.standard_normal((8, 50, 4)), \
        rng.standard_normal((8, 50, 4))
    _, plain = F.attention(tensor(q), tensor(k), tensor(v))
    for p in (0.2, 0.6):
        out, dropped = F.attention(tensor(q), tensor(k), tensor(v), dropout_p=p)
        dropped, plain_w = dropped.numpy(), plain.numpy()
        kept = dropped != 0
        assert abs(1 - kept.mean() - p) < 0.02, kept.mean()
        np.testing.assert_allclose(dropped[kept], plain_w[kept] / (1 - p), rtol=1e-12)
        np.testing.assert_allclose(out.numpy(), dropped @ v, rtol=1e-10, atol=1e-12)
    _, none = F.attention(tensor(q), tensor(k), tensor(v), dropout_p=0.0)
    np.testing.assert_array_equal(none.numpy(), plain.numpy())


def test_cat_joins_along_an_axis_and_splits_the_gradient_back():
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 1, 4))
    A, B = tensor(a, True), tensor(b, True)
    joined = mdl.ops.cat([A, B], axis=1)
    np.testing.assert_array_equal(joined.numpy(), np.concatenate([a, b], 1))
    g = rng.standard_normal((2, 4, 4))
    (joined * tensor(g)).sum().backward()
    np.testing.assert_array_equal(A.grad.numpy(), g[:, :3])
    np.testing.assert_array_equal(B.grad.numpy(), g[:, 3:])
    with pytest.raises(ValueError, match=r"other axes agree.*\(2, 3, 4\), \(2, 1, 3\)"):
        mdl.ops.cat([A, tensor(np.zeros((2, 1, 3)))], axis=1)


# MultiheadAttention.

def test_multihead_attention_has_pytorchs_parameters_and_initialization():
    layer = nn.MultiheadAttention(12, 3)
    state = layer.state_dict()
    assert list(state) == ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]
    assert state["in_proj_weight"].shape == (36, 12) and state["in_proj_bias"].shape == (36,)
    assert np.abs(state["in_proj_weight"]).max() <= math.sqrt(6 / 48)
    assert not state["in_proj_bias"].any() and not state["out_proj.bias"].any()
    assert list(nn.MultiheadAttention(12, 3, bias=False).state_dict()) == \
        ["in_proj_weight", "out_proj.weight"]
    with pytest.raises(ValueError, match=r"embed_dim \(10\).*num_heads \(3\)"):
        nn.MultiheadAttention(10, 3)


@pytest.mark.parametrize("batch_first", [False, True])
def test_multihead_attention_matches_numpy_with_both_masks(batch_first):
    layer = nn.MultiheadAttention(8, 2, batch_first=batch_first, dtype="float64")
    randomize(layer)
    q, kv = rng.standard_normal((3, 4, 8)), rng.standard_normal((3, 6, 8))  # (N, L, E)
    padding = np.zeros((3, 6), bool)
    padding[1, 4:] = True  # True: ignore that key
    forbidden = rng.random((4, 6)) > 0.7
    forbidden[:, 0] = False
    additive = np.where(forbidden, -np.inf, 0.0) + np.where(padding, -np.inf, 0.0)[:, None, None]
    expected, heads = np_mha(layer, q, kv, kv, additive)

    def arrange(x):
        return tensor(x if batch_first else x.transpose(1, 0, 2))

    out, weights = layer.forward(arrange(q), arrange(kv), arrange(kv), key_padding_mask=padding,
                                 attn_mask=forbidden)
    np.testing.assert_allclose(out.numpy(), expected if batch_first else
                               expected.transpose(1, 0, 2), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(weights.numpy(), heads.mean(1), rtol=1e-10, atol=1e-14)
    assert (weights.numpy()[1, :, 4:] == 0).all()
    _, per_head = layer.forward(arrange(q), arrange(kv), arrange(kv), key_padding_mask=padding,
                                attn_mask=np.where(forbidden, -np.inf, 0.0),
                                average_attn_weights=False)
    np.testing.assert_allclose(per_head.numpy(), heads, rtol=1e-10, atol=1e-14)
    assert layer.forward(arrange(q), arrange(kv), arrange(kv), need_weights=False)[1] is None


def test_multihead_attention_takes_unbatched_inputs_and_per_head_masks():
    layer = nn.MultiheadAttention(8, 2, dtype="float64")
    randomize(layer)
    q = rng.standard_normal((4, 8))
    per_head = rng.standard_normal((2, 4, 4))  # (N * heads, L, S) with N = 1
    out, weights = layer.forward(tensor(q), tensor(q), tensor(q), attn_mask=per_head)
    expected, heads = np_mha(layer, q[None], q[None], q[None], per_head[None])
    np.testing.assert_allclose(out.numpy(), expected[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(weights.numpy(), heads[0].mean(0), rtol=1e-10, atol=1e-14)
    with pytest.raises(ValueError, match=r"attn_mask must be of shape \(4, 4\) or \(2, 4, 4\)"):
        layer.forward(tensor(q), tensor(q), tensor(q), attn_mask=np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match="is_causal=True is a hint"):
        layer.forward(tensor(q), tensor(q), tensor(q), is_causal=True)
    with pytest.raises(ValueError, match=r"query \(L, N, E\) or \(L, E\) with E = 8, got \(4, 6\)"):
        layer.forward(tensor(np.zeros((4, 6))), tensor(q), tensor(q))


def test_attention_dropout_acts_in_training_only():
    mdl.init.manual_seed(1)
    layer = nn.MultiheadAttention(8, 2, dropout=0.5, batch_first=True, dtype="float64")
    x = tensor(rng.standard_normal((4, 30, 8)))
    _, dropped = layer.forward(x, x, x, average_attn_weights=False)
    assert abs((dropped.numpy() == 0).mean() - 0.5) < 0.03
    layer.eval()
    out, weights = layer.forward(x, x, x, average_attn_weights=False)
    np.testing.assert_allclose(weights.numpy().sum(-1), 1, rtol=1e-12)
    encoder = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5, batch_first=True,
                                         dtype="float64")
    plain = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, dtype="float64")
    plain.load_state_dict(encoder.state_dict())
    encoder.eval()
    np.testing.assert_array_equal(encoder(x).numpy(), plain(x).numpy())


def test_a_kv_cache_fed_one_position_at_a_time_gives_the_full_causal_attention():
    layer = nn.MultiheadAttention(8, 2, batch_first=True, dtype="float64")
    randomize(layer)
    x = rng.standard_normal((2, 5, 8))
    full, _ = layer.forward(tensor(x), tensor(x), tensor(x),
                            attn_mask=nn.generate_square_subsequent_mask(5, "float64"))
    cache, steps = nn.KVCache(), []
    for t in range(5):
        step = tensor(x[:, t:t + 1])
        steps.append(layer.forward(step, step, step, cache=cache)[0].numpy())
        assert len(cache) == t + 1 and cache.keys.shape == (2, 2, t + 1, 4)
    np.testing.assert_allclose(np.concatenate(steps, 1), full.numpy(), rtol=1e-10, atol=1e-12)


# Activations, normalization and the encoder layer.

def test_erf_is_within_1e_8_of_maths_and_has_the_gaussian_derivative():
    x = np.concatenate([np.linspace(-7, 7, 20001), [0.0, -1e-9, 30.0, -30.0]])
    got = mdl.ops.erf(tensor(x)).numpy()
    assert np.abs(got - [math.erf(v) for v in x]).max() < 1e-8
    X = tensor(x[::100], requires_grad=True)
    mdl.ops.erf(X).sum().backward()
    np.testing.assert_allclose(X.grad.numpy(), 2 / math.sqrt(math.pi) * np.exp(-x[::100] ** 2),
                               rtol=1e-12, atol=1e-300)
    assert np.abs(mdl.ops.erf(mdl.Tensor(x)).numpy() - got).max() < 5e-7  # float32


def test_gelu_exact_and_tanh_forms_match_their_formulas_with_gradients():
    x = np.linspace(-6, 6, 241)
    exact = np.array([v / 2 * (1 + math.erf(v / math.sqrt(2))) for v in x])
    tanh = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    for form, expected in (("none", exact), ("tanh", tanh)):
        X = tensor(x, requires_grad=True)
        out = nn.GELU(form)(X)
        np.testing.assert_allclose(out.numpy(), expected, rtol=1e-8, atol=1e-9)
        out.sum().backward()
        h = 1e-6
        numerical = (nn.GELU(form)(tensor(x + h)).numpy() -
                     nn.GELU(form)(tensor(x - h)).numpy()) / (2 * h)
        np.testing.assert_allclose(X.grad.numpy(), numerical, rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="'none' or 'tanh'"):
        nn.GELU("sigmoid")


def test_layer_norm_normalizes_its_trailing_dims_as_pytorch():
    x = rng.standard_normal((2, 3, 4, 5)) * 3 + 1
    layer = nn.LayerNorm((4, 5), eps=1e-6, dtype="float64")
    assert [(n, p.shape) for n, p in layer.named_parameters()] == [("weight", (4, 5)),
                                                                    ("bias", (4, 5))]
    randomize(layer)
    w, b = layer.weight.numpy(), layer.bias.numpy()
    np.testing.assert_allclose(layer(tensor(x)).numpy(), np_layer_norm(x, (2, 3), w, b, 1e-6),
                               rtol=1e-10, atol=1e-12)
    plain = nn.LayerNorm(5, elementwise_affine=False, dtype="float64")
    assert plain.parameters() == []
    np.testing.assert_allclose(plain(tensor(x)).numpy(), np_layer_norm(x, -1), rtol=1e-10,
                               atol=1e-12)
    no_bias = nn.LayerNorm(5, bias=False)
    assert [n for n, _ in no_bias.named_parameters()] == ["weight"]
    with pytest.raises(ValueError, match=r"\(\.\.\., 4, 5\), got \(2, 5, 4\)"):
        layer(tensor(np.zeros((2, 5, 4))))
    # the same computation as hw2's LayerNorm1d
    one_d, same = nn.LayerNorm(5, dtype="float64"), nn.LayerNorm1d(5, dtype="float64")
    randomize(one_d)
    same.load_state_dict(one_d.state_dict())
    np.testing.assert_allclose(one_d(tensor(x)).numpy(), same(tensor(x)).numpy(), rtol=1e-12)


def np_encoder_layer(layer, x, additive, norm_first, gelu):
    """TransformerEncoderLayer on batch-first x, from the layer's parameters."""
    state = layer.state_dict()

    def norm(y, i):
        return np_layer_norm(y, -1, state[f"norm{i}.weight"], state[f"norm{i}.bias"])

    def feed_forward(y):
        hidden = y @ state["linear1.weight"].T + state["linear1.bias"]
        if gelu:
            hidden = hidden / 2 * (1 + np.vectorize(math.erf)(hidden / math.sqrt(2)))
        else:
            hidden = np.maximum(hidden, 0)
        return hidden @ state["linear2.weight"].T + state["linear2.bias"]

    def attend(y):
        return np_mha(layer.self_attn, y, y, y, additive)[0]

    if norm_first:
        x = x + attend(norm(x, 1))
        return x + feed_forward(norm(x, 2))
    x = norm(x + attend(x), 1)
    return norm(x + feed_forward(x), 2)


@pytest.mark.parametrize("norm_first, activation", [(False, "relu"), (True, "gelu")])
def test_encoder_layer_matches_numpy_post_and_pre_norm(norm_first, activation):
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=activation,
                                       norm_first=norm_first, dtype="float64")
    assert [n for n, _ in layer.named_parameters()] == [
        "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
        "self_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight",
        "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"]
    randomize(layer)
    x = rng.standard_normal((2, 5, 8))  # (N, S, E)
    padding = np.zeros((2, 5), bool)
    padding[0, 3:] = True
    causal = nn.generate_square_subsequent_mask(5, "float64")
    additive = causal.numpy() + np.where(padding, -np.inf, 0.0)[:, None, None]
    expected = np_encoder_layer(layer, x, additive, norm_first, activation == "gelu")
    out = layer.forward(tensor(x.transpose(1, 0, 2)), src_mask=causal,
                        src_key_padding_mask=padding, is_causal=True)
    np.testing.assert_allclose(out.numpy(), expected.transpose(1, 0, 2), rtol=1e-7, atol=1e-8)


def test_encoder_layer_loads_a_pytorch_state_dict_and_computes_the_same():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch)")
    torch.manual_seed(0)
    for norm_first, activation, batch_first in ((False, "relu", False), (True, "gelu", True)):
        theirs = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=activation,
                                                  batch_first=batch_first,
                                                  norm_first=norm_first).double()
        theirs.train()  # PyTorch's fused inference path pads differently; train has no dropout
        ours = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=activation,
                                          batch_first=batch_first, norm_first=norm_first,
                                          dtype="float64")
        ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
        x = rng.standard_normal((3, 5, 8))  # (N, S, E)
        x = x if batch_first else x.transpose(1, 0, 2)
        padding = np.zeros((3, 5), bool)  # (N, S) either way
        padding[1, 3:] = True
        mask = np.triu(np.ones((5, 5), bool), 1)
        expected = theirs(torch.from_numpy(x), src_mask=torch.from_numpy(mask),
                          src_key_padding_mask=torch.from_numpy(padding)).detach().numpy()
        got = ours.forward(tensor(x), src_mask=mask, src_key_padding_mask=padding).numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-8)


# Positions.

def test_sinusoidal_positions_are_the_fixed_table_and_learned_ones_a_parameter():
    layer = nn.SinusoidalPositionalEmbedding(50, 6, dtype="float64")
    got = layer(np.array([[0, 7], [49, 3]])).numpy()
    for (i, j), p in np.ndenumerate(np.array([[0, 7], [49, 3]])):
        for c in range(3):
            angle = p / 10000 ** (2 * c / 6)
            np.testing.assert_allclose(got[i, j, 2 * c:2 * c + 2], [math.sin(angle),
                                                                    math.cos(angle)], atol=1e-12)
    assert layer.parameters() == [] and layer.state_dict() == {}
    assert nn.SinusoidalPositionalEmbedding(4, 5).table.shape == (4, 5)
    learned = nn.LearnedPositionalEmbedding(8, 3)
    assert [(n, p.shape) for n, p in learned.named_parameters()] == [("weight", (8, 3))]
    np.testing.assert_array_equal(learned(np.arange(2, 5)).numpy(), learned.weight.numpy()[2:5])
    for bad in (layer, learned):
        with pytest.raises(IndexError, match=r"positions 0\.\.\d+ \(its context length\), got "
                                             r"position 50"):
            bad(np.array([50]))


# GPT, generate and fit_gpt.

def small_gpt(context_length=8, tie_weights=True, seed=0, vocab=11):
    mdl.init.manual_seed(seed)
    return mdl.models.GPT(vocab, context_length, 16, 2, 2, tie_weights=tie_weights,
                          dtype="float64")


def test_gpt_gives_logits_per_position_and_ties_the_head_to_the_embedding():
    model = small_gpt()
    ids = rng.integers(0, 11, (3, 6))
    assert model(ids).shape == (3, 6, 11)
    assert model.head.weight is model.token_embedding.weight
    names = [n for n, _ in model.named_parameters()]
    assert "head.weight" not in names and len(names) == len(set(id(p) for p in
                                                                model.parameters()))
    assert "head.weight" in [n for n, _ in small_gpt(tie_weights=False).named_parameters()]
    with pytest.raises(ValueError, match="exceed the context length 8"):
        model(rng.integers(0, 11, (1, 9)))
    with pytest.raises(ValueError, match=r"token ids \(batch, positions\), got shape \(4,\)"):
        model(np.arange(4))


def test_gpt_is_causal_later_tokens_leave_earlier_logits_alone():
    model = small_gpt()
    ids = rng.integers(0, 11, (2, 8))
    changed = ids.copy()
    changed[:, 5:] = (changed[:, 5:] + 3) % 11
    before, after = model(ids).numpy(), model(changed).numpy()
    np.testing.assert_allclose(after[:, :5], before[:, :5], rtol=1e-12, atol=1e-12)
    assert np.abs(after[:, 5:] - before[:, 5:]).max() > 1e-3


def test_gpt_with_a_cache_gives_the_logits_of_the_whole_context():
    model = small_gpt()
    ids = rng.integers(0, 11, (2, 7))
    full = model(ids).numpy()
    cache = model.new_cache()
    parts = [model.forward(ids[:, :3], cache=cache).numpy()]
    parts += [model.forward(ids[:, t:t + 1], cache=cache).numpy() for t in range(3, 7)]
    np.testing.assert_allclose(np.concatenate(parts, 1), full, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="7 cached and 2 new positions exceed"):
        model.forward(ids[:, :2], cache=cache)


def test_greedy_generation_with_the_cache_gives_the_tokens_of_recomputing():
    model = small_gpt()
    fed = []
    forward = model.forward

    def spy(ids, cache=None):
        fed.append(np.shape(ids)[1])
        return forward(ids, cache)

    model.forward = spy
    for length, new in ((1, 6), (3, 12), (8, 3)):  # within, across and at context_length
        prompt = rng.integers(0, 11, (2, length))
        fed.clear()
        cached = mdl.train.generate(model, prompt, new, temperature=0, use_cache=True)
        fed_cached = sum(fed)
        fed.clear()
        recomputed = mdl.train.generate(model, prompt, new, temperature=0, use_cache=False)
        np.testing.assert_array_equal(cached, recomputed)
        assert cached.shape == (2, length + new)
        np.testing.assert_array_equal(cached[:, :length], prompt)
        if length + new <= 8:  # the cache feeds each token once
            assert fed_cached == length + new - 1 < sum(fed)
    assert model.training  # its mode is restored


def test_sampling_is_seeded_and_keeps_to_the_top_k():
    model = small_gpt()
    prompt = np.array([1, 2, 3])
    first = mdl.train.generate(model, prompt, 10, temperature=1.0, seed=3)
    assert first.shape == (13,)
    np.testing.assert_array_equal(mdl.train.generate(model, prompt, 10, temperature=1.0, seed=3),
                                  first)
    np.testing.assert_array_equal(
        mdl.train.generate(model, prompt, 6, temperature=0.7, top_k=1, seed=9),
        mdl.train.generate(model, prompt, 6, temperature=0))
    picks = mdl.train._next_tokens(np.array([[0.0, 5.0, 4.0, -1.0, 4.5]] * 400), 5.0, 3,
                                    np.random.default_rng(0))
    assert set(picks) == {1, 2, 4}
    with pytest.raises(ValueError, match="temperature must be >= 0"):
        mdl.train.generate(model, prompt, 1, temperature=-1)


def test_fit_gpt_learns_a_repeating_sequence_and_records_its_history():
    model = small_gpt(vocab=6)
    ids = np.tile(np.arange(6), 50)
    optimizer = mdl.optim.AdamW(model.parameters(), lr=0.02, weight_decay=0.0)
    schedule = mdl.optim.WarmupCosine(optimizer, warmup_steps=5, total_steps=40)
    start = time.perf_counter()
    history = mdl.train.fit_gpt(model, ids[:240], ids[240:], optimizer, steps=40, batch_size=8,
                                 context_length=8, schedule=schedule, clip_norm=1.0,
                                 eval_every=20, progress=False)
    assert time.perf_counter() - start < 15
    assert len(history.train_loss) == len(history.learning_rate) == 40
    assert history.eval_at == [20, 40]
    assert history.learning_rate[:2] == pytest.approx([0.004, 0.008])
    assert history.train_loss[0] > 1.5 and history.eval_loss[-1] < 0.2, history.eval_loss
    tokens = mdl.train.generate(model, np.array([2, 3]), 8, temperature=0)
    np.testing.assert_array_equal(tokens, np.arange(2, 12) % 6)
    figure = history.plot()
    assert len(figure.axes) == 2 and len(figure.axes[0].lines) == 2


def test_attention_on_cpu_numba_matches_cpu():
    q, k, v = (rng.standard_normal((2, 2, 4, 8)).astype(np.float32) for _ in range(3))
    on = [F.scaled_dot_product_attention(*(mdl.Tensor(a, device=device) for a in (q, k, v)),
                                         is_causal=True).numpy()
          for device in (mdl.cpu(), mdl.cpu_numba())]
    np.testing.assert_allclose(on[1], on[0], rtol=1e-5, atol=1e-6)
    layer = nn.MultiheadAttention(8, 2, batch_first=True, device=mdl.cpu_numba())
    assert {p.device for p in layer.parameters()} == {mdl.cpu_numba()}
    cpu_layer = nn.MultiheadAttention(8, 2, batch_first=True)
    cpu_layer.load_state_dict(layer.state_dict())
    padding = np.array([[False] * 4, [False, False, True, True]])
    x = q[:, 0]
    out = [m.forward(*(mdl.Tensor(x, device=device),) * 3, key_padding_mask=padding)[0].numpy()
           for m, device in ((cpu_layer, mdl.cpu()), (layer, mdl.cpu_numba()))]
    np.testing.assert_allclose(out[1], out[0], rtol=1e-5, atol=1e-6)
