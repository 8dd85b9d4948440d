"""Hidden check: the graph layers chained as small graph classifiers on a batch of directed
graphs, their logits, loss and gradients."""
import numpy as np

from autograder.checks import graded
from _hw7_graph_inputs import directed_graph
from _hw7_inputs import random_parameters, tensor


@graded(points=3, number="4.2", visibility="after_due_date")
def graph_classifiers(mdl, rng):
    """a batch of 4 directed graphs (5, 1, 4 and 6 nodes) through two classifiers: GCNConv,
    ReLU, GCNConv, global_mean_pool, Linear; and GATConv (2 heads), SAGEConv (max),
    global_max_pool + global_add_pool, Linear; their logits, SoftmaxLoss and the gradients of x
    and of each first layer's weight"""
    nn = mdl.nn
    graphs = [mdl.data.Graph(tensor(mdl, rng, size, 3), directed_graph(rng, size) if size > 1
                             else np.zeros((2, 0), dtype=np.int64), y=int(rng.integers(2)))
              for size in (5, 1, 4, 6)]
    batch = mdl.data.batch_graphs(graphs)
    labels = mdl.Tensor(batch.y)
    out = {}
    gcn1, gcn2 = nn.GCNConv(3, 4, dtype="float64"), nn.GCNConv(4, 4, dtype="float64")
    gat, sage = nn.GATConv(3, 2, heads=2, dtype="float64"), nn.SAGEConv(4, 3, aggr="max",
                                                                        dtype="float64")
    heads = [nn.Linear(4, 2, dtype="float64"), nn.Linear(6, 2, dtype="float64")]
    for module in (gcn1, gcn2, gat, sage, *heads):
        random_parameters(mdl, module, rng)
    for name, first in (("GCN", gcn1), ("GAT-SAGE", gat)):
        x = mdl.Tensor(batch.x, dtype="float64", requires_grad=True)
        h = mdl.ops.relu(first(x, batch.edge_index))
        if first is gcn1:
            logits = heads[0](nn.global_mean_pool(gcn2(h, batch.edge_index), batch.batch))
        else:
            h = sage(h, batch.edge_index)
            logits = heads[1](mdl.ops.cat([nn.global_max_pool(h, batch.batch),
                                           nn.global_add_pool(h, batch.batch)], 1))
        loss = nn.SoftmaxLoss()(logits, labels)
        loss.backward()
        out |= {f"{name}: logits": logits, f"{name}: loss": loss,
                f"{name}: gradient of x": x.grad,
                f"{name}: gradient of the first lin.weight": first.lin.weight.grad}
    return out
