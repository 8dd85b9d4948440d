"""Section 2: scaled dot-product attention, multi-head attention, GELU, LayerNorm and
positional encodings (minidl/nn/attention.py, activation.py, embedding.py)."""
import numpy as np

from autograder.checks import graded
from autograder.compare import agree, numerical_gradient
from _hw5_inputs import random_parameters, tensor


def _boolean_mask(rng, length: int, source_length: int) -> np.ndarray:
    """True where a query may attend; every query keeps at least one key."""
    mask = rng.random((length, source_length)) < 0.6
    mask[np.arange(length), rng.integers(0, source_length, length)] = True
    return mask


def _softmax_hint(expected, got):
    """Name the max shift when the scores in the hundreds overflowed exp."""
    large = got.get("large scores")
    if large is not None and not np.isfinite(large).all():
        return ("the case with scores in the hundreds gave inf or nan: exp overflows there. "
                "Compute the softmax shifted by each row's max (ops.softmax does), "
                "exp(s - max s) / sum exp(s - max s)")
    return None


@graded(points=3, number="2.1", rtol=1e-9, atol=1e-12, hint=_softmax_hint)
def scaled_dot_product_attention(mdl, rng):
    """softmax(q k^T / sqrt(E) + mask) v with batch dimensions (none, 1, 2, or broadcast),
    L != S, boolean, additive and causal masks, a single query and a single key, and scores
    in the hundreds"""
    sdpa = mdl.nn.functional.scaled_dot_product_attention
    length, source_length, e = int(rng.integers(2, 6)), int(rng.integers(3, 8)), 4
    arrays = [rng.standard_normal((2, 3, n, e)) for n in (length, source_length, source_length)]
    q, k, v = (mdl.Tensor(a, dtype="float64") for a in arrays)
    first = [mdl.Tensor(a[:, :, :1], dtype="float64") for a in arrays]
    additive = rng.standard_normal((length, source_length))
    square = [tensor(mdl, rng, 2, length, e) for _ in range(3)]
    plain = [mdl.Tensor(a[0, 0], dtype="float64") for a in arrays]  # (L, E): no batch axes
    shared = [mdl.Tensor(a[0], dtype="float64") for a in arrays[1:]]  # (3, S, E) for every batch
    return {"no mask": sdpa(q, k, v),
            "boolean mask": sdpa(q, k, v, attn_mask=_boolean_mask(rng, length, source_length)),
            "additive mask": sdpa(q, k, v, attn_mask=additive),
            "causal": sdpa(*square, is_causal=True),
            "one query": sdpa(first[0], k, v),
            "one key": sdpa(q, first[1], first[2]),
            "scale given": sdpa(q, k, v, scale=0.3),
            "no batch axes": sdpa(*plain, attn_mask=_boolean_mask(rng, length, source_length)),
            "keys broadcast over the batch": sdpa(q, *shared),
            "large scores": sdpa(q, k, v, scale=float(rng.uniform(200, 400)))}


@graded(points=3, number="2.2", verify=agree("analytic", "numerical", rtol=1e-5, atol=1e-7),
        rtol=1e-6, atol=1e-8)
def gradcheck_attention(mdl, rng):
    """numerical check: attention's gradient w.r.t. the query, keys and values (masked), and
    the same gradients with each subset of them constant"""
    shapes = [(2, 3, 4), (2, 5, 4), (2, 5, 3)]
    arrays = [rng.standard_normal(shape) for shape in shapes]
    mask = _boolean_mask(rng, 3, 5)
    weights = mdl.Tensor(rng.standard_normal((2, 3, 3)), dtype="float64")

    def loss(*xs):
        return (mdl.nn.functional.scaled_dot_product_attention(*xs, attn_mask=mask)
                * weights).sum()

    tensors = [mdl.Tensor(a, dtype="float64", requires_grad=True) for a in arrays]
    loss(*tensors).backward()
    numerical = []
    for i, array in enumerate(arrays):
        def of_one(x, i=i):
            xs = [mdl.Tensor(x if j == i else a, dtype="float64") for j, a in enumerate(arrays)]
            return loss(*xs).numpy().item()
        numerical.append(numerical_gradient(of_one, array).ravel())
    out = {"analytic": np.concatenate([t.grad.numpy().ravel() for t in tensors]),
           "numerical": np.concatenate(numerical)}
    names = ("query", "key", "value")
    for subset in ((0,), (1,), (2,), (0, 1), (0, 2), (1, 2)):
        xs = [mdl.Tensor(a, dtype="float64", requires_grad=i in subset)
              for i, a in enumerate(arrays)]
        loss(*xs).backward()
        label = " and ".join(names[i] for i in subset)
        missing = [names[i] for i in subset if xs[i].grad is None]
        if missing:
            raise AssertionError(f"no gradient for the {missing[0]} when only the {label} "
                                 "require grad")
        grads = [xs[i].grad for i in subset]
        out[f"gradient of the {label} alone requiring grad"] = np.concatenate(
            [g.numpy().ravel() for g in grads])
    return out


