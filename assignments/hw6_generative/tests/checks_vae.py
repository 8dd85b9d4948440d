"""Section 2: the variational autoencoder: reparameterization, the Gaussian KL, the negative
ELBO and the latent line of interpolate (minidl/generative/autoencoder.py)."""
import numpy as np

from autograder.checks import graded
from _hw6_inputs import large_logits_hint, random_parameters, tensor


def _vae(mdl, rng, latent_dim: int = 3):
    """A small VAE (hidden 4) in float64 with parameters drawn by the check."""
    return random_parameters(mdl, mdl.generative.autoencoder.VAE(
        latent_dim=latent_dim, hidden=4, dtype="float64"), rng)


def _images(mdl, rng, n: int):
    return mdl.Tensor(rng.random((n, 1, 8, 8)), dtype="float64")


@graded(points=2, number="2.1", rtol=1e-10, atol=1e-12)
def reparameterize(mdl, rng):
    """VAE.reparameterize with the noise given: z = mu + exp(logvar / 2) * noise, and its
    gradient with respect to mu and logvar"""
    model = mdl.generative.autoencoder.VAE(latent_dim=4, dtype="float64")
    mu, logvar = tensor(mdl, rng, 3, 4, grad=True), tensor(mdl, rng, 3, 4, grad=True)
    noise = rng.standard_normal((3, 4))
    z = model.reparameterize(mu, logvar, noise=noise)
    (z * tensor(mdl, rng, 3, 4)).sum().backward()
    return {"z": z, "mu grad": mu.grad, "logvar grad": logvar.grad,
            "noise as a Tensor": model.reparameterize(
                mu, logvar, noise=mdl.Tensor(noise, dtype="float64"))}


@graded(points=2, number="2.2", rtol=1e-10, atol=1e-12)
def gaussian_kl(mdl, rng):
    """gaussian_kl: KL(N(mu, exp(logvar)) || N(0, I)) per example, zero for the prior itself,
    and its gradient with respect to mu and logvar"""
    kl = mdl.generative.autoencoder.gaussian_kl
    mu, logvar = tensor(mdl, rng, 5, 3, grad=True), tensor(mdl, rng, 5, 3, grad=True)
    values = kl(mu, logvar)
    (values * tensor(mdl, rng, 5)).sum().backward()
    zeros = mdl.Tensor(np.zeros((2, 3)), dtype="float64")
    return {"KL": values, "mu grad": mu.grad, "logvar grad": logvar.grad,
            "KL of the prior itself": kl(zeros, zeros),
            "one latent dimension": kl(tensor(mdl, rng, 4, 1), tensor(mdl, rng, 4, 1))}


@graded(points=3, number="2.3", rtol=1e-9, atol=1e-10, hint=large_logits_hint)
def vae_loss(mdl, rng):
    """vae_loss: the negative ELBO (binary cross-entropy of the logits summed over pixels,
    plus beta * KL, averaged over the batch) for given logits, in the tens too, and through a
    VAE with its noise given: the loss and every parameter's gradient"""
    autoencoder = mdl.generative.autoencoder
    loss = autoencoder.vae_loss
    n = int(rng.integers(2, 5))
    x, binary = _images(mdl, rng, n), mdl.Tensor(rng.random((n, 1, 8, 8)) < 0.4, dtype="float64")
    mu, logvar = tensor(mdl, rng, n, 3), tensor(mdl, rng, n, 3)
    logits = tensor(mdl, rng, n, 1, 8, 8)
    large = mdl.Tensor(rng.choice([-1, 1], (n, 1, 8, 8)) * rng.uniform(30, 60, (n, 1, 8, 8)),
                       dtype="float64")
    out = {"given logits": loss(logits, x, mu, logvar),
           "binary images": loss(logits, binary, mu, logvar),
           "beta 0.25": loss(logits, x, mu, logvar, beta=0.25),
           "large logits": loss(large, binary, mu, logvar)}
    model = _vae(mdl, rng)
    x = _images(mdl, rng, 3)
    logits, mu, logvar = model(x, noise=rng.standard_normal((3, 3)))
    value = loss(logits, x, mu, logvar)
    value.backward()
    out["through the VAE"] = value
    for name, parameter in model.named_parameters():
        out[f"{name} grad"] = parameter.grad
    return out


@graded(points=2, number="2.4", rtol=1e-9, atol=1e-12)
def sample_reconstruct_interpolate(mdl, rng):
    """VAE.sample with the noise given, VAE.reconstruct (the means decoded) and
    VAE.interpolate (the straight line between two images' means, decoded), as
    probabilities"""
    model = _vae(mdl, rng)
    x = _images(mdl, rng, 2)
    x0, x1 = (mdl.Tensor(x.numpy()[i:i + 1], dtype="float64") for i in (0, 1))
    steps = int(rng.integers(3, 7))
    return {"sample": model.sample(4, noise=rng.standard_normal((4, 3))),
            "reconstruct": model.reconstruct(x),
            "interpolate": model.interpolate(x0, x1, steps),
            "interpolate, 2 steps": model.interpolate(x0, x1, 2)}
