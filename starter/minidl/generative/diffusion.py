"""Denoising diffusion (DDPM, Ho et al. 2020) and its deterministic sampler (DDIM, Song et al. 2021) on images in [-1, 1]."""
from __future__ import annotations

import math

import numpy as np
from tqdm.auto import tqdm

from .. import nn, ops
from ..autograd import Tensor, no_grad
from ..nn import functional as F
from ..nn.embedding import sinusoidal_table
from ..nn.module import check_images
from ..train import History


def linear_beta_schedule(steps: int, beta_start: float = 1e-4,
                         beta_end: float = 0.02) -> np.ndarray:
    """The betas (steps,) float64 rising evenly from beta_start to beta_end (Ho et al.)."""
    # YOUR CODE HERE (hw6)
    raise NotImplementedError("hw6")


def cosine_beta_schedule(steps: int, s: float = 0.008) -> np.ndarray:
    """The betas (steps,) float64 whose alpha-bar follows cos^2 (Nichol & Dhariwal 2021): abar(t)
    = f(t) / f(0), f(t) = cos((t / steps + s) / (1 + s) * pi / 2)^2, betas clipped at 0.999."""
    # YOUR CODE HERE (hw6)
    raise NotImplementedError("hw6")


class NoiseSchedule:
    """The forward process's constants as float64 arrays (steps,): betas, alphas = 1 - betas and
    alphas_cumprod[t] = prod_{s <= t} alphas[s], for 0-based timesteps t = 0..steps - 1."""

    def __init__(self, betas):
        betas = np.asarray(betas, dtype=np.float64)
        if betas.ndim != 1 or len(betas) == 0:
            raise ValueError(f"NoiseSchedule needs betas of shape (steps,), got {betas.shape}")
        if not ((betas > 0) & (betas < 1)).all():
            raise ValueError(f"NoiseSchedule needs betas in (0, 1), got betas from "
                             f"{betas.min():g} to {betas.max():g}")
        self.betas, self.steps = betas, len(betas)
        # YOUR CODE HERE (hw6)
        raise NotImplementedError("hw6")

    def __repr__(self) -> str:
        return f"NoiseSchedule(steps={self.steps})"


def _timesteps(t, batch: int, steps: int) -> np.ndarray:
    """t as integers (batch,), each in 0..steps - 1."""
    t = np.asarray(t.numpy() if isinstance(t, Tensor) else t)
    if t.shape != (batch,) or (t != np.round(t)).any():
        raise ValueError(f"expected integer timesteps of shape ({batch},), got {t.dtype} of "
                         f"shape {t.shape}")
    t = t.astype(np.int64)
    if batch and (t.min() < 0 or t.max() >= steps):
        raise IndexError(f"timesteps run over 0..{steps - 1}, got {t.min()}..{t.max()}")
    return t


def _per_example(values: np.ndarray, like: Tensor) -> Tensor:
    """values (N,) as a constant (N, 1, ..., 1) of like's device and dtype, to broadcast."""
    return Tensor(values.reshape((-1,) + (1,) * (like.ndim - 1)), device=like.device,
                  dtype=like.dtype)


def q_sample(x0: Tensor, t, noise: Tensor, schedule: NoiseSchedule) -> Tensor:
    """x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise, with each example's own t (N,)."""
    if noise.shape != x0.shape:
        raise ValueError(f"q_sample: noise {noise.shape} and x0 {x0.shape} differ in shape")
    t = _timesteps(t, x0.shape[0], schedule.steps)
    # YOUR CODE HERE (hw6)
    raise NotImplementedError("hw6")


def diffusion_loss(model, x0: Tensor, t, noise: Tensor, schedule: NoiseSchedule) -> Tensor:
    """The mean squared error between the noise and model(x_t, t)'s prediction of it."""
    # YOUR CODE HERE (hw6)
    raise NotImplementedError("hw6")


