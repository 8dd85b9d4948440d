"""Section 3: the transformer encoder layer, the GPT and its KV cache (minidl/nn/transformer.py,
nn/attention.py, models.py)."""
import numpy as np

from autograder.checks import graded
from autograder.compare import compare
from _hw5_inputs import random_parameters, tensor

VOCAB, CONTEXT = 11, 8


def _gpt(mdl, rng, n_layers: int = 2, scale: float = 0.5, dropout: float = 0.0):
    """A GPT in eval mode (its dropout, if any, off) with uniform random parameters."""
    model = mdl.models.GPT(VOCAB, CONTEXT, d_model=8, n_heads=2, n_layers=n_layers,
                           dropout=dropout, dtype="float64")
    model.eval()
    return random_parameters(mdl, model, rng, scale)


@graded(points=3, number="3.1")
def transformer_encoder_layer(mdl, rng):
    """TransformerEncoderLayer, post-norm and pre-norm (norm_first), relu and gelu, with a
    causal src_mask and key padding: outputs and input gradients; in eval mode with dropout
    0.5, outputs and the weights' gradients"""
    out = {}
    for norm_first, activation in ((False, "relu"), (True, "gelu")):
        layer = random_parameters(mdl, mdl.nn.TransformerEncoderLayer(
            6, 2, dim_feedforward=10, dropout=0.0, activation=activation, batch_first=True,
            norm_first=norm_first, dtype="float64"), rng)
        src = tensor(mdl, rng, 2, 5, 6, grad=True)
        mask = mdl.nn.generate_square_subsequent_mask(5, dtype="float64")
        padding = np.zeros((2, 5), dtype=bool)
        padding[1, 4] = True
        y = layer(src, src_mask=mask, src_key_padding_mask=padding)
        (y * y).sum().backward()
        name = "norm_first" if norm_first else "post-norm"
        out |= {f"{name} output": y, f"{name} input grad": src.grad}
    # dropout > 0 in eval mode changes nothing; a constant input still trains the weights
    for norm_first in (False, True):
        layer = random_parameters(mdl, mdl.nn.TransformerEncoderLayer(
            6, 2, dim_feedforward=10, dropout=0.5, activation="gelu", batch_first=True,
            norm_first=norm_first, dtype="float64"), rng)
        layer.eval()
        y = layer(tensor(mdl, rng, 2, 5, 6), src_mask=mask)
        (y * y).sum().backward()
        name = ("norm_first" if norm_first else "post-norm") + ", dropout 0.5, eval mode"
        out |= {f"{name}: output": y,
                f"{name}: linear1.weight grad": layer.linear1.weight.grad,
                f"{name}: norm1.weight grad": layer.norm1.weight.grad,
                f"{name}: in_proj_weight grad": layer.self_attn.in_proj_weight.grad}
    return out


@graded(points=3, number="3.2")
def gpt_forward_backward(mdl, rng):
    """GPT (pre-norm blocks, tied head): logits of a batch, the loss's gradients of the
    embedding and the first block's parameters (eval mode with dropout 0.2); logits in
    training mode with dropout 0"""
    model = _gpt(mdl, rng, dropout=0.2)
    ids = rng.integers(0, VOCAB, (2, CONTEXT))
    logits = model(ids)
    targets = mdl.Tensor(rng.integers(0, VOCAB, 2 * CONTEXT), dtype="float64")
    loss = mdl.nn.SoftmaxLoss()(logits.reshape(2 * CONTEXT, VOCAB), targets)
    loss.backward()
    block = model.blocks[0]
    training = _gpt(mdl, rng)
    training.train()
    return {"logits": logits, "loss": loss,
            "token embedding grad": model.token_embedding.weight.grad,
            "first block attention in_proj grad": block.attn.in_proj_weight.grad,
            "first block mlp grad": block.mlp[0].weight.grad,
            "logits in training mode, dropout 0": training(ids)}


