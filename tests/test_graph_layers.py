"""hw7's graphs and graph layers: Graph, batch_graphs, the self-loop and degree utils, gcn_norm,
GCNConv, SAGEConv, GATConv and the global pools, against NumPy definitions written here from
PyTorch Geometric's formulas in dense adjacency form (A[i, j] the weight of edge j -> i), on
directed graphs with isolated nodes; gradients against numerical ones, PyG-style state dicts,
batching and errors, on each CPU device."""
import numpy as np
import pytest

from autograder.compare import numerical_gradient
from conftest import minidl_reference, tensor

pytestmark = pytest.mark.usefixtures("device")  # each CPU device (conftest)
mdl = minidl_reference()
nn, F = mdl.nn, mdl.nn.functional
data = mdl.data


# A directed graph on 6 nodes: node 4 has only an outgoing edge, node 5 is isolated, 2 -> 0 has
# no reverse, 0 <-> 1 both ways, and 3 has a self-loop only in LOOPED.
EDGES = np.array([[0, 1, 2, 1, 4, 3, 0], [1, 0, 0, 3, 3, 2, 2]])
LOOPED = np.concatenate([EDGES, [[3], [3]]], axis=1)
N = 6


def random_parameters(module, rng):
    for _, parameter in module.named_parameters():
        parameter.data = tensor(rng.uniform(-0.5, 0.5, parameter.shape))
    return module


# NumPy definitions, float64.

def dense(edge_index, n, weight=None):
    """A[i, j] = sum of the weights of the edges j -> i."""
    a = np.zeros((n, n))
    np.add.at(a, (edge_index[1], edge_index[0]), 1.0 if weight is None else weight)
    return a


def np_gcn_matrix(edge_index, n, weight=None, self_loops=True):
    """D^-1/2 (A + I) D^-1/2, I only where a node has no loop yet (PyG's remaining loops), D
    the in-degrees (row sums); 0 rows and columns for a degree of 0."""
    a = dense(edge_index, n, weight)
    if self_loops:
        a = a + np.diag((np.diag(a) == 0) * 1.0)
    deg = a.sum(1)
    inv = np.where(deg > 0, 1 / np.sqrt(np.where(deg > 0, deg, 1)), 0)
    return inv[:, None] * a * inv[None, :]


def np_gcn(x, edge_index, w, b, weight=None, self_loops=True):
    return np_gcn_matrix(edge_index, len(x), weight, self_loops) @ x @ w.T + b


def np_sage(x, edge_index, wl, bl, wr, aggr="mean"):
    rows = []
    for i in range(len(x)):
        sources = edge_index[0][edge_index[1] == i]
        if sources.size == 0:
            rows.append(np.zeros(x.shape[1]))
        else:
            rows.append({"mean": np.mean, "sum": np.sum, "max": np.max}[aggr](
                x[sources], axis=0))
    return np.array(rows) @ wl.T + bl + x @ wr.T


def np_gat(x, edge_index, w, att_src, att_dst, bias, heads, concat, slope=0.2):
    """Per head: h = x W^T, e_ji = leaky(att_src.h_j + att_dst.h_i) over j -> i plus i -> i
    (existing loops dropped first), alpha the softmax over each target's entering edges."""
    n = len(x)
    keep = edge_index[0] != edge_index[1]
    src = np.concatenate([edge_index[0][keep], np.arange(n)])
    dst = np.concatenate([edge_index[1][keep], np.arange(n)])
    h = (x @ w.T).reshape(n, heads, -1)
    e = (h * att_src).sum(-1)[src] + (h * att_dst).sum(-1)[dst]
    e = np.where(e > 0, e, slope * e)
    alpha = np.zeros_like(e)
    out = np.zeros_like(h)
    for i in range(n):
        entering = dst == i
        z = np.exp(e[entering] - e[entering].max(0))
        alpha[entering] = z / z.sum(0)
        out[i] = (alpha[entering][:, :, None] * h[src[entering]]).sum(0)
    out = out.reshape(n, -1) if concat else out.mean(1)
    return out + bias, np.stack([src, dst]), alpha


# Graph, batching and the utils

