"""Hidden check: a VAE trained two epochs on 32 digits through fit_vae."""
import numpy as np

from autograder.checks import graded
from _hw6_inputs import random_parameters


@graded(points=2, number="5.2", visibility="after_due_date", rtol=1e-7, atol=1e-10)
def vae_training(mdl, rng):
    """two epochs of fit_vae with SGD on 32 digits (batches of 8), the VAE's noise drawn from
    its seeded generator: the loss per epoch and the parameters after"""
    images, labels = mdl.data.digits(True).arrays
    chosen = rng.choice(len(labels), 32, replace=False)
    loader = mdl.data.DataLoader(mdl.data.ArrayDataset(images[chosen], labels[chosen]),
                                 batch_size=8)
    model = random_parameters(mdl, mdl.generative.autoencoder.VAE(
        latent_dim=3, hidden=4, seed=int(rng.integers(0, 1000)), dtype="float64"), rng, 0.3)
    optimizer = mdl.optim.SGD(model.parameters(), lr=0.002)
    history = mdl.generative.autoencoder.fit_vae(model, loader, optimizer, 2, progress=False)
    return {"loss per epoch": np.array(history.train_loss),
            "parameters after": np.concatenate([p.numpy().ravel() for p in model.parameters()])}
