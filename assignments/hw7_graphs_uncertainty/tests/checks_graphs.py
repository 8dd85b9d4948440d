"""Section 2: graphs and graph layers: batch_graphs (minidl/data/graphs.py), gcn_norm, GCNConv,
SAGEConv, GATConv and the global pools (minidl/nn/graph.py), F.leaky_relu
(minidl/nn/activation.py). The graphs are DIRECTED (edge j -> i is edge_index[:, k] = (j, i);
messages are aggregated at the target i) with an isolated node and a node that only sends."""
import numpy as np

from autograder.checks import graded
from autograder.compare import agree
from _hw7_graph_inputs import dense, directed_graph
from _hw7_inputs import gradcheck, random_parameters, tensor


def _direction_hint(expected, got):
    """Recall where messages go when outputs differ (the commonest slip with graphs)."""
    return ("if the edges are the question: edge_index[0] holds the sources j and "
            "edge_index[1] the targets i, and a message "
            "x_j travels along j -> i and is aggregated AT THE TARGET i (these graphs are "
            "directed, so aggregating at the source or by out-degree gives other numbers)")


@graded(points=2, number="2.1")
def batch_graphs(mdl, rng):
    """batch_graphs of three directed graphs (4, 1 and 5 nodes: a one-node graph without edges
    in the middle) with graph labels and edge weights, and of two with node labels: x,
    edge_index offset by the nodes before each graph, the batch vector, y, edge_weight and
    num_graphs"""
    out = {}
    sizes = (4, 1, 5)
    graphs = []
    for size in sizes:
        edges = directed_graph(rng, size) if size > 1 else np.zeros((2, 0), dtype=np.int64)
        graphs.append(mdl.data.Graph(tensor(mdl, rng, size, 3), edges,
                                     y=int(rng.integers(2)),
                                     edge_weight=rng.uniform(0.5, 2, edges.shape[1])))
    batch = mdl.data.batch_graphs(graphs)
    out |= {"x": batch.x, "edge_index": np.asarray(batch.edge_index),
            "batch": np.asarray(batch.batch), "y": np.asarray(batch.y),
            "edge_weight": np.asarray(batch.edge_weight, dtype=np.float64),
            "num_graphs": np.array(batch.num_graphs)}
    nodes = [mdl.data.Graph(tensor(mdl, rng, 4, 2), directed_graph(rng, 4),
                            y=rng.integers(3, size=4)) for _ in range(2)]
    batch = mdl.data.batch_graphs(nodes)
    out |= {"node labels: edge_index": np.asarray(batch.edge_index),
            "node labels: batch": np.asarray(batch.batch), "node labels: y": np.asarray(batch.y)}
    return out


@graded(points=3, number="2.2", hint=_direction_hint)
def gcn_norm(mdl, rng):
    """gcn_norm on a directed graph of 7 nodes with an isolated node and a node without
    incoming edges, with and without self-loops, without and with edge weights: the
    normalized adjacency D^-1/2 (A + I) D^-1/2 (A[i, j] the weight of j -> i, D the weighted
    IN-degrees) formed from the returned edges and weights"""
    n = 7
    edges = directed_graph(rng, n)
    weight = rng.uniform(0.5, 2, edges.shape[1])
    out = {}
    for loops in (True, False):
        for name, w in (("unweighted", None), ("weighted", weight)):
            ei, norm = mdl.nn.gcn_norm(edges, None if w is None else w.copy(), n,
                                       add_self_loops=loops)
            out[f"{name}, add_self_loops={loops}"] = dense(ei, norm, n)
    return out


@graded(points=3, number="2.3", hint=_direction_hint)
def gcn_conv_forward(mdl, rng):
    """GCNConv (3 -> 2) on a directed graph of 7 nodes: with self-loops, with edge weights,
    without self-loops (a node with no incoming edge), without normalization, without bias"""
    n = 7
    edges = directed_graph(rng, n)
    weight = rng.uniform(0.5, 2, edges.shape[1])
    x = tensor(mdl, rng, n, 3)
    out = {}
    for name, options, w in (("default", {}, None), ("edge weights", {}, weight),
                             ("add_self_loops=False", {"add_self_loops": False}, None),
                             ("normalize=False, edge weights", {"normalize": False}, weight),
                             ("bias=False", {"bias": False}, None)):
        layer = random_parameters(mdl, mdl.nn.GCNConv(3, 2, dtype="float64", **options), rng)
        out[name] = layer(x, edges, None if w is None else w.copy())
    return out


