"""Section 3: diffusion (minidl/generative/diffusion.py): the noise schedules, q_sample, the
loss, the U-Net's ResBlock and skip connections, and one step of DDPM and of DDIM."""
import numpy as np

from autograder.checks import graded
from _hw6_inputs import random_parameters, tensor


def _schedule_hint(expected, got):
    """Name the clipping when the cosine schedule's last beta passes 0.999."""
    for name, betas in got.items():
        if name.startswith("cosine") and name.endswith("betas") and np.max(betas) > 0.999:
            return ("the cosine schedule's last beta is 1 - abar(T) / abar(T - 1) with abar(T) "
                    "= 0, so 1: the betas are clipped at 0.999")
    return None


@graded(points=2, number="3.1", hint=_schedule_hint)
def noise_schedules(mdl, rng):
    """linear_beta_schedule and cosine_beta_schedule of several lengths (endpoints and s given
    too), and NoiseSchedule's alphas and alphas_cumprod (10 and 1000 linear steps, and random
    betas)"""
    diffusion = mdl.generative.diffusion
    out = {}
    for steps in (2, 10, int(rng.integers(20, 200)), 1000):
        start, end = rng.uniform(1e-4, 1e-3), rng.uniform(0.01, 0.05)
        out |= {f"linear {steps} betas": diffusion.linear_beta_schedule(steps),
                f"linear {steps}, ends given, betas": diffusion.linear_beta_schedule(
                    steps, beta_start=start, beta_end=end)}
    for steps in (2, 10, int(rng.integers(20, 200)), 1000):
        out |= {f"cosine {steps} betas": diffusion.cosine_beta_schedule(steps),
                f"cosine {steps}, s given, betas": diffusion.cosine_beta_schedule(
                    steps, s=rng.uniform(0.001, 0.05))}
    for name in ("linear 10 betas", "linear 1000 betas"):  # an unclipped cosine one would raise
        schedule = diffusion.NoiseSchedule(out[name])
        out |= {f"{name}: alphas": schedule.alphas,
                f"{name}: alphas_cumprod": schedule.alphas_cumprod}
    schedule = diffusion.NoiseSchedule(rng.uniform(0.01, 0.3, 7))
    return out | {"random betas: alphas": schedule.alphas,
                  "random betas: alphas_cumprod": schedule.alphas_cumprod}


@graded(points=2, number="3.2")
def q_sample(mdl, rng):
    """q_sample with given noise and a timestep per example (0 and the last among them), on a
    linear and a cosine schedule, and its gradient with respect to x0"""
    diffusion = mdl.generative.diffusion
    out = {}
    for name, betas in (("linear", diffusion.linear_beta_schedule(100)),
                        ("cosine", diffusion.cosine_beta_schedule(40))):
        schedule = diffusion.NoiseSchedule(betas)
        t = rng.integers(0, schedule.steps, 5)
        t[:2] = 0, schedule.steps - 1
        x0, noise = tensor(mdl, rng, 5, 2, 3, 3, grad=True), tensor(mdl, rng, 5, 2, 3, 3)
        x_t = diffusion.q_sample(x0, t, noise, schedule)
        (x_t * tensor(mdl, rng, 5, 2, 3, 3)).sum().backward()
        out |= {f"{name}: x_t": x_t, f"{name}: gradient of x0": x0.grad}
    return out


def _timed_conv(mdl, rng, channels: int):
    """A stand-in noise predictor from hw4's Conv2d: conv(x) + t / 10, fixed weights."""

    class TimedConv(mdl.nn.Module):
        def __init__(self):
            self.conv = mdl.nn.Conv2d(channels, channels, 3, padding=1, dtype="float64")

        def forward(self, x, t):
            shift = np.asarray(t, dtype=np.float64).reshape(-1, 1, 1, 1) / 10
            return self.conv(x) + mdl.Tensor(shift, dtype="float64")

    return random_parameters(mdl, TimedConv(), rng)


@graded(points=3, number="3.3")
def diffusion_loss(mdl, rng):
    """diffusion_loss with a fixed-weight stand-in model and given noise and timesteps: the
    value and the gradient of the model's weights"""
    diffusion = mdl.generative.diffusion
    schedule = diffusion.NoiseSchedule(diffusion.cosine_beta_schedule(50))
    model = _timed_conv(mdl, rng, 2)
    x0, noise = tensor(mdl, rng, 4, 2, 4, 4), tensor(mdl, rng, 4, 2, 4, 4)
    t = rng.integers(0, 50, 4)
    t[0] = 0
    loss = diffusion.diffusion_loss(model, x0, t, noise, schedule)
    loss.backward()
    return {"loss": loss, "gradient of conv.weight": model.conv.weight.grad,
            "gradient of conv.bias": model.conv.bias.grad}


