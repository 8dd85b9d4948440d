"""Hidden check: a GPT trained a few steps with AdamW, the warmup-cosine schedule and
gradient clipping, through fit_gpt."""
import numpy as np

from autograder.checks import graded
from _hw5_inputs import random_parameters


@graded(points=3, number="5.1", visibility="after_due_date")
def gpt_training_steps(mdl, rng):
    """four training steps of a small GPT: losses, learning rates and the validation loss"""
    model = random_parameters(mdl, mdl.models.GPT(13, 8, d_model=8, n_heads=2, n_layers=2,
                                                  dtype="float64"), rng, 0.3)
    text = rng.integers(0, 13, 200)
    optimizer = mdl.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.1)
    schedule = mdl.optim.WarmupCosine(optimizer, warmup_steps=2, total_steps=4)
    history = mdl.train.fit_gpt(model, text[:150], text[150:], optimizer, steps=4,
                                 batch_size=3, context_length=8, schedule=schedule,
                                 clip_norm=0.5, eval_every=4, eval_batches=2,
                                 seed=int(rng.integers(0, 1000)), progress=False)
    return {"training losses": np.array(history.train_loss),
            "learning rates": np.array(history.learning_rate),
            "validation loss": np.array(history.eval_loss),
            "head weight after": model.head.weight}