@graded(points=4, number="2.3", rtol=1e-9, atol=1e-12)
def multihead_attention(mdl, rng):
    """MultiheadAttention: heads split and joined, (L, N, E) and batch_first, key padding and
    attention masks, weights averaged over heads, the gradient of in_proj_weight, dropout in
    eval mode, and the weights' gradients with a constant input"""
    out = {}
    for batch_first in (False, True):
        layer = random_parameters(mdl, mdl.nn.MultiheadAttention(
            6, 3, batch_first=batch_first, dtype="float64"), rng)
        shape = (2, 4, 6) if batch_first else (4, 2, 6)
        query, key = tensor(mdl, rng, *shape, grad=True), tensor(mdl, rng, *shape)
        padding = np.array([[False, False, True, False], [False, False, False, True]])
        causal = np.triu(np.ones((4, 4), dtype=bool), 1)
        output, weights = layer(query, key, key, key_padding_mask=padding, attn_mask=causal)
        (output * output).sum().backward()
        name = "batch_first" if batch_first else "(L, N, E)"
        out |= {f"{name} output": output, f"{name} weights": weights,
                f"{name} query grad": query.grad,
                f"{name} in_proj_weight grad": layer.in_proj_weight.grad}
    self_attention, heads = layer(query, query, query, average_attn_weights=False)
    out |= {"self-attention": self_attention, "weights per head": heads}
    # dropout > 0 in eval mode changes nothing; a constant input still trains the weights
    layer = random_parameters(mdl, mdl.nn.MultiheadAttention(
        6, 2, dropout=0.5, batch_first=True, dtype="float64"), rng)
    layer.eval()
    x = tensor(mdl, rng, 2, 4, 6)
    output, weights = layer(x, x, x, attn_mask=causal)
    (output * output).sum().backward()
    out |= {"dropout 0.5, eval mode: output": output, "dropout 0.5, eval mode: weights": weights,
            "constant input: in_proj_weight grad": layer.in_proj_weight.grad,
            "constant input: out_proj.weight grad": layer.out_proj.weight.grad}
    return out


def _dropout_statistics(outputs):
    p = 0.4
    if abs(outputs["fraction of weights dropped"] - p) > 0.03:
        return (f"dropout_p={p} dropped {outputs['fraction of weights dropped']:.3f} of the "
                "attention weights")
    if abs(outputs["mean row sum of weights"] - 1) > 0.05:
        return (f"the attention weights' rows sum to {outputs['mean row sum of weights']:.3f} "
                "on average after dropout, not 1: the kept weights are scaled by 1 / (1 - p)")
    if not outputs["dropout_p=0 changes nothing"]:
        return "with dropout_p=0 the output differs from attention without dropout"
    return None


@graded(points=2, number="2.4", golden=False, verify=_dropout_statistics)
def attention_dropout(mdl, rng):
    """dropout_p drops that fraction of the attention weights and rescales the rest (checked
    by statistics, never by which weights a draw drops)"""
    q, k, v = (tensor(mdl, rng, 8, 40, 8) for _ in range(3))
    mdl.init.manual_seed(int(rng.integers(0, 2 ** 31)))
    _, weights = mdl.nn.functional.attention(q, k, v, dropout_p=0.4)
    w = weights.numpy()
    plain = mdl.nn.functional.scaled_dot_product_attention(q, k, v)
    kept = mdl.nn.functional.scaled_dot_product_attention(q, k, v, dropout_p=0.0)
    return {"fraction of weights dropped": float((w == 0).mean()),
            "mean row sum of weights": float(w.sum(-1).mean()),
            "dropout_p=0 changes nothing": bool(np.allclose(plain.numpy(), kept.numpy()))}


@graded(points=3, number="2.5")
def gelu_layernorm_positions(mdl, rng):
    """GELU (erf and tanh) and their gradients, LayerNorm over two dimensions with a nearly
    constant row, and the sinusoidal table for even and odd widths"""
    out = {}
    for form in ("none", "tanh"):
        x = mdl.Tensor(np.concatenate([rng.standard_normal(6) * 3, [0.0, -8.0, 8.0]]),
                       dtype="float64", requires_grad=True)
        y = mdl.nn.GELU(form)(x)
        y.sum().backward()
        out |= {f"gelu {form}": y, f"gelu {form} grad": x.grad}
    norm = random_parameters(mdl, mdl.nn.LayerNorm((3, 4), dtype="float64"), rng)
    rows = rng.standard_normal((2, 3, 4)) * 3
    rows[0] = 1 + 0.001 * rows[0]  # variance ~1e-5, where eps (1e-5) counts
    x = mdl.Tensor(rows, dtype="float64", requires_grad=True)
    (norm(x) * norm(x)).sum().backward()
    out |= {"layernorm": norm(x), "layernorm input grad": x.grad,
            "layernorm weight grad": norm.weight.grad}
    for width in (8, 7):
        out[f"sinusoidal table, width {width}"] = mdl.nn.embedding.sinusoidal_table(50, width)
    return out