class ResBlock(nn.Module):
    """GroupNorm, SiLU, 3x3 conv; plus a Linear of SiLU(time embedding), one value per channel;
    GroupNorm, SiLU, 3x3 conv; plus the input (through a 1x1 conv when the channels change).
    forward(x (N, in_channels, H, W), emb (N, time_dim)) -> (N, out_channels, H, W)."""

    def __init__(self, in_channels: int, out_channels: int, time_dim: int, groups: int = 8,
                 dtype: str = "float32"):
        self.in_channels, self.out_channels, self.time_dim = in_channels, out_channels, time_dim
        self.norm1 = nn.GroupNorm(groups, in_channels, dtype=dtype)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1, dtype=dtype)
        self.time_emb_proj = nn.Linear(time_dim, out_channels, dtype=dtype)
        self.norm2 = nn.GroupNorm(groups, out_channels, dtype=dtype)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, dtype=dtype)
        self.conv_shortcut = nn.Conv2d(in_channels, out_channels, 1, dtype=dtype) \
            if in_channels != out_channels else None

    def forward(self, x: Tensor, emb: Tensor) -> Tensor:
        check_images("ResBlock", x, self.in_channels)
        if emb.shape != (x.shape[0], self.time_dim):
            raise ValueError(f"ResBlock expects a time embedding ({x.shape[0]}, "
                             f"{self.time_dim}) for images {x.shape}, got {emb.shape}")
        # YOUR CODE HERE (hw6)
        raise NotImplementedError("hw6")

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, time_dim={self.time_dim}"


class UNet(nn.Module):
    """The noise predictor: forward(x (N, channels, 8, 8), t (N,) integers) -> the predicted
    noise, x's shape. The timesteps' sinusoidal vectors (the NumPy array `table`, no parameter)
    go through time_mlp to the embedding every ResBlock gets. conv_in, then down1 at 8x8,
    downsample1 to 4x4, down2, downsample2 to 2x2, mid; up2 on upsample(mid) joined with
    down2's output, up1 on upsample(up2) joined with down1's; norm_out, SiLU, conv_out."""

    def __init__(self, channels: int = 1, base: int = 32, time_dim: int = 64, groups: int = 8,
                 steps: int = 1000, dtype: str = "float32"):
        self.channels, self.base, self.steps = channels, base, steps
        self.table = sinusoidal_table(steps, time_dim)
        self.time_mlp = nn.Sequential(nn.Linear(time_dim, time_dim, dtype=dtype), nn.SiLU(),
                                      nn.Linear(time_dim, time_dim, dtype=dtype))
        self.conv_in = nn.Conv2d(channels, base, 3, padding=1, dtype=dtype)
        self.down1 = ResBlock(base, base, time_dim, groups, dtype)
        self.downsample1 = nn.Conv2d(base, base, 3, stride=2, padding=1, dtype=dtype)
        self.down2 = ResBlock(base, 2 * base, time_dim, groups, dtype)
        self.downsample2 = nn.Conv2d(2 * base, 2 * base, 3, stride=2, padding=1, dtype=dtype)
        self.mid = ResBlock(2 * base, 2 * base, time_dim, groups, dtype)
        self.upsample = nn.Upsample(scale_factor=2)
        self.up2 = ResBlock(4 * base, 2 * base, time_dim, groups, dtype)
        self.up1 = ResBlock(3 * base, base, time_dim, groups, dtype)
        self.norm_out = nn.GroupNorm(groups, base, dtype=dtype)
        self.conv_out = nn.Conv2d(base, channels, 3, padding=1, dtype=dtype)

    def forward(self, x: Tensor, t) -> Tensor:
        check_images("UNet", x, self.channels)
        if x.shape[2] % 4 or x.shape[3] % 4:
            raise ValueError(f"UNet halves the images twice: it needs H and W divisible by 4, "
                             f"got shape {x.shape}")
        t = _timesteps(t, x.shape[0], self.steps)
        # YOUR CODE HERE (hw6)
        raise NotImplementedError("hw6")


def ddpm_step(eps: Tensor, x_t: Tensor, t: int, schedule: NoiseSchedule,
              noise: Tensor | None) -> Tensor:
    """One step of DDPM's reverse process: x_{t-1} = (x_t - beta_t / sqrt(1 - abar_t) eps) /
    sqrt(alpha_t) + sqrt(beta_t) noise, with no noise at t = 0 (where `noise` may be None)."""
    if not 0 <= t < schedule.steps:
        raise IndexError(f"ddpm_step: t = {t} is outside 0..{schedule.steps - 1}")
    if t > 0 and noise is None:
        raise ValueError(f"ddpm_step needs noise of shape {x_t.shape} at t = {t} > 0")
    # YOUR CODE HERE (hw6)
    raise NotImplementedError("hw6")


