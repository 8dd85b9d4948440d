"""hw6's diffusion: the noise schedules, q_sample, the loss, the DDPM and DDIM steps and
samplers, and the U-Net; each against NumPy formulas written here from the papers (Ho et al.
2020, Nichol & Dhariwal 2021, Song et al. 2021)."""
import math

import numpy as np
import pytest

from conftest import minidl_reference, tensor

mdl = minidl_reference()
D = mdl.generative.diffusion
rng = np.random.default_rng(6)


def tiny_unet(steps=20, channels=1, **kwargs):
    mdl.init.manual_seed(0)
    return D.UNet(channels=channels, base=8, time_dim=8, groups=2, steps=steps, dtype="float64",
                  **kwargs)


@pytest.mark.parametrize("steps", [1, 10, 1000])
def test_linear_schedule_runs_evenly_between_its_endpoints(steps):
    betas = D.linear_beta_schedule(steps, 1e-3, 0.05)
    assert betas.dtype == np.float64 and betas.shape == (steps,)
    assert betas[0] == 1e-3
    if steps > 1:
        assert betas[-1] == pytest.approx(0.05, rel=1e-12)
        np.testing.assert_allclose(np.diff(betas), (0.05 - 1e-3) / (steps - 1), rtol=1e-9)


@pytest.mark.parametrize("steps", [5, 50, 1000])
def test_cosine_schedule_follows_cos_squared_with_its_offset_and_clipping(steps):
    s = 0.008
    betas = D.cosine_beta_schedule(steps)
    f = lambda t: math.cos((t / steps + s) / (1 + s) * math.pi / 2) ** 2  # noqa: E731
    expected = [min(1 - f(t + 1) / f(t), 0.999) for t in range(steps)]
    np.testing.assert_allclose(betas, expected, rtol=1e-9, atol=1e-15)
    assert betas.max() <= 0.999 and betas[-1] == 0.999  # abar(T) = 0: the last beta clips
    abar = D.NoiseSchedule(betas).alphas_cumprod
    assert (np.diff(abar) < 0).all() and abar[0] == pytest.approx(f(1) / f(0))


def test_noise_schedule_holds_alphas_and_their_running_product():
    betas = rng.uniform(0.01, 0.2, 7)
    schedule = D.NoiseSchedule(betas)
    assert schedule.steps == 7
    np.testing.assert_array_equal(schedule.alphas, 1 - betas)
    np.testing.assert_allclose(schedule.alphas_cumprod,
                               [np.prod(1 - betas[:t + 1]) for t in range(7)], rtol=1e-14)
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        D.NoiseSchedule(np.full((2, 3), 0.1))
    with pytest.raises(ValueError, match="from 0.1 to 1"):
        D.NoiseSchedule([0.1, 1.0])


def test_q_sample_scales_each_example_by_its_own_timestep():
    schedule = D.NoiseSchedule(D.linear_beta_schedule(100))
    x0, noise = rng.standard_normal((3, 2, 4, 4)), rng.standard_normal((3, 2, 4, 4))
    t = np.array([0, 99, 40])
    got = D.q_sample(tensor(x0), t, tensor(noise), schedule).numpy()
    abar = schedule.alphas_cumprod
    np.testing.assert_allclose(got[0], math.sqrt(1 - 1e-4) * x0[0] + 0.01 * noise[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], math.sqrt(abar[99]) * x0[1]
                               + math.sqrt(1 - abar[99]) * noise[1], rtol=1e-12)
    np.testing.assert_allclose(got[2], math.sqrt(abar[40]) * x0[2]
                               + math.sqrt(1 - abar[40]) * noise[2], rtol=1e-12)
    with pytest.raises(IndexError, match="0..99"):
        D.q_sample(tensor(x0), np.array([0, 100, 1]), tensor(noise), schedule)
    with pytest.raises(ValueError, match=r"\(3,\)"):
        D.q_sample(tensor(x0), np.array([0, 1]), tensor(noise), schedule)


