"""Section 4: the GAN: the two players' losses and one training step of each
(minidl/generative/gan.py)."""
import numpy as np

from autograder.checks import graded
from _hw6_inputs import large_logits_hint, random_parameters, tensor


@graded(points=2, number="4.1", rtol=1e-10, atol=1e-12, hint=large_logits_hint)
def gan_losses(mdl, rng):
    """discriminator_loss (real against 1, fake against 0, each a batch mean) and the
    non-saturating generator_loss (fake against 1), with their gradients; logits in the
    hundreds too"""
    gan = mdl.generative.gan
    out = {}
    for case, scale in (("", 2.0), ("large logits: ", 500.0)):
        real = mdl.Tensor(rng.standard_normal(5) * scale, dtype="float64", requires_grad=True)
        fake = mdl.Tensor(rng.standard_normal(3) * scale, dtype="float64", requires_grad=True)
        d_loss = gan.discriminator_loss(real, fake)
        d_loss.backward()
        out |= {f"{case}discriminator loss": d_loss, f"{case}real logits grad": real.grad,
                f"{case}fake logits grad": fake.grad}
        fake.grad = None
        g_loss = gan.generator_loss(fake)
        g_loss.backward()
        out |= {f"{case}generator loss": g_loss, f"{case}generator loss grad": fake.grad}
    return out


def _values(model) -> np.ndarray:
    return np.concatenate([p.numpy().ravel() for p in model.parameters()])


def _grads(model) -> list:
    return [None if p.grad is None else p.grad.numpy() for p in model.parameters()]


def _spying_sgd(mdl, parameters, watched, lr: float):
    """An SGD that notes in `seen`, at each step, the `watched` model's parameters and how
    many of them gained a gradient since `grads_before` (which the check sets before each
    gan_step: a correct gan_step may zero them first, or leave them as they were)."""

    class Spy(mdl.optim.SGD):
        def step(self):
            gained = sum(now is not None and bool(np.any(now))
                         and (old is None or not np.array_equal(now, old))
                         for now, old in zip(_grads(watched), self.grads_before))
            self.seen.append((_values(watched), int(gained)))
            super().step()

    spy = Spy(parameters, lr=lr)
    spy.seen, spy.grads_before = [], [None] * len(watched.parameters())
    return spy


@graded(points=3, number="4.2", rtol=1e-9, atol=1e-12)
def gan_step(mdl, rng):
    """two gan_steps with SGD: the returned losses and both models' parameters after each;
    the discriminator's step first, on the fake detached (its backward gives the generator
    no gradient)"""
    gan = mdl.generative.gan
    generator = random_parameters(mdl, gan.Generator(3, hidden=5, dtype="float64"), rng)
    discriminator = random_parameters(mdl, gan.Discriminator(hidden=6, dtype="float64"), rng)
    d_optimizer = _spying_sgd(mdl, discriminator.parameters(), generator, 0.3)
    g_optimizer = _spying_sgd(mdl, generator.parameters(), discriminator, 0.3)
    out = {}
    for step in (1, 2):
        g_before = _values(generator)
        d_optimizer.grads_before = _grads(generator)
        real = mdl.Tensor(rng.uniform(-1, 1, (4, 1, 8, 8)), dtype="float64")
        d_loss, g_loss = gan.gan_step(generator, discriminator, g_optimizer, d_optimizer,
                                      real, tensor(mdl, rng, 4, 3))
        if len(d_optimizer.seen) != step or len(g_optimizer.seen) != step:
            raise AssertionError(f"after {step} gan_step(s), d_optimizer.step() ran "
                                 f"{len(d_optimizer.seen)} and g_optimizer.step() "
                                 f"{len(g_optimizer.seen)} times; expected once each per "
                                 "gan_step")
        generator_at_d_step, generator_gained = d_optimizer.seen[-1]
        out |= {f"step {step}: losses": np.array([d_loss, g_loss]),
                f"step {step}: discriminator after": _values(discriminator),
                f"step {step}: generator after": _values(generator),
                f"step {step}: generator's parameters given a gradient by the discriminator's "
                "backward (the fake not detached?)": np.array(generator_gained),
                f"step {step}: generator changed before the discriminator's step":
                    np.array(not np.array_equal(g_before, generator_at_d_step))}
    return out