@graded(points=2, number="3.3", rtol=1e-9, atol=1e-12)
def gpt_is_causal(mdl, rng):
    """causality: the logits at positions up to t do not change when the tokens after t do"""
    model = _gpt(mdl, rng)
    t = int(rng.integers(0, CONTEXT - 1))
    ids = rng.integers(0, VOCAB, (1, CONTEXT))
    changed = ids.copy()
    changed[0, t + 1:] = (ids[0, t + 1:] + rng.integers(1, VOCAB, CONTEXT - t - 1)) % VOCAB
    return {f"logits up to position {t}": model(ids).numpy()[:, :t + 1],
            f"logits up to position {t}, later tokens changed":
                model(changed).numpy()[:, :t + 1]}


def _cache_agrees(outputs) -> str | None:
    """Through the cache, the same numbers as the whole sequence at once."""
    whole = outputs["logits of the whole sequence"]
    problems = [compare(name, whole, outputs[name], 1e-9, 1e-12) for name in
                ("logits through the cache", "logits through the cache, two tokens a step")]
    problems.append(compare("attention through the cache: output",
                            outputs["attention at once: output"],
                            outputs["attention through the cache: output"], 1e-9, 1e-12))
    problems = [p for p in problems if p]
    return None if not problems else (
        "fed through the KV cache, the outputs differ from the whole sequence at once "
        "(expected below):\n" + "\n".join(problems))


@graded(points=3, number="3.4", rtol=1e-9, atol=1e-12, verify=_cache_agrees)
def kv_cache(mdl, rng):
    """the KV cache: logits fed a prompt then one token (or two) at a time equal those of the
    whole sequence at once, batch 2; MultiheadAttention through a cache with key padding and
    causal masks; and greedy generate gives the same tokens with and without it"""
    model = _gpt(mdl, rng, scale=1.0, dropout=0.3)
    ids = rng.integers(0, VOCAB, (2, 6))
    prompt = int(rng.integers(1, 4))
    with mdl.no_grad():
        cache = model.new_cache()
        pieces = [model(ids[:, :prompt], cache=cache).numpy()]
        pieces += [model(ids[:, i:i + 1], cache=cache).numpy() for i in range(prompt, 6)]
        cache, pairs = model.new_cache(), []
        for start in range(0, 6, 2):  # two new tokens a step, after the first two
            pairs.append(model(ids[:, start:start + 2], cache=cache).numpy())
        whole = model(ids).numpy()
    start = rng.integers(0, VOCAB, (1, int(rng.integers(1, 4))))
    greedy = {use: mdl.train.generate(model, start, CONTEXT + 3, temperature=0,
                                       use_cache=use) for use in (True, False)}
    return {"logits through the cache": np.concatenate(pieces, axis=1),
            "logits through the cache, two tokens a step": np.concatenate(pairs, axis=1),
            "logits of the whole sequence": whole,
            "greedy tokens with the cache": np.asarray(greedy[True]),
            "greedy tokens without the cache": np.asarray(greedy[False]),
            **_attention_cache(mdl, rng)}


def _attention_cache(mdl, rng) -> dict:
    """MultiheadAttention fed positions 0-1, then 2, then 3-4 through a KVCache, with a key
    padding mask over every position so far and a causal mask, against the whole at once."""
    layer = random_parameters(mdl, mdl.nn.MultiheadAttention(
        6, 2, dropout=0.5, batch_first=True, dtype="float64"), rng)
    layer.eval()
    x = rng.standard_normal((2, 5, 6))
    padding = np.zeros((2, 5), dtype=bool)
    padding[1, int(rng.integers(1, 5))] = True  # one key of the second sequence, never the first

    def causal(length, past):
        return np.triu(np.ones((length, past + length), dtype=bool), past + 1)

    cache, steps = mdl.nn.KVCache(), []
    with mdl.no_grad():
        for begin, end in ((0, 2), (2, 3), (3, 5)):
            part = mdl.Tensor(x[:, begin:end], dtype="float64")
            output, weights = layer(part, part, part, key_padding_mask=padding[:, :end],
                                    attn_mask=causal(end - begin, begin), cache=cache)
            steps.append((output.numpy(), weights.numpy()))
        whole = mdl.Tensor(x, dtype="float64")
        output, weights = layer(whole, whole, whole, key_padding_mask=padding,
                                attn_mask=causal(5, 0))
    return {"attention through the cache: output": np.concatenate([o for o, _ in steps], 1),
            "attention through the cache: last weights": steps[-1][1],
            "attention at once: output": output,
            "attention at once: weights": weights}