class TrueNoise(mdl.nn.Module):
    """A 'model' that returns the noise that made x_t: the perfect noise predictor."""

    def __init__(self, noise):
        self.noise = noise

    def forward(self, x, t):
        return self.noise


def test_the_loss_is_zero_for_the_true_noise_and_the_mse_otherwise():
    schedule = D.NoiseSchedule(D.cosine_beta_schedule(30))
    x0, noise = tensor(rng.standard_normal((4, 1, 3, 3))), tensor(rng.standard_normal((4, 1, 3, 3)))
    t = rng.integers(0, 30, 4)
    assert D.diffusion_loss(TrueNoise(noise), x0, t, noise, schedule).item() == 0
    other = tensor(rng.standard_normal((4, 1, 3, 3)))
    assert D.diffusion_loss(TrueNoise(other), x0, t, noise, schedule).item() == pytest.approx(
        ((other.numpy() - noise.numpy()) ** 2).mean(), rel=1e-12)


@pytest.mark.parametrize("t", [0, 1, 17, 29])
def test_with_the_true_noise_ddim_recovers_x0_and_ddpm_takes_the_posterior_mean(t):
    schedule = D.NoiseSchedule(D.cosine_beta_schedule(30))
    x0, eps = rng.standard_normal((2, 1, 4, 4)), rng.standard_normal((2, 1, 4, 4))
    x_t = D.q_sample(tensor(x0), np.full(2, t), tensor(eps), schedule)
    recovered = D.ddim_step(tensor(eps), x_t, t, -1, schedule).numpy()
    np.testing.assert_allclose(recovered, x0, rtol=1e-9, atol=1e-9)
    beta, alpha, abar = schedule.betas[t], schedule.alphas[t], schedule.alphas_cumprod[t]
    abar_prev = schedule.alphas_cumprod[t - 1] if t > 0 else 1.0
    posterior_mean = (math.sqrt(abar_prev) * beta / (1 - abar) * x0
                      + math.sqrt(alpha) * (1 - abar_prev) / (1 - abar) * x_t.numpy())
    zero = tensor(np.zeros_like(x0))
    np.testing.assert_allclose(D.ddpm_step(tensor(eps), x_t, t, schedule, zero).numpy(),
                               posterior_mean, rtol=1e-9, atol=1e-9)


def test_ddpm_adds_sqrt_beta_noise_except_at_the_last_step():
    schedule = D.NoiseSchedule(D.linear_beta_schedule(10))
    x, eps, noise = (tensor(rng.standard_normal((2, 1, 2, 2))) for _ in range(3))
    zero = tensor(np.zeros((2, 1, 2, 2)))
    for t in (0, 5):
        difference = (D.ddpm_step(eps, x, t, schedule, noise).numpy()
                      - D.ddpm_step(eps, x, t, schedule, zero).numpy())
        expected = 0 if t == 0 else math.sqrt(schedule.betas[t]) * noise.numpy()
        np.testing.assert_allclose(difference, expected, atol=1e-12)
    assert D.ddpm_step(eps, x, 0, schedule, None).shape == (2, 1, 2, 2)
    with pytest.raises(ValueError, match="noise"):
        D.ddpm_step(eps, x, 3, schedule, None)


def test_ddim_with_eta_adds_sigma_noise_of_song_et_al():
    schedule = D.NoiseSchedule(D.linear_beta_schedule(50))
    x, eps, noise = (rng.standard_normal((2, 1, 2, 2)) for _ in range(3))
    t, t_prev, eta = 40, 25, 0.6
    abar, abar_prev = schedule.alphas_cumprod[t], schedule.alphas_cumprod[t_prev]
    sigma = eta * math.sqrt((1 - abar_prev) / (1 - abar) * (1 - abar / abar_prev))
    x0 = (x - math.sqrt(1 - abar) * eps) / math.sqrt(abar)
    expected = (math.sqrt(abar_prev) * x0 + math.sqrt(1 - abar_prev - sigma ** 2) * eps
                + sigma * noise)
    got = D.ddim_step(tensor(eps), tensor(x), t, t_prev, schedule, eta, tensor(noise))
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-10)
    with pytest.raises(ValueError, match="noise"):
        D.ddim_step(tensor(eps), tensor(x), t, t_prev, schedule, eta)
    with pytest.raises(IndexError):
        D.ddim_step(tensor(eps), tensor(x), t, t, schedule)


