"""Shared by hw7's check files: float64 inputs and parameters that do not depend on
initialization, and gradients checked against central differences."""
import numpy as np

from autograder.compare import numerical_gradient


def random_parameters(mdl, module, rng, scale: float = 0.5):
    """Uniform(-scale, scale) values into every parameter of `module` (float64); the module."""
    for _, parameter in module.named_parameters():
        parameter.data = mdl.Tensor(rng.uniform(-scale, scale, parameter.shape),
                                    dtype="float64")
    return module


def tensor(mdl, rng, *shape, grad: bool = False):
    return mdl.Tensor(rng.standard_normal(shape), dtype="float64", requires_grad=grad)

def gradcheck(mdl, loss, arrays: dict) -> dict:
    """loss(**tensors)'s gradient w.r.t. each of `arrays` by backward ("analytic") and by
    central differences ("numerical"), and each gradient by name."""
    tensors = {name: mdl.Tensor(a, dtype="float64", requires_grad=True)
               for name, a in arrays.items()}
    loss(**tensors).backward()
    numerical = []
    for name, array in arrays.items():
        def of_one(v, name=name):
            xs = {k: mdl.Tensor(v if k == name else a, dtype="float64")
                  for k, a in arrays.items()}
            return loss(**xs).numpy().item()
        numerical.append(numerical_gradient(of_one, array).ravel())
    missing = [name for name, t in tensors.items() if t.grad is None]
    if missing:
        raise AssertionError(f"backward gave no gradient for {missing[0]}")
    out = {f"gradient of {name}": t.grad for name, t in tensors.items()}
    return out | {"analytic": np.concatenate([t.grad.numpy().ravel() for t in tensors.values()]),
                  "numerical": np.concatenate(numerical)}
