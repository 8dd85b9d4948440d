"""Shared by hw7's graph checks (checks_graphs.py, hidden_graphs.py): random directed graphs
and their dense adjacency."""
import numpy as np


def directed_graph(rng, n: int) -> np.ndarray:
    """A random directed edge_index (2, E) on n >= 4 nodes, no self-loops: one node isolated,
    one with outgoing edges only, the others joined by one-way and two-way edges, in a
    random node numbering and edge order."""
    core = n - 2
    pairs = [(j, i) for j in range(core) for i in range(core) if j != i and rng.random() < 0.4]
    pairs += [(j, (j + 1) % core) for j in range(core) if (j, (j + 1) % core) not in pairs]
    pairs.append((core, int(rng.integers(core))))  # node `core` only sends; core + 1 isolated
    label = rng.permutation(n)
    edges = label[np.array(pairs).T]
    return edges[:, rng.permutation(edges.shape[1])]


def dense(edge_index, weight, n: int) -> np.ndarray:
    """A (n, n) with A[i, j] the sum of the weights (..., E) of the edges j -> i: any edge order
    gives the same A."""
    weight = np.asarray(weight, dtype=np.float64)
    a = np.zeros(weight.shape[:-1] + (n, n))
    np.add.at(np.moveaxis(a, (-2, -1), (0, 1)), (np.asarray(edge_index[1]),
                                                 np.asarray(edge_index[0])),
              np.moveaxis(weight, -1, 0))
    return a
