"""Autoencoders and the variational autoencoder (VAE) on (N, 1, 8, 8) images in [0, 1]."""
from __future__ import annotations

import numpy as np
from tqdm.auto import tqdm

from .. import nn, ops
from ..autograd import Tensor, no_grad
from ..train import History


def _encoder(hidden: int, dtype: str) -> nn.Module:
    """Two stride-2 convolutions (8x8 -> 4x4 -> 2x2), flattened to 2 * hidden * 4 features."""
    return nn.Sequential(nn.Conv2d(1, hidden, 3, stride=2, padding=1, dtype=dtype), nn.ReLU(),
                         nn.Conv2d(hidden, 2 * hidden, 3, stride=2, padding=1, dtype=dtype),
                         nn.ReLU(), nn.Flatten())


class _Decoder(nn.Module):
    """The encoder mirrored: Linear to (2 * hidden, 2, 2), two stride-2 transposed convolutions
    (2x2 -> 4x4 -> 8x8) to one channel of logits."""

    def __init__(self, latent_dim: int, hidden: int, dtype: str):
        self.hidden = hidden
        self.project = nn.Linear(latent_dim, 2 * hidden * 4, dtype=dtype)
        self.layers = nn.Sequential(
            nn.ReLU(), nn.ConvTranspose2d(2 * hidden, hidden, 4, stride=2, padding=1, dtype=dtype),
            nn.ReLU(), nn.ConvTranspose2d(hidden, 1, 4, stride=2, padding=1, dtype=dtype))

    def forward(self, z: Tensor) -> Tensor:
        return self.layers(self.project(z).reshape(z.shape[0], 2 * self.hidden, 2, 2))


def _check_images(name: str, x: Tensor) -> None:
    if x.ndim != 4 or tuple(x.shape[1:]) != (1, 8, 8):
        raise ValueError(f"{name} expects images (N, 1, 8, 8), got shape {x.shape}")


def _check_latent(name: str, z: Tensor, latent_dim: int) -> None:
    if z.ndim != 2 or z.shape[1] != latent_dim:
        raise ValueError(f"{name} expects latents (N, {latent_dim}), got shape {z.shape}")


class Autoencoder(nn.Module):
    """A convolutional autoencoder: encode(x) -> z (N, latent_dim), decode(z) -> logits
    (N, 1, 8, 8) of each pixel being on."""

    def __init__(self, latent_dim: int = 8, hidden: int = 16, dtype: str = "float32"):
        self.latent_dim = latent_dim
        self.encoder = _encoder(hidden, dtype)
        self.to_latent = nn.Linear(2 * hidden * 4, latent_dim, dtype=dtype)
        self.decoder = _Decoder(latent_dim, hidden, dtype)

    def encode(self, x: Tensor) -> Tensor:
        """The latent code (N, latent_dim) of images x (N, 1, 8, 8)."""
        _check_images("Autoencoder.encode", x)
        return self.to_latent(self.encoder(x))

    def decode(self, z: Tensor) -> Tensor:
        """The logits (N, 1, 8, 8) of the images coded by z (N, latent_dim)."""
        _check_latent("Autoencoder.decode", z, self.latent_dim)
        return self.decoder(z)

    def forward(self, x: Tensor) -> Tensor:
        return self.decode(self.encode(x))


def gaussian_kl(mu: Tensor, logvar: Tensor) -> Tensor:
    """KL(N(mu, exp(logvar)) || N(0, I)) of each row of mu, logvar (N, latent): shape (N,)."""
    if mu.shape != logvar.shape or mu.ndim != 2:
        raise ValueError(f"gaussian_kl expects mu and logvar of one shape (N, latent), got "
                         f"{mu.shape} and {logvar.shape}")
    # YOUR CODE HERE (hw6)
    raise NotImplementedError("hw6")


def vae_loss(logits: Tensor, x: Tensor, mu: Tensor, logvar: Tensor, beta: float = 1.0) -> Tensor:
    """The negative ELBO averaged over the batch: per image, the Bernoulli negative
    log-likelihood of x given the decoder's logits (summed over pixels) plus beta * KL."""
    if logits.shape != x.shape or x.ndim != 4:
        raise ValueError(f"vae_loss expects logits and images (N, C, H, W) of one shape, got "
                         f"{logits.shape} and {x.shape}")
    # YOUR CODE HERE (hw6)
    raise NotImplementedError("hw6")


