"""A small generative adversarial network (GAN) on images in [-1, 1]."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from .. import nn
from ..autograd import Tensor
from ..train import History


class Generator(nn.Module):
    """An MLP from latent codes z (N, latent_dim) to images (N, 1, 8, 8) in [-1, 1] (tanh)."""

    def __init__(self, latent_dim: int = 16, hidden: int = 128, dtype: str = "float32"):
        self.latent_dim = latent_dim
        self.net = nn.Sequential(
            nn.Linear(latent_dim, hidden, dtype=dtype), nn.ReLU(),
            nn.Linear(hidden, hidden, dtype=dtype), nn.ReLU(),
            nn.Linear(hidden, 64, dtype=dtype), nn.Tanh())

    def forward(self, z: Tensor) -> Tensor:
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"Generator expects latents (N, {self.latent_dim}), got shape "
                             f"{z.shape}")
        return self.net(z).reshape(z.shape[0], 1, 8, 8)


class Discriminator(nn.Module):
    """An MLP from images (N, 1, 8, 8) to logits (N,) of each being real."""

    def __init__(self, hidden: int = 128, dtype: str = "float32"):
        self.net = nn.Sequential(
            nn.Flatten(), nn.Linear(64, hidden, dtype=dtype), nn.ReLU(),
            nn.Linear(hidden, hidden, dtype=dtype), nn.ReLU(), nn.Linear(hidden, 1, dtype=dtype))

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4 or tuple(x.shape[1:]) != (1, 8, 8):
            raise ValueError(f"Discriminator expects images (N, 1, 8, 8), got shape {x.shape}")
        return self.net(x).reshape(x.shape[0])


def _full(like: Tensor, value: float) -> Tensor:
    """A constant target of `like`'s shape, device and dtype."""
    return Tensor(np.full(like.shape, value), device=like.device, dtype=like.dtype)


def discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """The discriminator's loss: binary cross-entropy of its logits on real images against 1
    plus that on generated images against 0, each a mean over its batch."""
    # YOUR CODE HERE (hw6)
    raise NotImplementedError("hw6")


def generator_loss(fake_logits: Tensor) -> Tensor:
    """The generator's non-saturating loss: the discriminator's binary cross-entropy on the
    generated images against 1 (real), a batch mean."""
    # YOUR CODE HERE (hw6)
    raise NotImplementedError("hw6")


def gan_step(generator: Generator, discriminator: Discriminator, g_optimizer, d_optimizer,
             real: Tensor, z: Tensor) -> tuple[float, float]:
    """One step of each player on real images and latents z: the discriminator's on real
    and generator(z), then the generator's through the updated discriminator; both losses."""
    # YOUR CODE HERE (hw6)
    raise NotImplementedError("hw6")


@dataclass
class GANHistory(History):
    """A History whose train_loss is the discriminator's mean loss per epoch, with the
    generator's beside it in generator_loss."""

    generator_loss: list[float] = field(default_factory=list)


def fit_gan(generator: Generator, discriminator: Discriminator, loader, g_optimizer,
            d_optimizer, epochs: int, latent_dim: int, seed: int = 0,
            progress: bool = True) -> GANHistory:
    """Train a GAN for `epochs` on the images of (image, label) batches, scaled from [0, 1]
    to [-1, 1], one gan_step per batch with latents drawn by a NumPy generator seeded by
    `seed`; the mean losses per epoch."""
    rng = np.random.default_rng(seed)
    parameter = generator.parameters()[0]  # the device and dtype of the real images and z
    history = GANHistory()
    generator.train()
    discriminator.train()
    bar = tqdm(range(epochs), desc="epochs", disable=not progress)
    for _ in bar:
        d_total, g_total, seen = 0.0, 0.0, 0
        for x, _ in tqdm(loader, desc="train", disable=not progress, leave=False):
            real = Tensor(x.numpy() * 2 - 1, device=parameter.device, dtype=parameter.dtype)
            z = Tensor(rng.standard_normal((len(x), latent_dim)), device=parameter.device,
                       dtype=parameter.dtype)
            d_loss, g_loss = gan_step(generator, discriminator, g_optimizer, d_optimizer, real, z)
            d_total, g_total = d_total + d_loss * len(x), g_total + g_loss * len(x)
            seen += len(x)
        history.train_loss.append(d_total / seen)
        history.generator_loss.append(g_total / seen)
        bar.set_postfix(d_loss=f"{history.train_loss[-1]:.3f}",
                        g_loss=f"{history.generator_loss[-1]:.3f}")
    return history
