"""Hidden check: a small fixed-weight U-Net sampled by DDPM and DDIM from a given seed, and
two steps of fit_diffusion."""
import numpy as np

from autograder.checks import graded
from _hw6_inputs import random_parameters


@graded(points=2, number="5.3", visibility="after_due_date")
def diffusion_sampling(mdl, rng):
    """ddpm_sample over a 5-step schedule and ddim_sample (3 steps, eta 0 and eta > 0) from a
    given seed with a small fixed-weight UNet, then two steps of fit_diffusion with SGD"""
    diffusion = mdl.generative.diffusion
    model = random_parameters(mdl, diffusion.UNet(1, base=4, time_dim=6, groups=2, steps=12,
                                                  dtype="float64"), rng, 0.3)
    seed = int(rng.integers(0, 1000))
    short = diffusion.NoiseSchedule(diffusion.linear_beta_schedule(5, 0.05, 0.4))
    schedule = diffusion.NoiseSchedule(diffusion.cosine_beta_schedule(12))
    out = {"ddpm": diffusion.ddpm_sample(model, (2, 1, 8, 8), short, seed, progress=False),
           "ddim, eta 0": diffusion.ddim_sample(model, (2, 1, 8, 8), schedule, 3, 0.0, seed,
                                                progress=False),
           "ddim, eta 0.5": diffusion.ddim_sample(model, (2, 1, 8, 8), schedule, 3, 0.5, seed,
                                                  progress=False)}
    images = rng.uniform(-1, 1, (4, 1, 8, 8))
    loader = mdl.data.DataLoader(mdl.data.ArrayDataset(images, np.zeros(4)), batch_size=2)
    optimizer = mdl.optim.SGD(model.parameters(), lr=0.05)
    history = diffusion.fit_diffusion(model, loader, schedule, optimizer, epochs=1, seed=seed,
                                      progress=False)
    return out | {"fit_diffusion: loss": np.array(history.train_loss),
                  "fit_diffusion: conv_out.weight after": model.conv_out.weight}