class VAE(nn.Module):
    """A variational autoencoder: the Autoencoder's convolutions, an encoder giving the mean
    and log-variance of q(z | x), a decoder giving Bernoulli logits of p(x | z). Noise that
    is not passed in comes from `self.generator`, a NumPy generator seeded by `seed`."""

    def __init__(self, latent_dim: int = 8, hidden: int = 16, seed: int | None = None,
                 dtype: str = "float32"):
        self.latent_dim = latent_dim
        self.generator = np.random.default_rng(seed)
        self.encoder = _encoder(hidden, dtype)
        self.to_mu = nn.Linear(2 * hidden * 4, latent_dim, dtype=dtype)
        self.to_logvar = nn.Linear(2 * hidden * 4, latent_dim, dtype=dtype)
        self.decoder = _Decoder(latent_dim, hidden, dtype)

    def _noise(self, noise: np.ndarray | Tensor | None, shape: tuple[int, ...],
               like: Tensor) -> Tensor:
        """`noise` as a Tensor of `like`'s device and dtype, drawn from self.generator if None."""
        if noise is None:
            noise = self.generator.standard_normal(shape)
        noise = noise if isinstance(noise, Tensor) else Tensor(noise, device=like.device,
                                                                 dtype=like.dtype)
        if noise.shape != shape:
            raise ValueError(f"VAE: noise has shape {noise.shape}, expected {shape}")
        return noise

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """The mean and log-variance (each (N, latent_dim)) of q(z | x) for images x."""
        _check_images("VAE.encode", x)
        features = self.encoder(x)
        return self.to_mu(features), self.to_logvar(features)

    def reparameterize(self, mu: Tensor, logvar: Tensor,
                       noise: np.ndarray | Tensor | None = None) -> Tensor:
        """z = mu + exp(logvar / 2) * noise, noise standard normal of mu's shape: a draw of
        N(mu, exp(logvar)) differentiable in mu and logvar."""
        noise = self._noise(noise, mu.shape, mu)
        # YOUR CODE HERE (hw6)
        raise NotImplementedError("hw6")

    def decode(self, z: Tensor) -> Tensor:
        """The logits (N, 1, 8, 8) of p(x | z)."""
        _check_latent("VAE.decode", z, self.latent_dim)
        return self.decoder(z)

    def forward(self, x: Tensor,
                noise: np.ndarray | Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
        """(logits, mu, logvar): x encoded, one z drawn per image, decoded."""
        mu, logvar = self.encode(x)
        return self.decode(self.reparameterize(mu, logvar, noise)), mu, logvar

    def sample(self, n: int, noise: np.ndarray | Tensor | None = None) -> Tensor:
        """n new images (probabilities, (n, 1, 8, 8)) decoded from z ~ N(0, I) (`noise`)."""
        like = self.decoder.project.weight
        with no_grad():
            return ops.sigmoid(self.decode(self._noise(noise, (n, self.latent_dim), like)))

    def reconstruct(self, x: Tensor) -> Tensor:
        """The images x decoded from their means (no noise), as probabilities."""
        with no_grad():
            return ops.sigmoid(self.decode(self.encode(x)[0]))

    def interpolate(self, x0: Tensor, x1: Tensor, steps: int) -> Tensor:
        """`steps` images (probabilities) decoded along the straight line from x0's mean to
        x1's (x0, x1 each (1, 1, 8, 8)); the first and last are their reconstructions."""
        if x0.shape != (1, 1, 8, 8) or x1.shape != (1, 1, 8, 8):
            raise ValueError(f"VAE.interpolate expects two images (1, 1, 8, 8), got shapes "
                             f"{x0.shape} and {x1.shape}")
        if steps < 2:
            raise ValueError(f"VAE.interpolate needs steps >= 2, got {steps}")
        with no_grad():
            mu0, mu1 = self.encode(x0)[0], self.encode(x1)[0]
            t = Tensor(np.linspace(0, 1, steps)[:, None], device=mu0.device, dtype=mu0.dtype)
            # Your code defines `z` (steps, latent_dim): row i at t[i] of the way to mu1
            # YOUR CODE HERE (hw6)
            raise NotImplementedError("hw6")
            return ops.sigmoid(self.decode(z))


def _like(model: nn.Module, x: Tensor) -> Tensor:
    """x on the device and in the dtype of the model's parameters."""
    parameter = model.parameters()[0]
    return Tensor(x, device=parameter.device, dtype=parameter.dtype)


def fit_vae(model: VAE, loader, optimizer, epochs: int, progress: bool = True) -> History:
    """Train a VAE on the images of (image, label) batches for `epochs`, minimizing vae_loss;
    the History of its mean loss per image and epoch."""
    history = History()
    model.train()
    bar = tqdm(range(epochs), desc="epochs", disable=not progress)
    for _ in bar:
        total, seen = 0.0, 0
        for x, _ in tqdm(loader, desc="train", disable=not progress, leave=False):
            x = _like(model, x)
            logits, mu, logvar = model(x)
            loss = vae_loss(logits, x, mu, logvar)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total, seen = total + loss.item() * len(x), seen + len(x)
        history.train_loss.append(total / seen)
        bar.set_postfix(loss=f"{history.train_loss[-1]:.3f}")
    return history
