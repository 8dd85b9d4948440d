"""`make bench`: seconds per training step of hw6's models, minidl's backends next to PyTorch.

The diffusion U-Net (generative.diffusion.UNet, base 32, time_dim 64, 1,000 steps) on a batch
of 128 noisy images 1x8x8 with a random timestep each, its loss the mean squared error of the
predicted noise; and the VAE (generative.autoencoder.VAE, latent 8, hidden 16) on a batch of
128 images in [0, 1], its loss the negative ELBO. Adam for both, float32, all threads. One
step is forward, loss, backward and update. Each framework takes STEPS steps after WARMUP
(which also compiles Numba's kernels on a cold cache), in turn, ROUNDS times over; its figure
is the least of its rounds' medians, and min..max of the medians shows the spread (a burst of
load from other work on a shared machine). PyTorch's models are the same networks, parameter
for parameter. "answer" is the model answer: every solution region, none of the kit's speed
files (what students train with).
"""
from __future__ import annotations

import os

import numpy as np

from steps import median_step, reference_and_answer, training_step, tune_allocator

mdl, answer = reference_and_answer()
tune_allocator()
WARMUP, STEPS, ROUNDS = 2, 10, 3
BATCH, BASE, TIME_DIM, DIFFUSION_STEPS, LATENT, HIDDEN = 128, 32, 64, 1000, 8, 16


def minidl_steps(mdl, device: str, images, t, noise, latent_noise):
    """The training steps of the U-Net and the VAE of the minidl package `mdl` on `device`."""
    os.environ["MINIDL_DEVICE"] = device
    mdl.init.manual_seed(0)
    diffusion, autoencoder = mdl.generative.diffusion, mdl.generative.autoencoder
    unet = diffusion.UNet(base=BASE, time_dim=TIME_DIM, steps=DIFFUSION_STEPS)
    schedule = diffusion.NoiseSchedule(diffusion.linear_beta_schedule(DIFFUSION_STEPS))
    x0, eps = mdl.Tensor(images * 2 - 1), mdl.Tensor(noise)
    unet_step = training_step(lambda: diffusion.diffusion_loss(unet, x0, t, eps, schedule),
                              mdl.optim.Adam(unet.parameters(), lr=1e-3))
    vae = autoencoder.VAE(latent_dim=LATENT, hidden=HIDDEN, seed=0)
    x, z_noise = mdl.Tensor(images), mdl.Tensor(latent_noise)

    def vae_loss():
        logits, mu, logvar = vae(x, noise=z_noise)
        return autoencoder.vae_loss(logits, x, mu, logvar)

    vae_step = training_step(vae_loss, mdl.optim.Adam(vae.parameters(), lr=1e-3))

    def on_device(step):
        def run():
            os.environ["MINIDL_DEVICE"] = device  # new arrays go there
            step()
        return run

    sizes = [sum(p.numpy().size for p in m.parameters()) for m in (unet, vae)]
    return on_device(unet_step), on_device(vae_step), sizes


