"""Section 4: the models, ResNet9 and LanguageModel."""
import numpy as np

from autograder.checks import graded
from _hw4_parameters import random_parameters


@graded(points=3, number="4.1")
def resnet9(mdl, rng):
    """ResNet9: parameter shapes, logits of four images and two parameters' gradients"""
    model = mdl.models.ResNet9(dtype="float64")
    shapes = np.concatenate([p.shape for _, p in model.named_parameters()])
    random_parameters(mdl, model, rng)
    x = mdl.Tensor(rng.standard_normal((4, 3, 32, 32)), dtype="float64")
    logits = model(x)
    (logits * mdl.Tensor(rng.standard_normal(logits.shape), dtype="float64")).sum().backward()
    first, *_, last = model.parameters()
    return {"parameter shapes": shapes, "logits": logits, "first parameter grad": first.grad,
            "last parameter grad": last.grad}


@graded(points=3, number="4.2")
def language_model(mdl, rng):
    """LanguageModel with an RNN, an LSTM and a GRU: logits, final states and gradients, and
    a second window that goes on from the first's final state (as truncated BPTT does)"""
    out = {}
    for kind in ("rnn", "lstm", "gru"):
        model = mdl.models.LanguageModel(4, 11, 5, num_layers=2, seq_model=kind, dtype="float64")
        random_parameters(mdl, model, rng)
        ids = mdl.Tensor(rng.integers(0, 11, (3, 2)), dtype="float64")
        targets = mdl.Tensor(rng.integers(0, 11, 6), dtype="float64")
        logits, state = model(ids)
        mdl.nn.SoftmaxLoss()(logits, targets).backward()
        states = state if kind == "lstm" else (state,)
        following, last = model(mdl.Tensor(rng.integers(0, 11, (2, 2)), dtype="float64"), state)
        lasts = last if kind == "lstm" else (last,)
        out |= {f"{kind} logits": logits, f"{kind} embedding grad": model.embedding.weight.grad,
                **{f"{kind} state {i}": s for i, s in enumerate(states)},
                f"{kind} next window logits": following,
                **{f"{kind} next window state {i}": s for i, s in enumerate(lasts)}}
    return out
