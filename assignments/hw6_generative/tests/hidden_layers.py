"""Hidden check: the layers chained as a small decoder, its output, loss and gradients."""
from autograder.checks import graded
from _hw6_inputs import random_parameters, tensor


@graded(points=3, number="5.1", visibility="after_due_date")
def small_decoder(mdl, rng):
    """a decoder from (N, 4, 2, 2) codes to 8x8 logits: ConvTranspose2d (stride 2), GroupNorm,
    SiLU, Upsample and a stride-1 ConvTranspose2d; its logits, BCE-with-logits loss and the
    gradients of the code and the first weight"""
    nn = mdl.nn
    first = nn.ConvTranspose2d(4, 6, 4, stride=2, padding=1, dtype="float64")
    decoder = random_parameters(mdl, nn.Sequential(
        first, nn.GroupNorm(3, 6, dtype="float64"), nn.SiLU(), nn.Upsample(scale_factor=2),
        nn.ConvTranspose2d(6, 1, 3, padding=1, dtype="float64")), rng)
    z = tensor(mdl, rng, 2, 4, 2, 2, grad=True)
    logits = decoder(z)
    loss = nn.BCEWithLogitsLoss(reduction="sum")(logits, mdl.Tensor(
        rng.random((2, 1, 8, 8)), dtype="float64"))
    loss.backward()
    return {"logits": logits, "loss": loss, "code gradient": z.grad,
            "first weight gradient": first.weight.grad}
