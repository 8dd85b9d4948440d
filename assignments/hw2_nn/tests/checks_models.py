"""Section 6: MLPResNet and a short, deterministic training run."""
import numpy as np

from autograder.checks import graded


def _load_all(model, rng):
    state = {name: rng.standard_normal(value.shape).astype("float32") * 0.3
             for name, value in model.state_dict().items()
             if not name.endswith(("running_mean", "running_var", "num_batches_tracked"))}
    model.load_state_dict(state, strict=False)


@graded(points=2, number="6.1")
def mlp_resnet_structure(mdl, rng):
    """MLPResNet has needle's layers, in PyTorch's naming, and the right output in eval mode"""
    dim, hidden, blocks, classes = 12, int(rng.choice([8, 16])), int(rng.integers(1, 4)), 5
    model = mdl.models.MLPResNet(dim, hidden_dim=hidden, num_blocks=blocks, num_classes=classes)
    names = "|".join(f"{k}:{'x'.join(map(str, v.shape))}" for k, v in model.state_dict().items())
    _load_all(model, rng)
    model.eval()
    out = model(mdl.Tensor(rng.standard_normal((4, 3, 4)).astype("float32")))
    return {"state dict": np.frombuffer(names.encode(), np.uint8),
            "parameters": sum(int(np.prod(p.shape)) for p in model.parameters()), "out": out}


@graded(points=3, number="6.2", rtol=2e-3, atol=2e-4, timeout=120)
def training_run(mdl, rng):
    """two epochs of SGD on 200 digits, without shuffling or dropout, from fixed weights"""
    images, labels = mdl.data.load_digits()
    chosen = np.sort(rng.choice(len(labels), 200, replace=False))
    loader = mdl.data.DataLoader(mdl.data.ArrayDataset(images[chosen], labels[chosen]),
                                 batch_size=50)
    model = mdl.models.MLPResNet(64, hidden_dim=16, num_blocks=1, drop_prob=0.0)
    _load_all(model, rng)
    optimizer = mdl.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    losses = [mdl.train.train_epoch(model, loader, optimizer, progress=False) for _ in range(2)]
    test = mdl.train.evaluate(model, loader, progress=False)
    return {"train loss, accuracy": np.array(losses), "eval loss, accuracy": np.array(test)}