@graded(points=3, number="3.4")
def res_block(mdl, rng):
    """ResBlock with fixed weights, channels kept (4 -> 4) and changed (4 -> 6): the output
    and the gradients of the input, the time embedding and the weights"""
    out = {}
    for channels in (4, 6):
        block = random_parameters(mdl, mdl.generative.diffusion.ResBlock(
            4, channels, 5, groups=2, dtype="float64"), rng)
        x, emb = tensor(mdl, rng, 2, 4, 3, 3, grad=True), tensor(mdl, rng, 2, 5, grad=True)
        y = block(x, emb)
        (y * tensor(mdl, rng, 2, channels, 3, 3)).sum().backward()
        name = f"4 -> {channels}"
        out |= {f"{name}: output": y, f"{name}: gradient of x": x.grad,
                f"{name}: gradient of the time embedding": emb.grad,
                f"{name}: gradient of conv1.weight": block.conv1.weight.grad,
                f"{name}: gradient of time_emb_proj.weight": block.time_emb_proj.weight.grad,
                f"{name}: gradient of norm2.weight": block.norm2.weight.grad}
        if block.conv_shortcut is not None:
            out[f"{name}: gradient of conv_shortcut.weight"] = block.conv_shortcut.weight.grad
    return out


@graded(points=3, number="3.5")
def unet(mdl, rng):
    """a small UNet (base 4, 2 groups) with fixed weights on 8x8 images of one channel and
    4x4 images of two: the predicted noise, and the gradients of the images and of the first
    block's and the time MLP's weights"""
    out = {}
    for channels, size in ((1, 8), (2, 4)):
        model = random_parameters(mdl, mdl.generative.diffusion.UNet(
            channels, base=4, time_dim=6, groups=2, steps=30, dtype="float64"), rng)
        x = tensor(mdl, rng, 3, channels, size, size, grad=True)
        eps = model(x, rng.integers(0, 30, 3))
        (eps * tensor(mdl, rng, 3, channels, size, size)).sum().backward()
        name = f"{channels} channel{'s' if channels > 1 else ''}, {size}x{size}"
        out |= {f"{name}: output": eps, f"{name}: gradient of x": x.grad,
                f"{name}: gradient of down1.conv1.weight": model.down1.conv1.weight.grad,
                f"{name}: gradient of time_mlp.0.weight": model.time_mlp[0].weight.grad}
    return out


def _step_hint(expected, got):
    """Name the t = 0 rule when only DDPM's last step differs."""
    def same(key):
        return np.shape(expected[key]) == np.shape(got[key]) and np.allclose(
            expected[key], got[key], rtol=1e-7, atol=1e-9)

    ddpm = [k for k in expected if k.startswith("ddpm")]
    if [k for k in ddpm if not same(k)] == ["ddpm t = 0"]:
        return "DDPM's last step (t = 0) returns the mean: it adds no noise"
    return None


@graded(points=3, number="3.6", hint=_step_hint)
def sampler_steps(mdl, rng):
    """one ddpm_step (at t = 0, the last t and one between) and one ddim_step (eta 0 and eta
    > 0, to an earlier t and to t_prev = -1) with given eps and noise"""
    diffusion = mdl.generative.diffusion
    schedule = diffusion.NoiseSchedule(diffusion.cosine_beta_schedule(40))
    x, eps, noise = (tensor(mdl, rng, 2, 1, 3, 3) for _ in range(3))
    middle = int(rng.integers(1, 39))
    out = {f"ddpm t = {t}": diffusion.ddpm_step(eps, x, t, schedule, noise)
           for t in (0, middle, 39)}
    t, t_prev = int(rng.integers(21, 40)), int(rng.integers(1, 20))  # never t - 1
    eta = float(rng.uniform(0.3, 1.0))
    for name, (a, b) in {"earlier t": (t, t_prev), "t_prev = -1": (t_prev, -1)}.items():
        out |= {f"ddim to {name}, eta 0": diffusion.ddim_step(eps, x, a, b, schedule, 0.0, noise),
                f"ddim to {name}, eta > 0": diffusion.ddim_step(eps, x, a, b, schedule, eta,
                                                                noise)}
    return out