def ddim_step(eps: Tensor, x_t: Tensor, t: int, t_prev: int, schedule: NoiseSchedule,
              eta: float = 0.0, noise: Tensor | None = None) -> Tensor:
    """One step of DDIM (Song et al. 2021, eq. 12) from t to t_prev < t (-1: to x0, abar = 1):
    the x0 that eps implies, re-noised to abar_{t_prev} along eps, plus sigma noise where
    sigma = eta sqrt((1 - abar_prev) / (1 - abar_t)) sqrt(1 - abar_t / abar_prev)."""
    if not -1 <= t_prev < t < schedule.steps:
        raise IndexError(f"ddim_step needs -1 <= t_prev < t < {schedule.steps}, got t = {t}, "
                         f"t_prev = {t_prev}")
    if eta > 0 and t_prev >= 0 and noise is None:
        raise ValueError(f"ddim_step with eta = {eta} needs noise of shape {x_t.shape}")
    # YOUR CODE HERE (hw6)
    raise NotImplementedError("hw6")


def _sampling(model, shape, seed: int):
    """A function drawing standard normal Tensors of `shape` on the model's device and dtype,
    from a generator seeded by `seed`."""
    rng, parameter = np.random.default_rng(seed), model.parameters()[0]
    return lambda: Tensor(rng.standard_normal(shape), device=parameter.device,
                          dtype=parameter.dtype)


def _reverse(model, shape, pairs, step, seed: int, progress: bool, description: str) -> Tensor:
    """x from pure noise, then x = step(eps, x, t, t_prev, noise) for each (t, t_prev) of
    `pairs`, eps = model(x, t), without a graph and in eval mode."""
    draw, was_training = _sampling(model, shape, seed), model.training
    model.eval()
    with no_grad():
        x = draw()
        for t, t_prev in tqdm(pairs, desc=description, disable=not progress):
            eps = model(x, np.full(shape[0], t))
            x = step(eps, x, t, t_prev, draw())  # a draw every step: the seed fixes them all
    model.train(was_training)
    return x


def ddpm_sample(model, shape, schedule: NoiseSchedule, seed: int = 0,
                progress: bool = True) -> Tensor:
    """Images of `shape` by DDPM's reverse process over every timestep, the noise drawn by
    np.random.default_rng(seed)."""
    pairs = [(t, t - 1) for t in range(schedule.steps - 1, -1, -1)]
    return _reverse(model, shape, pairs,
                    lambda eps, x, t, _, noise: ddpm_step(eps, x, t, schedule, noise),
                    seed, progress, "DDPM")


def ddim_sample(model, shape, schedule: NoiseSchedule, steps: int = 50, eta: float = 0.0,
                seed: int = 0, progress: bool = True) -> Tensor:
    """Images of `shape` by DDIM over `steps` timesteps evenly spaced from schedule.steps - 1
    down to 0, then to x0; eta = 0 is deterministic given the seed's starting noise."""
    if not 1 <= steps <= schedule.steps:
        raise ValueError(f"ddim_sample: steps must be in 1..{schedule.steps}, got {steps}")
    timesteps = np.linspace(schedule.steps - 1, 0, steps).round().astype(int)
    pairs = list(zip(timesteps.tolist(), timesteps[1:].tolist() + [-1]))
    return _reverse(model, shape, pairs,
                    lambda eps, x, t, t_prev, noise: ddim_step(eps, x, t, t_prev, schedule, eta,
                                                               noise),
                    seed, progress, "DDIM")


def fit_diffusion(model, loader, schedule: NoiseSchedule, optimizer, epochs: int,
                  seed: int = 0, progress: bool = True) -> History:
    """Train the noise predictor `model` for `epochs` over the images (in [-1, 1]) of the
    loader's (images, labels) batches, each example at a timestep and noise drawn by
    np.random.default_rng(seed); the History of the mean loss per epoch."""
    rng, parameter = np.random.default_rng(seed), model.parameters()[0]
    history = History()
    model.train()
    for _ in tqdm(range(epochs), desc="epochs", disable=not progress):
        total, seen = 0.0, 0
        bar = tqdm(loader, desc="train", leave=False, disable=not progress)
        for batch in bar:
            images = batch[0] if isinstance(batch, (tuple, list)) else batch
            x0 = Tensor(images, device=parameter.device, dtype=parameter.dtype)
            t = rng.integers(0, schedule.steps, len(x0))
            noise = Tensor(rng.standard_normal(x0.shape), device=x0.device, dtype=x0.dtype)
            loss = diffusion_loss(model, x0, t, noise, schedule)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total, seen = total + loss.item() * len(x0), seen + len(x0)
            bar.set_postfix(loss=f"{loss.item():.4f}")
        history.train_loss.append(total / seen)
    return history
