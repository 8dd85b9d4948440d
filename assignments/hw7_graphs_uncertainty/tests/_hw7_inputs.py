"""Shared by hw7's check files: float64 inputs and parameters that do not depend on
initialization."""


def random_parameters(mdl, module, rng, scale: float = 0.5):
    """Uniform(-scale, scale) values into every parameter of `module` (float64); the module."""
    for _, parameter in module.named_parameters():
        parameter.data = mdl.Tensor(rng.uniform(-scale, scale, parameter.shape),
                                    dtype="float64")
    return module


def tensor(mdl, rng, *shape, grad: bool = False):
    return mdl.Tensor(rng.standard_normal(shape), dtype="float64", requires_grad=grad)
