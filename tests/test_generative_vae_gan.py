"""hw6's autoencoder, VAE and GAN (minidl.generative.autoencoder and gan): the KL, the loss,
the reparameterization, sampling and interpolation, and the GAN's step, each against NumPy."""
import numpy as np
import pytest

from conftest import minidl_reference, tensor

mdl = minidl_reference()
ae, gan = mdl.generative.autoencoder, mdl.generative.gan
rng = np.random.default_rng(6)


def np_bce_with_logits(logits, targets):
    return np.logaddexp(0, logits) - logits * targets


def np_kl(mu, logvar):
    return 0.5 * (np.exp(logvar) + mu ** 2 - 1 - logvar).sum(1)


def images(n):
    return tensor(rng.random((n, 1, 8, 8)))


def test_parameter_counts_of_the_given_architectures():
    counts = {name: sum(p.numpy().size for p in model.parameters()) for name, model in
              [("autoencoder", ae.Autoencoder()), ("vae", ae.VAE()),
               ("generator", gan.Generator()), ("discriminator", gan.Discriminator())]}
    assert counts == {"autoencoder": 15449, "vae": 16481, "generator": 26944,
                      "discriminator": 24961}


def test_autoencoder_shapes():
    model = ae.Autoencoder(latent_dim=5, hidden=4, dtype="float64")
    x = images(3)
    assert model.encode(x).shape == (3, 5)
    assert model(x).shape == (3, 1, 8, 8)
    with pytest.raises(ValueError, match=r"\(N, 1, 8, 8\).*\(3, 64\)"):
        model.encode(tensor(rng.random((3, 64))))


def test_gaussian_kl_matches_numpy_and_is_zero_at_the_prior():
    mu, logvar = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    kl = ae.gaussian_kl(tensor(mu), tensor(logvar))
    assert kl.shape == (4,)
    np.testing.assert_allclose(kl.numpy(), np_kl(mu, logvar), rtol=1e-12)
    np.testing.assert_array_equal(ae.gaussian_kl(tensor(np.zeros((2, 3))),
                                                 tensor(np.zeros((2, 3)))).numpy(), 0)
    with pytest.raises(ValueError, match=r"\(4, 3\) and \(4, 2\)"):
        ae.gaussian_kl(tensor(mu), tensor(logvar[:, :2]))


def test_vae_loss_matches_numpy_for_large_logits_too():
    logits = rng.standard_normal((3, 1, 8, 8)) * 30
    x, mu, logvar = rng.random((3, 1, 8, 8)), *rng.standard_normal((2, 3, 2))
    for beta in (1.0, 0.3):
        got = ae.vae_loss(tensor(logits), tensor(x), tensor(mu), tensor(logvar), beta=beta)
        expected = (np_bce_with_logits(logits, x).reshape(3, -1).sum(1)
                    + beta * np_kl(mu, logvar)).mean()
        np.testing.assert_allclose(got.item(), expected, rtol=1e-12)


def test_reparameterize_is_mu_plus_sigma_noise_and_seedable():
    mu, logvar, noise = (rng.standard_normal((3, 4)) for _ in range(3))
    model = ae.VAE(latent_dim=4, dtype="float64")
    z = model.reparameterize(tensor(mu), tensor(logvar), noise)
    np.testing.assert_allclose(z.numpy(), mu + np.exp(logvar / 2) * noise, rtol=1e-12)
    draws = [ae.VAE(latent_dim=4, seed=seed, dtype="float64").reparameterize(
        tensor(mu), tensor(logvar)).numpy() for seed in (7, 7, 8)]
    np.testing.assert_array_equal(draws[0], draws[1])
    assert not np.allclose(draws[0], draws[2])


def test_sample_reconstruct_interpolate_shapes_ranges_and_ends():
    model = ae.VAE(latent_dim=3, hidden=4, seed=0, dtype="float64")
    x = images(2)
    x0, x1 = tensor(x.numpy()[:1]), tensor(x.numpy()[1:])
    line = model.interpolate(x0, x1, 5).numpy()
    reconstructed = model.reconstruct(x).numpy()
    samples = model.sample(4).numpy()
    for array in (line, reconstructed, samples):
        assert ((array > 0) & (array < 1)).all()
    assert (line.shape, reconstructed.shape, samples.shape) == ((5, 1, 8, 8), (2, 1, 8, 8),
                                                                (4, 1, 8, 8))
    np.testing.assert_allclose(line[[0, -1]], reconstructed, rtol=1e-12)
    noise = rng.standard_normal((4, 3))
    np.testing.assert_array_equal(model.sample(4, noise=noise).numpy(),
                                  model.sample(4, noise=noise).numpy())
    with pytest.raises(ValueError, match=r"noise has shape \(4, 2\), expected \(4, 3\)"):
        model.sample(4, noise=noise[:, :2])