def torch_steps(torch, images, t, noise, latent_noise, sizes):
    """The training steps of the same two models in PyTorch (CPU), layer for layer; `sizes`
    the minidl models' numbers of parameters, which PyTorch's must match."""
    diffusion = mdl.generative.diffusion
    table = mdl.nn.embedding.sinusoidal_table(DIFFUSION_STEPS, TIME_DIM)
    alphas_cumprod = diffusion.NoiseSchedule(
        diffusion.linear_beta_schedule(DIFFUSION_STEPS)).alphas_cumprod
    nn = torch.nn
    torch.manual_seed(0)

    class ResBlock(nn.Module):
        def __init__(self, a, b):
            super().__init__()
            self.norm1, self.conv1 = nn.GroupNorm(8, a), nn.Conv2d(a, b, 3, padding=1)
            self.time_emb_proj = nn.Linear(TIME_DIM, b)
            self.norm2, self.conv2 = nn.GroupNorm(8, b), nn.Conv2d(b, b, 3, padding=1)
            self.conv_shortcut = nn.Conv2d(a, b, 1) if a != b else nn.Identity()

        def forward(self, x, emb):
            h = self.conv1(nn.functional.silu(self.norm1(x)))
            h = h + self.time_emb_proj(nn.functional.silu(emb))[:, :, None, None]
            return self.conv2(nn.functional.silu(self.norm2(h))) + self.conv_shortcut(x)

    class UNet(nn.Module):
        def __init__(self, base):
            super().__init__()
            self.register_buffer("table", torch.from_numpy(table).float())
            self.time_mlp = nn.Sequential(nn.Linear(TIME_DIM, TIME_DIM), nn.SiLU(),
                                          nn.Linear(TIME_DIM, TIME_DIM))
            self.conv_in = nn.Conv2d(1, base, 3, padding=1)
            self.down1 = ResBlock(base, base)
            self.downsample1 = nn.Conv2d(base, base, 3, stride=2, padding=1)
            self.down2 = ResBlock(base, 2 * base)
            self.downsample2 = nn.Conv2d(2 * base, 2 * base, 3, stride=2, padding=1)
            self.mid = ResBlock(2 * base, 2 * base)
            self.upsample = nn.Upsample(scale_factor=2)
            self.up2, self.up1 = ResBlock(4 * base, 2 * base), ResBlock(3 * base, base)
            self.norm_out, self.conv_out = nn.GroupNorm(8, base), nn.Conv2d(base, 1, 3, padding=1)

        def forward(self, x, t):
            emb = self.time_mlp(self.table[t])
            h1 = self.down1(self.conv_in(x), emb)
            h2 = self.down2(self.downsample1(h1), emb)
            h = self.mid(self.downsample2(h2), emb)
            h = self.up2(torch.cat([self.upsample(h), h2], 1), emb)
            h = self.up1(torch.cat([self.upsample(h), h1], 1), emb)
            return self.conv_out(nn.functional.silu(self.norm_out(h)))

    unet, abar = UNet(BASE), torch.from_numpy(alphas_cumprod[t]).float()[:, None, None, None]
    x0, eps, steps = torch.from_numpy(images * 2 - 1), torch.from_numpy(noise), torch.from_numpy(t)
    unet_step = training_step(
        lambda: nn.functional.mse_loss(unet(abar.sqrt() * x0 + (1 - abar).sqrt() * eps, steps),
                                       eps), torch.optim.Adam(unet.parameters(), lr=1e-3))

    class VAE(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(nn.Conv2d(1, HIDDEN, 3, 2, 1), nn.ReLU(),
                                         nn.Conv2d(HIDDEN, 2 * HIDDEN, 3, 2, 1), nn.ReLU(),
                                         nn.Flatten())
            self.to_mu = nn.Linear(8 * HIDDEN, LATENT)
            self.to_logvar = nn.Linear(8 * HIDDEN, LATENT)
            self.project = nn.Linear(LATENT, 8 * HIDDEN)
            self.layers = nn.Sequential(nn.ReLU(), nn.ConvTranspose2d(2 * HIDDEN, HIDDEN, 4, 2, 1),
                                        nn.ReLU(), nn.ConvTranspose2d(HIDDEN, 1, 4, 2, 1))

        def forward(self, x, noise):
            features = self.encoder(x)
            mu, logvar = self.to_mu(features), self.to_logvar(features)
            z = mu + (logvar / 2).exp() * noise
            return self.layers(self.project(z).reshape(-1, 2 * HIDDEN, 2, 2)), mu, logvar

    vae, x, z_noise = VAE(), torch.from_numpy(images), torch.from_numpy(latent_noise)

    def vae_loss():
        logits, mu, logvar = vae(x, z_noise)
        likelihood = nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        return (likelihood + 0.5 * (logvar.exp() + mu ** 2 - 1 - logvar).sum()) / len(x)

    vae_step = training_step(vae_loss, torch.optim.Adam(vae.parameters(), lr=1e-3))
    assert [sum(p.numel() for p in m.parameters()) for m in (unet, vae)] == sizes
    return unet_step, vae_step, sizes


def main() -> None:
    rng = np.random.default_rng(0)
    images = rng.random((BATCH, 1, 8, 8)).astype(np.float32)
    t = rng.integers(0, DIFFUSION_STEPS, BATCH)
    noise = rng.standard_normal((BATCH, 1, 8, 8)).astype(np.float32)
    latent_noise = rng.standard_normal((BATCH, LATENT)).astype(np.float32)
    steps = {"minidl NumPy": minidl_steps(mdl, "cpu", images, t, noise, latent_noise),
             "minidl Numba": minidl_steps(mdl, "cpu_numba", images, t, noise, latent_noise),
             "answer Numba": minidl_steps(answer, "cpu_numba", images, t, noise, latent_noise)}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        steps["PyTorch CPU"] = torch_steps(torch, images, t, noise, latent_noise,
                                           steps["minidl NumPy"][2])
    times = {name: ([], []) for name in steps}
    for _ in range(ROUNDS):
        for name, (unet_step, vae_step, _) in steps.items():
            times[name][0].append(median_step(unet_step, WARMUP, STEPS))
            times[name][1].append(median_step(vae_step, WARMUP, STEPS))
    unet_size, vae_size = steps["minidl NumPy"][2]
    print(f"U-Net {unet_size:,} parameters, VAE {vae_size:,}")
    print(f"Seconds per training step, batch {BATCH}, Adam: least (min..max) of {ROUNDS} rounds' "
          f"medians of {STEPS}; {os.cpu_count()} cores")
    print(f"  {'':14} {f'U-Net (8x8, base {BASE})':<40} {'VAE':<40}")
    for name, columns in times.items():
        cells = []
        for column, values in enumerate(columns):
            ratio = ""
            if torch is not None:
                ratio = f"({min(values) / min(times['PyTorch CPU'][column]):5.1f}x torch)"
            cells.append(f"{min(values):.4f} ({min(values):.4f}..{max(values):.4f}) {ratio}")
        print(f"  {name:14} {cells[0]:<40} {cells[1]}")
    if torch is None:
        print("  PyTorch CPU    not installed (make bench installs it)")


if __name__ == "__main__":
    main()