# Central differences carry rounding of about 1e-16 |loss| / 1e-6 each: the goldens of these
# checks (which include them) are compared at 1e-6
@graded(points=2, number="2.4", verify=agree("analytic", "numerical", rtol=1e-5, atol=1e-7),
        rtol=1e-6, atol=1e-6, hint=_direction_hint)
def gcn_conv_gradients(mdl, rng):
    """numerical check: the gradients of a GCNConv (3 -> 2, edge weights) w.r.t. x, lin.weight
    and bias on a directed graph of 6 nodes"""
    n = 6
    edges = directed_graph(rng, n)
    weight = rng.uniform(0.5, 2, edges.shape[1])
    upstream = tensor(mdl, rng, n, 2)
    layer = mdl.nn.GCNConv(3, 2, dtype="float64")

    def loss(x, lin_weight, bias):
        layer.lin.weight, layer.bias = lin_weight, bias
        return (layer(x, edges, weight.copy()) * upstream).sum()

    return gradcheck(mdl, loss, {"x": rng.standard_normal((n, 3)),
                                  "lin_weight": rng.standard_normal((2, 3)),
                                  "bias": rng.standard_normal(2)})


@graded(points=3, number="2.5", hint=_direction_hint)
def sage_conv(mdl, rng):
    """SAGEConv (3 -> 2) on a directed graph of 7 nodes (a node without incoming edges
    aggregates 0): aggr mean, sum and max, root_weight=False, bias=False, and the gradient of
    x through the mean and the max"""
    n = 7
    edges = directed_graph(rng, n)
    out = {}
    for name, options in (("mean", {}), ("sum", {"aggr": "sum"}), ("max", {"aggr": "max"}),
                          ("root_weight=False", {"root_weight": False}),
                          ("bias=False", {"bias": False})):
        layer = random_parameters(mdl, mdl.nn.SAGEConv(3, 2, dtype="float64", **options), rng)
        x = tensor(mdl, rng, n, 3, grad=True)
        y = layer(x, edges)
        out[name] = y
        if name in ("mean", "max"):
            (y * tensor(mdl, rng, n, 2)).sum().backward()
            out[f"{name}: gradient of x"] = x.grad
    return out


def _attention_hint(expected, got):
    """Name the softmax's groups when the attention of a target does not sum to 1."""
    for name, value in got.items():
        if name.endswith("attention per target") and not np.allclose(value, 1):
            return ("alpha must be a softmax over the edges ENTERING each target node "
                    "(segment_softmax over edge_index[1], with the self-loops), per head: "
                    "each target's alphas sum to 1")
    return _direction_hint(expected, got)