def test_fit_vae_lowers_the_loss_and_repeats_from_its_seeds():
    def run():
        mdl.init.manual_seed(0)
        model = ae.VAE(latent_dim=4, hidden=4, seed=1)
        loader = mdl.data.DataLoader(mdl.data.digits(True, test_size=1700), batch_size=16,
                                     shuffle=True, seed=2)
        optimizer = mdl.optim.Adam(model.parameters(), lr=0.01)
        return ae.fit_vae(model, loader, optimizer, 3, progress=False)

    history = run()
    assert history.unit == "epoch" and len(history.train_loss) == 3
    assert history.train_loss[-1] < history.train_loss[0]
    assert run().train_loss == history.train_loss


def _gan(latent_dim=3):
    generator = gan.Generator(latent_dim, hidden=5, dtype="float64")
    discriminator = gan.Discriminator(hidden=6, dtype="float64")
    return generator, discriminator


def test_gan_losses_match_numpy_for_large_logits_too():
    real, fake = rng.standard_normal(5) * 500, rng.standard_normal(5) * 500
    np.testing.assert_allclose(
        gan.discriminator_loss(tensor(real), tensor(fake)).item(),
        np_bce_with_logits(real, 1).mean() + np_bce_with_logits(fake, 0).mean(), rtol=1e-12)
    np.testing.assert_allclose(gan.generator_loss(tensor(fake)).item(),
                               np_bce_with_logits(fake, 1).mean(), rtol=1e-12)


def _values(model):
    return [p.numpy().copy() for p in model.parameters()]


def test_gan_step_each_optimizer_moves_only_its_own_model():
    generator, discriminator = _gan()
    real, z = tensor(rng.random((4, 1, 8, 8)) * 2 - 1), tensor(rng.standard_normal((4, 3)))
    d_before, g_before = _values(discriminator), _values(generator)
    seen = {}

    class Spy(mdl.optim.SGD):
        def step(self):
            seen[self.name] = (_values(generator), _values(discriminator),
                               [p.grad is not None for p in self.other.parameters()])
            super().step()

    d_optimizer = Spy(discriminator.parameters(), lr=0.1)
    g_optimizer = Spy(generator.parameters(), lr=0.1)
    d_optimizer.name, d_optimizer.other = "d", generator
    g_optimizer.name, g_optimizer.other = "g", discriminator
    d_loss, g_loss = gan.gan_step(generator, discriminator, g_optimizer, d_optimizer, real, z)
    assert list(seen) == ["d", "g"]
    g_at_d_step, d_at_d_step, generator_has_grads = seen["d"]
    assert not any(generator_has_grads), "the discriminator's backward reached the generator"
    for before, at in zip(g_before + d_before, g_at_d_step + d_at_d_step):
        np.testing.assert_array_equal(before, at)
    g_at_g_step, d_at_g_step, _ = seen["g"]
    for before, at in zip(g_before, g_at_g_step):
        np.testing.assert_array_equal(before, at)
    d_after = _values(discriminator)
    for at, after in zip(d_at_g_step, d_after):  # the generator's step left D as D's step did
        np.testing.assert_array_equal(at, after)
    assert any(not np.array_equal(b, a) for b, a in zip(d_before, d_after))
    assert any(not np.array_equal(b, a) for b, a in zip(g_before, _values(generator)))
    # the losses: D's on the models before the step, G's through the updated D
    fresh_g, fresh_d = _gan()
    fresh_g.load_state_dict(dict(zip([n for n, _ in fresh_g.named_parameters()], g_before)))
    fresh_d.load_state_dict(dict(zip([n for n, _ in fresh_d.named_parameters()], d_before)))
    fake = fresh_g(z).numpy()
    real_logits, fake_logits = fresh_d(real).numpy(), fresh_d(tensor(fake)).numpy()
    np.testing.assert_allclose(d_loss, np_bce_with_logits(real_logits, 1).mean()
                               + np_bce_with_logits(fake_logits, 0).mean(), rtol=1e-12)
    np.testing.assert_allclose(g_loss, np_bce_with_logits(discriminator(tensor(fake)).numpy(),
                                                          1).mean(), rtol=1e-12)


def test_fit_gan_records_both_losses_and_repeats_from_its_seed():
    def run():
        mdl.init.manual_seed(0)
        generator, discriminator = _gan(4)
        loader = mdl.data.DataLoader(mdl.data.digits(True, test_size=1760), batch_size=8)
        return gan.fit_gan(generator, discriminator, loader,
                           mdl.optim.SGD(generator.parameters(), lr=0.05),
                           mdl.optim.SGD(discriminator.parameters(), lr=0.05), 2, 4, seed=3,
                           progress=False)

    history = run()
    assert len(history.train_loss) == len(history.generator_loss) == 2
    assert isinstance(history, mdl.train.History)
    assert run().generator_loss == history.generator_loss
