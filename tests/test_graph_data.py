"""hw7's graph data: DataLoader's collate_fn, Zachary's karate club, GraphListDataset and the
generated two-ring classification set (its labels against breadth-first distances, and that one
round of message passing sees the same neighbourhoods in both classes)."""
from collections import Counter, deque

import numpy as np
import pytest

from conftest import minidl_reference

mdl = minidl_reference()
data = mdl.data


def test_dataloader_collate_fn_gets_each_batchs_list_of_examples():
    dataset = data.ArrayDataset(np.arange(5.0), np.arange(5) * 10)
    batches = list(data.DataLoader(dataset, batch_size=2, collate_fn=list))
    assert [[(float(x), int(y)) for x, y in batch] for batch in batches] == [
        [(0, 0), (1, 10)], [(2, 20), (3, 30)], [(4, 40)]]
    x, y = next(iter(data.DataLoader(dataset, batch_size=2)))  # None keeps the stacked Tensors
    assert isinstance(x, mdl.Tensor) and x.dtype == "float32" and y.numpy().tolist() == [0, 10]


def test_graphs_batch_through_the_dataloader_with_batch_graphs():
    graphs = [data.Graph(np.full((n, 2), n), [[0], [n - 1]], y=[n]) for n in (1, 2, 3)]
    loader = data.DataLoader(data.GraphListDataset(graphs), batch_size=2, shuffle=True, seed=0,
                             collate_fn=data.batch_graphs)
    batches = list(loader)
    assert len(loader) == len(batches) == 2
    assert sorted(int(y) for batch in batches for y in batch.y) == [1, 2, 3]
    first = batches[0]
    assert first.num_graphs == 2 and first.x.shape == (len(first.batch), 2)
    sizes = np.bincount(first.batch)
    assert sizes.tolist() == first.y.tolist()  # each graph's node count is its label here
    assert np.all(first.x.numpy()[:, 0] == np.repeat(first.y, sizes))


def test_graph_list_dataset_indexes_its_graphs():
    graphs = data.motif_graphs(3)
    dataset = data.GraphListDataset(graphs)
    assert len(dataset) == 3 and dataset[1] is graphs[1]


def test_karate_club_is_zacharys_network_and_its_split():
    club = data.karate_club()
    assert club.num_nodes == 34 and club.num_edges == 2 * 78
    assert np.array_equal(club.x.numpy(), np.eye(34))
    pairs = {tuple(edge) for edge in club.edge_index.T}
    assert len(pairs) == 156 and all((j, i) in pairs for i, j in pairs)  # both ways, no repeats
    assert all(i != j for i, j in pairs)
    degrees = np.bincount(club.edge_index[1], minlength=34)
    # the instructor (0) and the administrator (33) have the most friends; 11 has one
    assert (degrees[0], degrees[33], degrees[32], degrees[11]) == (16, 17, 12, 1)
    assert degrees.min() == 1 and sorted(degrees)[-3:] == [12, 16, 17]
    assert club.y.dtype == np.int64 and np.bincount(club.y).tolist() == [17, 17]
    assert club.y[0] == 0 and club.y[33] == 1
    assert club.y[8] == 0 and club.y[9] == 1  # the two members networkx's docs name


def _distance(graph, source: int, target: int) -> float:
    """Breadth-first distance from source to target (inf if unreachable)."""
    neighbours = [[] for _ in range(graph.num_nodes)]
    for j, i in graph.edge_index.T:
        neighbours[j].append(i)
    seen, queue = {source: 0}, deque([source])
    while queue:
        node = queue.popleft()
        for other in neighbours[node]:
            if other not in seen:
                seen[other] = seen[node] + 1
                queue.append(other)
    return seen.get(target, np.inf)


def test_motif_graphs_labels_are_the_red_to_blue_distance():
    graphs = data.motif_graphs(200, seed=3)
    labels = np.array([int(g.y[0]) for g in graphs])
    assert np.bincount(labels).tolist() == [100, 100]
    distances = set()
    for graph, label in zip(graphs, labels):
        kinds = graph.x.numpy().argmax(1)
        assert np.array_equal(graph.x.numpy(), np.eye(3)[kinds])
        assert 9 <= graph.num_nodes <= 16 and np.bincount(kinds, minlength=3)[1:].tolist() == [1, 1]
        assert graph.num_edges == 2 * graph.num_nodes  # rings: every node has two neighbours
        distance = _distance(graph, int(np.flatnonzero(kinds == 1)[0]),
                             int(np.flatnonzero(kinds == 2)[0]))
        assert distance == (3 if label else np.inf), (label, distance)
        distances.add(distance)
    assert distances == {3, np.inf}


def test_one_hop_neighbourhoods_do_not_tell_the_classes_apart():
    # each node's colour with its neighbours' colours: the same counts, given the node count
    stars = {}
    for graph in data.motif_graphs(100, seed=1):
        kinds = graph.x.numpy().argmax(1)
        neighbours = [[] for _ in range(graph.num_nodes)]
        for j, i in graph.edge_index.T:
            neighbours[i].append(kinds[j])
        counts = Counter((kinds[i], tuple(sorted(neighbours[i]))) for i in range(graph.num_nodes))
        stars.setdefault(graph.num_nodes, set()).add(frozenset(counts.items()))
    assert all(len(seen) == 1 for seen in stars.values()), stars


def test_motif_graphs_are_deterministic_from_the_seed():
    def key(graphs):
        return [(g.x.numpy().tobytes(), g.edge_index.tobytes(), int(g.y[0])) for g in graphs]
    assert key(data.motif_graphs(20, seed=5)) == key(data.motif_graphs(20, seed=5))
    assert key(data.motif_graphs(20, seed=5)) != key(data.motif_graphs(20, seed=6))
    with pytest.raises(ValueError, match="n >= 1 graphs, got 0"):
        data.motif_graphs(0)