@graded(points=4, number="2.6", hint=_attention_hint)
def gat_conv(mdl, rng):
    """GATConv (3 -> 2) on a directed graph of 7 nodes with one existing self-loop: one head,
    3 heads concatenated, 3 heads averaged (concat=False), 2 heads without self-loops (a node
    without incoming edges), negative_slope 0.1, dropout 0.5 in eval mode; the attention
    weights (return_attention_weights) as a dense matrix per head and their sum per target;
    in training mode, whether each attention weight is dropped or doubled; F.leaky_relu"""
    n = 7
    edges = directed_graph(rng, n)
    looped = int(edges[1, 0])
    edges = np.concatenate([edges, [[looped], [looped]]], axis=1)
    x = tensor(mdl, rng, n, 3)
    out = {}
    for name, options in (("one head", {}), ("3 heads concatenated", {"heads": 3}),
                          ("3 heads averaged", {"heads": 3, "concat": False}),
                          ("2 heads, add_self_loops=False", {"heads": 2,
                                                             "add_self_loops": False}),
                          ("negative_slope 0.1", {"negative_slope": 0.1}),
                          ("dropout 0.5, eval mode", {"heads": 2, "dropout": 0.5})):
        layer = random_parameters(mdl, mdl.nn.GATConv(3, 2, dtype="float64", **options), rng)
        layer.eval()
        y, (ei, alpha) = layer(x, edges, return_attention_weights=True)
        alpha = alpha.numpy() if hasattr(alpha, "numpy") else np.asarray(alpha)
        out[name] = y
        attention = dense(ei, np.asarray(alpha, dtype=np.float64).T.reshape(-1, len(ei[0])), n)
        out[f"{name}: attention"] = attention
        entered = np.isin(np.arange(n), np.asarray(ei)[1])
        out[f"{name}: attention per target"] = attention.sum(-1)[:, entered]
    # the last layer (dropout 0.5) in training mode: each alpha dropped (0) or scaled by
    # 1 / (1 - p), whatever was drawn
    _, (ei, kept) = layer.train()(x, edges, return_attention_weights=True)
    kept = kept.numpy() if hasattr(kept, "numpy") else np.asarray(kept)
    kept = dense(ei, np.asarray(kept, dtype=np.float64).T.reshape(-1, len(ei[0])), n)
    edges_in = attention > 0
    dropped = np.isclose(kept[edges_in], 0, atol=1e-12)
    out["dropout 0.5, training: each alpha 0 or doubled"] = np.array(np.allclose(
        kept[edges_in][~dropped], 2 * attention[edges_in][~dropped], rtol=1e-10))
    out["dropout 0.5, training: between 10% and 90% of the alphas dropped"] = np.array(
        0.1 <= dropped.mean() <= 0.9)
    z = tensor(mdl, rng, 10)
    out["F.leaky_relu, negative_slope 0.2"] = mdl.nn.functional.leaky_relu(z, 0.2)
    return out


@graded(points=2, number="2.7", verify=agree("analytic", "numerical", rtol=1e-5, atol=1e-7),
        rtol=1e-6, atol=1e-6, hint=_attention_hint)
def gat_conv_gradients(mdl, rng):
    """numerical check: the gradients of a GATConv (3 -> 2, 2 heads concatenated) w.r.t. x,
    lin.weight, att_src, att_dst and bias on a directed graph of 6 nodes"""
    n = 6
    edges = directed_graph(rng, n)
    upstream = tensor(mdl, rng, n, 4)
    layer = mdl.nn.GATConv(3, 2, heads=2, dtype="float64")

    def loss(x, lin_weight, att_src, att_dst, bias):
        layer.lin.weight, layer.att_src, layer.att_dst, layer.bias = (lin_weight, att_src,
                                                                      att_dst, bias)
        return (layer(x, edges) * upstream).sum()

    return gradcheck(mdl, loss, {"x": rng.standard_normal((n, 3)),
                                  "lin_weight": rng.standard_normal((4, 3)),
                                  "att_src": rng.standard_normal((1, 2, 2)),
                                  "att_dst": rng.standard_normal((1, 2, 2)),
                                  "bias": rng.standard_normal(4)})


@graded(points=2, number="2.8")
def pooling(mdl, rng):
    """global_add_pool, global_mean_pool and global_max_pool over a batch of 4 graphs (two of
    one node, nodes not sorted by graph), with batch None (one graph), with size 5 (an empty
    graph pools to 0), and the gradients of x through the mean and the max"""
    batch = rng.permutation(np.array([0, 0, 0, 1, 2, 2, 3, 3, 3, 3]))
    out = {}
    for name, pool in (("add", mdl.nn.global_add_pool), ("mean", mdl.nn.global_mean_pool),
                       ("max", mdl.nn.global_max_pool)):
        x = tensor(mdl, rng, 10, 3, grad=True)
        y = pool(x, batch)
        out[name] = y
        out[f"{name}, batch None"] = pool(x, None)
        out[f"{name}, size 5"] = pool(x, batch, 5)
        if name != "add":
            (y * tensor(mdl, rng, 4, 3)).sum().backward()
            out[f"{name}: gradient of x"] = x.grad
    return out
