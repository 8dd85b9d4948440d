"""Hidden check: a small CNN (Conv2d, BatchNorm2d, ReLU, MaxPool2d), its loss and parameter
gradients."""
from autograder.checks import graded


@graded(points=3, number="5.1", visibility="after_due_date")
def small_cnn_gradients(mdl, rng):
    """Conv2d, BatchNorm2d, ReLU and MaxPool2d in sequence: loss and parameter gradients"""
    model = mdl.nn.Sequential(mdl.nn.Conv2d(2, 3, 3, padding=1, dtype="float64"),
                              mdl.nn.BatchNorm2d(3, dtype="float64"), mdl.nn.ReLU(),
                              mdl.nn.MaxPool2d(2))
    for _, parameter in model.named_parameters():
        parameter.data = mdl.Tensor(rng.uniform(-0.5, 0.5, parameter.shape), dtype="float64")
    x = mdl.Tensor(rng.standard_normal((2, 2, 6, 6)), dtype="float64")
    loss = (model(x) ** 2).sum()
    loss.backward()
    return {"loss": loss, **{f"grad {name}": p.grad for name, p in model.named_parameters()}}