def test_graph_attributes_and_validation():
    g = data.Graph(np.ones((N, 2)), EDGES, y=np.arange(N), edge_weight=np.ones(7))
    assert (g.num_nodes, g.num_edges, g.num_graphs) == (6, 7, 1)
    assert g.x.dtype == "float32" and g.edge_index.dtype == np.int64
    with pytest.raises(ValueError, match=r"edge_index must be \(2, E\) integers, got shape "
                                         r"\(3, 5\)"):
        data.Graph(np.ones((4, 2)), np.zeros((3, 5), dtype=int))
    with pytest.raises(ValueError, match="index 40 out of range for 34 nodes"):
        data.Graph(np.ones((34, 2)), [[0, 40], [1, 2]])
    with pytest.raises(ValueError, match="edge_weight must have shape"):
        data.Graph(np.ones((N, 2)), EDGES, edge_weight=np.ones(3))
    with pytest.raises(ValueError, match="x must be node features"):
        data.Graph(np.ones(4), [[0], [1]])
    with pytest.raises(ValueError, match=r"\(2, E\) integers"):
        data.Graph(np.ones((4, 2)), np.zeros((2, 3)))
    assert data.Graph(np.ones((3, 1)), []).num_edges == 0


def test_batch_graphs_offsets_batch_vector_and_one_node_graphs():
    rng = np.random.default_rng(0)
    graphs = [data.Graph(rng.standard_normal((3, 2)), [[0, 2], [1, 1]], y=0,
                         edge_weight=[1.0, 2.0]),
              data.Graph(rng.standard_normal((1, 2)), np.zeros((2, 0), dtype=int), y=1,
                         edge_weight=np.zeros(0)),
              data.Graph(rng.standard_normal((2, 2)), [[1], [0]], y=2, edge_weight=[3.0])]
    b = data.batch_graphs(graphs)
    np.testing.assert_array_equal(b.edge_index, [[0, 2, 5], [1, 1, 4]])
    np.testing.assert_array_equal(b.batch, [0, 0, 0, 1, 2, 2])
    np.testing.assert_array_equal(b.y, [0, 1, 2])
    np.testing.assert_array_equal(b.edge_weight, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(b.x.numpy(), np.concatenate([g.x.numpy() for g in graphs]))
    assert b.num_graphs == 3 and b.num_nodes == 6
    with pytest.raises(ValueError, match="all or none"):
        data.batch_graphs([graphs[0], data.Graph(np.ones((1, 2)), [])])
    with pytest.raises(ValueError, match="at least one graph"):
        data.batch_graphs([])


def test_self_loop_utils_and_degree():
    ei, w = data.add_self_loops(EDGES, N, np.arange(7.0), fill_value=2.0)
    np.testing.assert_array_equal(ei[:, 7:], [np.arange(N), np.arange(N)])
    np.testing.assert_array_equal(w[7:], 2.0)
    assert data.add_self_loops(EDGES, N)[1] is None
    ei, w = data.remove_self_loops(LOOPED, np.arange(8.0))
    np.testing.assert_array_equal(ei, EDGES)
    np.testing.assert_array_equal(w, np.arange(7.0))
    np.testing.assert_array_equal(data.degree(EDGES[1], N), [2, 1, 2, 2, 0, 0])
    np.testing.assert_array_equal(data.degree(EDGES[0], N, np.full(7, 0.5)),
                                  [1, 1, 0.5, 0.5, 0.5, 0])
    with pytest.raises(ValueError, match="index 6 out of range for 6 nodes"):
        data.degree([0, 6], N)


# gcn_norm and the layers

@pytest.mark.parametrize("self_loops", [True, False])
@pytest.mark.parametrize("edges", [EDGES, LOOPED], ids=["plain", "existing loop"])
@pytest.mark.parametrize("weighted", [False, True])
def test_gcn_norm_is_the_dense_symmetric_normalization(self_loops, edges, weighted):
    weight = np.random.default_rng(1).uniform(0.5, 2, edges.shape[1]) if weighted else None
    ei, w = nn.gcn_norm(edges, weight, N, add_self_loops=self_loops)
    np.testing.assert_allclose(dense(ei, N, w), np_gcn_matrix(edges, N, weight, self_loops),
                               atol=1e-12)
    assert np.isfinite(w).all()


@pytest.mark.parametrize("edge_weight", [None, "random"])
def test_gcn_conv_matches_the_dense_form(edge_weight):
    rng = np.random.default_rng(2)
    weight = rng.uniform(0.5, 2, 7) if edge_weight else None
    layer = random_parameters(nn.GCNConv(3, 4, dtype="float64"), rng)
    x = rng.standard_normal((N, 3))
    got = layer(tensor(x), EDGES, weight).numpy()
    want = np_gcn(x, EDGES, layer.lin.weight.numpy(), layer.bias.numpy(), weight)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    raw = nn.GCNConv(3, 4, normalize=False, bias=False, dtype="float64")
    np.testing.assert_allclose(raw(tensor(x), EDGES).numpy(),
                               dense(EDGES, N) @ x @ raw.lin.weight.numpy().T, atol=1e-12)


def test_gcn_conv_gradients_match_numerical_ones():
    rng = np.random.default_rng(3)
    layer = random_parameters(nn.GCNConv(2, 3, dtype="float64"), rng)
    x0, upstream = rng.standard_normal((N, 2)), rng.standard_normal((N, 3))
    x = tensor(x0, requires_grad=True)
    (layer(x, EDGES) * tensor(upstream)).sum().backward()
    w0 = layer.lin.weight.numpy()

    def loss_x(v):
        return (np_gcn(v, EDGES, w0, layer.bias.numpy()) * upstream).sum()

    def loss_w(v):
        return (np_gcn(x0, EDGES, v, layer.bias.numpy()) * upstream).sum()

    np.testing.assert_allclose(x.grad.numpy(), numerical_gradient(loss_x, x0), atol=1e-7)
    np.testing.assert_allclose(layer.lin.weight.grad.numpy(), numerical_gradient(loss_w, w0),
                               atol=1e-7)
    np.testing.assert_allclose(layer.bias.grad.numpy(), upstream.sum(0), atol=1e-12)


@pytest.mark.parametrize("aggr", ["mean", "sum", "max"])
def test_sage_conv_matches_its_definition(aggr):
    rng = np.random.default_rng(4)
    layer = random_parameters(nn.SAGEConv(3, 2, aggr=aggr, dtype="float64"), rng)
    x = rng.standard_normal((N, 3))
    want = np_sage(x, EDGES, layer.lin_l.weight.numpy(), layer.lin_l.bias.numpy(),
                   layer.lin_r.weight.numpy(), aggr)
    np.testing.assert_allclose(layer(tensor(x), EDGES).numpy(), want, rtol=1e-10, atol=1e-12)
    xt = tensor(x, requires_grad=True)
    (layer(xt, EDGES) ** 2).sum().backward()
    numerical = numerical_gradient(lambda v: (np_sage(
        v, EDGES, layer.lin_l.weight.numpy(), layer.lin_l.bias.numpy(),
        layer.lin_r.weight.numpy(), aggr) ** 2).sum(), x)
    np.testing.assert_allclose(xt.grad.numpy(), numerical, atol=1e-6)
    bare = nn.SAGEConv(3, 2, root_weight=False, bias=False)
    assert [name for name, _ in bare.named_parameters()] == ["lin_l.weight"]


@pytest.mark.parametrize("heads, concat", [(1, True), (3, True), (3, False)])
def test_gat_conv_matches_its_definition(heads, concat):
    rng = np.random.default_rng(5)
    layer = random_parameters(nn.GATConv(3, 2, heads=heads, concat=concat, dtype="float64"),
                              rng)
    x = rng.standard_normal((N, 3))
    out, (ei, alpha) = layer(tensor(x), LOOPED, return_attention_weights=True)
    want, want_ei, want_alpha = np_gat(x, LOOPED, layer.lin.weight.numpy(),
                                       layer.att_src.numpy(), layer.att_dst.numpy(),
                                       layer.bias.numpy(), heads, concat)
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(ei, want_ei)
    np.testing.assert_allclose(alpha.numpy(), want_alpha, rtol=1e-10, atol=1e-12)
    sums = np.zeros((N, heads))
    np.add.at(sums, ei[1], alpha.numpy())
    np.testing.assert_allclose(sums, 1, atol=1e-12)
    att = tensor(layer.att_src.numpy(), requires_grad=True)
    layer.att_src = att
    (layer(tensor(x), EDGES) ** 2).sum().backward()
    numerical = numerical_gradient(lambda v: (np_gat(
        x, EDGES, layer.lin.weight.numpy(), v, layer.att_dst.numpy(), layer.bias.numpy(),
        heads, concat)[0] ** 2).sum(), layer.att_src.numpy())
    np.testing.assert_allclose(att.grad.numpy(), numerical, atol=1e-6)


def test_gat_dropout_drops_attention_only_in_training():
    rng = np.random.default_rng(6)
    layer = nn.GATConv(3, 2, heads=2, dropout=0.5, dtype="float64")
    x = tensor(rng.standard_normal((N, 3)))
    mdl.init.manual_seed(0)
    _, (_, alpha) = layer(x, EDGES, return_attention_weights=True)
    assert (alpha.numpy() == 0).any()
    layer.eval()
    _, (_, alpha) = layer(x, EDGES, return_attention_weights=True)
    assert (alpha.numpy() > 0).all()


def test_leaky_relu():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    np.testing.assert_allclose(F.leaky_relu(tensor(x), 0.2).numpy(), np.where(x > 0, x, 0.2 * x))
    np.testing.assert_allclose(nn.LeakyReLU()(tensor(x)).numpy(), np.where(x > 0, x, 0.01 * x))


@pytest.mark.parametrize("layer, keys", [
    (lambda: nn.GCNConv(3, 4), {"lin.weight": (4, 3), "bias": (4,)}),
    (lambda: nn.SAGEConv(3, 4), {"lin_l.weight": (4, 3), "lin_l.bias": (4,),
                                 "lin_r.weight": (4, 3)}),
    (lambda: nn.GATConv(3, 4, heads=2), {"lin.weight": (8, 3), "att_src": (1, 2, 4),
                                         "att_dst": (1, 2, 4), "bias": (8,)}),
    (lambda: nn.GATConv(3, 4, heads=2, concat=False), {"lin.weight": (8, 3),
                                                       "att_src": (1, 2, 4),
                                                       "att_dst": (1, 2, 4), "bias": (4,)}),
])
def test_parameters_have_pyg_names_and_shapes_and_a_pyg_state_dict_loads(layer, keys):
    module = layer()
    assert {k: v.shape for k, v in module.state_dict().items()} == keys
    rng = np.random.default_rng(7)
    state = {k: rng.standard_normal(shape).astype(np.float32) for k, shape in keys.items()}
    module.load_state_dict(state)
    for k, v in module.state_dict().items():
        np.testing.assert_array_equal(v, state[k])
    if "bias" in keys:
        assert not nn.GCNConv(3, 4).bias.numpy().any()


def test_pools_per_graph_with_one_node_graphs_and_batch_none():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((6, 3))
    batch = np.array([0, 0, 0, 1, 2, 2])
    groups = [x[batch == g] for g in range(3)]
    for pool, reduce in ((nn.global_add_pool, np.sum), (nn.global_mean_pool, np.mean),
                         (nn.global_max_pool, np.max)):
        np.testing.assert_allclose(pool(tensor(x), batch).numpy(),
                                   [reduce(g, axis=0) for g in groups], atol=1e-12)
        np.testing.assert_allclose(pool(tensor(x), None).numpy(), [reduce(x, axis=0)],
                                   atol=1e-12)
        assert pool(tensor(x), batch, size=4).shape == (4, 3)
    xt = tensor(x, requires_grad=True)
    nn.global_max_pool(xt, batch).sum().backward()
    want = np.zeros_like(x)
    for g in range(3):
        rows = np.flatnonzero(batch == g)
        want[rows[x[rows].argmax(0)], np.arange(3)] = 1
    np.testing.assert_array_equal(xt.grad.numpy(), want)
    with pytest.raises(ValueError, match=r"batch must have shape \(6,\)"):
        nn.global_mean_pool(tensor(x), batch[:4])
    with pytest.raises(ValueError, match="batch: index 2 out of range for 2 graphs"):
        nn.global_add_pool(tensor(x), batch, size=2)


def test_layers_reject_bad_inputs():
    x = tensor(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"last dimension is 2, got shape \(4, 3\)"):
        nn.GCNConv(2, 2)(x, [[0], [1]])
    with pytest.raises(ValueError, match="index 4 out of range for 4 nodes"):
        nn.SAGEConv(3, 2)(x, [[0], [4]])
    with pytest.raises(ValueError, match="aggr must be one of"):
        nn.SAGEConv(3, 2, aggr="median")
    with pytest.raises(ValueError, match=r"edge_weight must have shape \(1,\)"):
        nn.GCNConv(3, 2)(x, [[0], [1]], np.ones(2))


def test_a_two_layer_gcn_trains_on_a_batch_of_graphs():
    rng = np.random.default_rng(9)
    graphs = [data.Graph(rng.standard_normal((k, 2)), [[0, 1], [1, 0]] if k > 1 else [],
                         y=int(k > 2)) for k in (1, 3, 2, 4)]
    batch = data.batch_graphs(graphs)
    mdl.init.manual_seed(0)
    conv1, conv2, head = nn.GCNConv(2, 8), nn.GCNConv(8, 8), nn.Linear(8, 2)
    params = conv1.parameters() + conv2.parameters() + head.parameters()
    optimizer = mdl.optim.Adam(params, lr=0.05)
    losses = []
    for _ in range(30):
        h = mdl.ops.relu(conv1(batch.x, batch.edge_index))
        h = mdl.ops.relu(conv2(h, batch.edge_index))
        loss = nn.SoftmaxLoss()(head(nn.global_mean_pool(h, batch.batch)),
                                mdl.Tensor(batch.y))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0] * 0.5
