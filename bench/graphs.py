"""`make bench`: seconds per GCN training epoch and per bare scatter-add, minidl's backends next
to PyTorch.

The epoch: two GCNConv layers (nn.graph.GCNConv, 32 -> 64 -> 8 channels, ReLU between) over
every node of a generated graph of NODES nodes and EDGES directed edges (EDGES / 2 random
undirected pairs stored both ways), its loss the mean cross-entropy against random labels;
forward (gcn_norm included, as PyG recomputes it unless cached), backward and an Adam step,
float32, all threads. PyTorch's is the same computation written with index_select and
index_add_ (what PyG's GCNConv does), parameter for parameter. The bare scatter: EDGES rows of
COLUMNS numbers added into NODES rows by a random index, through each backend's scatter_add
primitive, np.add.at and torch's index_add_. Each takes STEPS calls after WARMUP (which also
compiles Numba's kernels on a cold cache), in turn, ROUNDS times over; its figure is the least
of its rounds' medians, and min..max of the medians shows the spread. "answer" is the model
answer: every solution region, none of the kit's speed files (what students train with).
"""
from __future__ import annotations

import os

import numpy as np

from steps import median_step, reference_and_answer, training_step, tune_allocator

mdl, answer = reference_and_answer()
tune_allocator()
WARMUP, STEPS, ROUNDS = 2, 10, 3
NODES, EDGES, FEATURES, HIDDEN, CLASSES = 10_000, 100_000, 32, 64, 8
COLUMNS = (16, 64)