def test_unet_keeps_the_shape_and_its_time_embedding_changes_the_output():
    model = tiny_unet()
    x = tensor(rng.standard_normal((3, 1, 8, 8)))
    out = model(x, np.array([0, 5, 19]))
    assert out.shape == (3, 1, 8, 8) and out.dtype == "float64"
    same_t = model(x, np.array([0, 0, 0])).numpy()
    assert not np.allclose(out.numpy()[1:], same_t[1:])
    np.testing.assert_allclose(out.numpy()[0], same_t[0], rtol=1e-12)
    assert model(tensor(rng.standard_normal((2, 1, 4, 4))), np.array([1, 2])).shape == (2, 1, 4, 4)
    with pytest.raises(ValueError, match=r"\(2, 1, 6, 6\)"):
        model(tensor(np.zeros((2, 1, 6, 6))), np.array([1, 2]))


def test_unet_trains_every_parameter():
    model = tiny_unet(channels=2)
    schedule = D.NoiseSchedule(D.linear_beta_schedule(20))
    x0, noise = tensor(rng.standard_normal((2, 2, 4, 4))), tensor(rng.standard_normal((2, 2, 4, 4)))
    D.diffusion_loss(model, x0, np.array([3, 11]), noise, schedule).backward()
    missing = [name for name, p in model.named_parameters() if p.grad is None
               or not np.abs(p.grad.numpy()).any()]
    assert not missing


@pytest.mark.parametrize("sampler", ["ddpm", "ddim", "ddim eta"])
def test_samplers_are_reproducible_from_their_seed(sampler):
    model, schedule = tiny_unet(steps=6), D.NoiseSchedule(D.linear_beta_schedule(6, 0.05, 0.3))
    sample = {"ddpm": lambda seed: D.ddpm_sample(model, (2, 1, 8, 8), schedule, seed, False),
              "ddim": lambda seed: D.ddim_sample(model, (2, 1, 8, 8), schedule, 3, 0.0, seed,
                                                 False),
              "ddim eta": lambda seed: D.ddim_sample(model, (2, 1, 8, 8), schedule, 4, 1.0,
                                                     seed, False)}[sampler]
    first = sample(3)
    assert first.shape == (2, 1, 8, 8) and not first.requires_grad
    np.testing.assert_array_equal(sample(3).numpy(), first.numpy())
    assert not np.allclose(sample(4).numpy(), first.numpy())
    assert model.training


def test_ddim_visits_evenly_spaced_timesteps_then_x0():
    seen = []

    class Recorder(mdl.nn.Module):
        def __init__(self):
            self.weight = mdl.nn.Parameter(np.zeros(1), dtype="float64")

        def forward(self, x, t):
            seen.append(int(t[0]))
            return x * 0

    schedule = D.NoiseSchedule(D.linear_beta_schedule(100))
    D.ddim_sample(Recorder(), (1, 1, 2, 2), schedule, steps=5, progress=False)
    assert seen == [99, 74, 50, 25, 0]


def test_fit_diffusion_lowers_the_loss_of_a_tiny_unet():
    model, schedule = tiny_unet(steps=50), D.NoiseSchedule(D.cosine_beta_schedule(50))
    images = np.where(rng.random((16, 1, 8, 8)) < 0.5, -1.0, 1.0)
    images[:, :, :, :4] = -1.0  # a structure to learn: the left half is always dark
    loader = mdl.data.DataLoader(mdl.data.ArrayDataset(images, np.zeros(16)), batch_size=8,
                                 shuffle=True, seed=0)
    optimizer = mdl.optim.Adam(model.parameters(), lr=0.01)
    history = D.fit_diffusion(model, loader, schedule, optimizer, epochs=8, progress=False)
    assert history.unit == "epoch" and len(history.train_loss) == 8
    assert history.train_loss[-1] < 0.7 * history.train_loss[0]
