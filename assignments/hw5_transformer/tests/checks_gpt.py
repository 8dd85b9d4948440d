"""Section 3: the transformer encoder layer, the GPT and its KV cache (minidl/models.py)."""
import numpy as np

from autograder.checks import graded
from _hw5_inputs import random_parameters, tensor

VOCAB, CONTEXT = 11, 8


def _gpt(mdl, rng, n_layers: int = 2, scale: float = 0.5):
    model = mdl.models.GPT(VOCAB, CONTEXT, d_model=8, n_heads=2, n_layers=n_layers,
                           dtype="float64")
    model.eval()
    return random_parameters(mdl, model, rng, scale)


@graded(points=3, number="3.1", rtol=1e-7, atol=1e-9)
def transformer_encoder_layer(mdl, rng):
    """TransformerEncoderLayer, post-norm and pre-norm (norm_first), relu and gelu, with a
    causal src_mask and key padding: outputs and input gradients"""
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
    return out


@graded(points=3, number="3.2", rtol=1e-7, atol=1e-9)
def gpt_forward_backward(mdl, rng):
    """GPT (pre-norm blocks, tied head): logits of a batch, the loss's gradients of the
    embedding and the first block's parameters"""
    model = _gpt(mdl, rng)
    ids = rng.integers(0, VOCAB, (2, CONTEXT))
    logits = model(ids)
    targets = mdl.Tensor(rng.integers(0, VOCAB, 2 * CONTEXT), dtype="float64")
    loss = mdl.nn.SoftmaxLoss()(logits.reshape(2 * CONTEXT, VOCAB), targets)
    loss.backward()
    block = model.blocks[0]
    return {"logits": logits, "loss": loss,
            "token embedding grad": model.token_embedding.weight.grad,
            "first block attention in_proj grad": block.attn.in_proj_weight.grad,
            "first block mlp grad": block.mlp[0].weight.grad}


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


@graded(points=3, number="3.4", rtol=1e-9, atol=1e-12)
def kv_cache(mdl, rng):
    """the KV cache: logits fed a prompt then one token at a time equal those of the whole
    sequence at once, and greedy generate gives the same tokens with and without it"""
    model = _gpt(mdl, rng, scale=1.0)
    ids = rng.integers(0, VOCAB, (2, 6))
    prompt = int(rng.integers(1, 4))
    cache = model.new_cache()
    with mdl.no_grad():
        pieces = [model(ids[:, :prompt], cache=cache).numpy()]
        pieces += [model(ids[:, i:i + 1], cache=cache).numpy() for i in range(prompt, 6)]
        whole = model(ids).numpy()
    start = rng.integers(0, VOCAB, (1, int(rng.integers(1, 4))))
    greedy = {use: mdl.models.generate(model, start, CONTEXT + 3, temperature=0,
                                       use_cache=use) for use in (True, False)}
    return {"logits through the cache": np.concatenate(pieces, axis=1),
            "logits of the whole sequence": whole,
            "greedy tokens with the cache": np.asarray(greedy[True]),
            "greedy tokens without the cache": np.asarray(greedy[False])}