def random_graph(rng) -> np.ndarray:
    """edge_index (2, EDGES): EDGES / 2 random pairs of distinct nodes, stored both ways."""
    pairs = rng.integers(0, NODES, (2, 2 * EDGES))
    pairs = pairs[:, pairs[0] != pairs[1]][:, :EDGES // 2]
    return np.concatenate([pairs, pairs[::-1]], axis=1)


def minidl_epoch(mdl, device: str, x, y, edge_index):
    """One GCN training epoch of the minidl package `mdl` on `device`."""
    os.environ["MINIDL_DEVICE"] = device
    mdl.init.manual_seed(0)
    nn = mdl.nn
    conv1, conv2 = nn.GCNConv(FEATURES, HIDDEN), nn.GCNConv(HIDDEN, CLASSES)
    features, loss_fn = mdl.Tensor(x), nn.SoftmaxLoss()

    def loss():
        return loss_fn(conv2(mdl.ops.relu(conv1(features, edge_index)), edge_index), y)

    params = conv1.parameters() + conv2.parameters()
    step = training_step(loss, mdl.optim.Adam(params, lr=0.01))

    def run():
        os.environ["MINIDL_DEVICE"] = device  # new arrays go there
        step()

    return run, sum(p.numpy().size for p in params)


def torch_epoch(torch, x, y, edge_index, size: int):
    """The same epoch in PyTorch (CPU): GCNConv as PyG writes it, with index_add_."""
    torch.manual_seed(0)
    nn = torch.nn
    edges = torch.from_numpy(edge_index)

    def gcn_norm():
        loops = torch.arange(NODES)
        source, target = torch.cat([edges[0], loops]), torch.cat([edges[1], loops])
        deg = torch.zeros(NODES).index_add_(0, target, torch.ones(len(target)))
        inverse_sqrt = deg.pow(-0.5).masked_fill(deg == 0, 0.0)
        return source, target, inverse_sqrt[source] * inverse_sqrt[target]

    class GCNConv(nn.Module):
        def __init__(self, a, b):
            super().__init__()
            self.lin, self.bias = nn.Linear(a, b, bias=False), nn.Parameter(torch.zeros(b))

        def forward(self, h):
            source, target, weight = gcn_norm()
            messages = self.lin(h).index_select(0, source) * weight[:, None]
            out = torch.zeros(NODES, messages.shape[1]).index_add_(0, target, messages)
            return out + self.bias

    conv1, conv2 = GCNConv(FEATURES, HIDDEN), GCNConv(HIDDEN, CLASSES)
    features, labels = torch.from_numpy(x), torch.from_numpy(y)
    params = list(conv1.parameters()) + list(conv2.parameters())
    assert sum(p.numel() for p in params) == size
    return training_step(lambda: nn.functional.cross_entropy(
        conv2(torch.relu(conv1(features))), labels), torch.optim.Adam(params, lr=0.01))


def scatter_calls(torch, rng, columns: int) -> dict:
    """One scatter-add of EDGES rows of `columns` numbers into NODES rows, by each way."""
    index = rng.integers(0, NODES, EDGES)
    rows = rng.standard_normal((EDGES, columns)).astype(np.float32)
    flat, out = rows.ravel(), np.zeros(NODES * columns, np.float32)
    calls = {"np.add.at": lambda: np.add.at(out.reshape(NODES, columns), index, rows)}
    for name, device in (("minidl NumPy", "cpu"), ("minidl Numba", "cpu_numba")):
        primitive = mdl.backends.device(device).kernels.scatter_add
        calls[name] = lambda primitive=primitive: primitive(flat, index, out, columns)
    if torch is not None:
        target, source = torch.zeros(NODES, columns), torch.from_numpy(rows)
        positions = torch.from_numpy(index)
        calls["PyTorch CPU"] = lambda: target.index_add_(0, positions, source)
    return calls


def spread(values: list[float], unit: float, digits: int) -> str:
    return (f"{min(values) * unit:.{digits}f} ({min(values) * unit:.{digits}f}.."
            f"{max(values) * unit:.{digits}f})")


def main() -> None:
    rng = np.random.default_rng(0)
    edge_index = random_graph(rng)
    x = rng.standard_normal((NODES, FEATURES)).astype(np.float32)
    y = rng.integers(0, CLASSES, NODES)
    epochs = {"minidl NumPy": minidl_epoch(mdl, "cpu", x, y, edge_index),
              "minidl Numba": minidl_epoch(mdl, "cpu_numba", x, y, edge_index),
              "answer Numba": minidl_epoch(answer, "cpu_numba", x, y, edge_index)}
    try:
        import torch
    except ImportError:
        torch = None
    size = epochs["minidl NumPy"][1]
    if torch is not None:
        epochs["PyTorch CPU"] = (torch_epoch(torch, x, y, edge_index, size), size)
    scatters = {columns: scatter_calls(torch, rng, columns) for columns in COLUMNS}
    times = {name: [] for name in epochs}
    scatter_times = {columns: {name: [] for name in calls} for columns, calls in scatters.items()}
    for _ in range(ROUNDS):
        for name, (epoch, _) in epochs.items():
            times[name].append(median_step(epoch, WARMUP, STEPS))
        for columns, calls in scatters.items():
            for name, call in calls.items():
                scatter_times[columns][name].append(median_step(call, WARMUP, STEPS))
    print(f"GCN: {NODES:,} nodes, {EDGES:,} edges, {FEATURES} -> {HIDDEN} -> {CLASSES} channels "
          f"({size:,} parameters); {os.cpu_count()} cores")
    print(f"Seconds per training epoch (forward, backward, Adam), float32: least (min..max) of "
          f"{ROUNDS} rounds' medians of {STEPS}")
    for name, values in times.items():
        ratio = f"({min(values) / min(times['PyTorch CPU']):5.1f}x torch)" if torch else ""
        print(f"  {name:14} {spread(values, 1, 4):<28} {ratio}")
    print(f"Milliseconds per scatter-add of {EDGES:,} rows into {NODES:,}, float32")
    print(f"  {'':14} " + "".join(f"{f'{c} columns':<36}" for c in COLUMNS))
    for name in scatters[COLUMNS[0]]:
        cells = []
        for columns in COLUMNS:
            values = scatter_times[columns][name]
            base = min(scatter_times[columns]["np.add.at"])
            cells.append(f"{spread(values, 1e3, 2)} ({base / min(values):4.1f}x add.at)")
        print(f"  {name:14} " + "".join(f"{cell:<36}" for cell in cells))
    if torch is None:
        print("  PyTorch CPU    not installed (make bench installs it)")


if __name__ == "__main__":
    main()
