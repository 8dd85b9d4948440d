"""Graph layers under PyTorch Geometric's names and parameters: GCNConv, SAGEConv and GATConv
pass messages x_j along each edge j -> i of an edge_index (2, E) (row 0 sources, row 1
targets) and aggregate them at the target i; global pooling reduces a batch's nodes per graph."""
from __future__ import annotations

import math

import numpy as np

from .. import init, ops
from ..autograd import Tensor
from ..data.graphs import (add_remaining_self_loops, add_self_loops, check_edge_index,
                           check_edge_weight, check_index, degree, remove_self_loops)
from .activation import leaky_relu
from .dropout import dropout
from .linear import Linear
from .module import Module, Parameter, check_features


def gcn_norm(edge_index, edge_weight, num_nodes: int,
             add_self_loops: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """GCN's symmetric normalization as PyG's gcn_norm: (edge_index, weights) with a loop of
    weight 1 added at every node that has none (when add_self_loops), and each weight w_ji of
    j -> i scaled to deg(j)^-1/2 w_ji deg(i)^-1/2, deg the weighted in-degree (over targets),
    0 where a degree is 0."""
    edge_index = check_edge_index(edge_index, num_nodes)
    edge_weight = check_edge_weight(edge_weight, edge_index.shape[1])
    if edge_weight is None:
        edge_weight = np.ones(edge_index.shape[1])
    # Your code defines the returned `edge_index` (self-loops added) and `edge_weight`
    # YOUR CODE HERE (hw7)
    raise NotImplementedError("hw7")
    return edge_index, edge_weight


def _constant(array: np.ndarray, like: Tensor) -> Tensor:
    """array as a Tensor of like's dtype and device (no gradient)."""
    return Tensor(array, device=like.device, dtype=like.dtype)


class GCNConv(Module):
    """Kipf and Welling's graph convolution: out_i = sum_{j -> i} norm_ji W x_j + b over the
    edges entering i (with self-loops), norm from `gcn_norm` (PyG's GCNConv)."""

    def __init__(self, in_channels: int, out_channels: int, add_self_loops: bool = True,
                 normalize: bool = True, bias: bool = True, dtype: str = "float32"):
        self.in_channels, self.out_channels = in_channels, out_channels
        self.add_self_loops, self.normalize = add_self_loops, normalize
        self.lin = Linear(in_channels, out_channels, bias=False, dtype=dtype)
        # glorot in place of Linear's default, as PyG initializes GCNConv's lin
        self.lin.weight = Parameter(init.xavier_uniform(out_channels, in_channels, dtype=dtype))
        self.bias = Parameter(init.zeros(out_channels, dtype=dtype)) if bias else None

    def forward(self, x: Tensor, edge_index, edge_weight=None) -> Tensor:
        check_features("GCNConv", x, self.in_channels)
        n = x.shape[0]
        edge_index = check_edge_index(edge_index, n)
        edge_weight = check_edge_weight(edge_weight, edge_index.shape[1])
        if edge_weight is None:
            edge_weight = np.ones(edge_index.shape[1])
        # Your code defines `out` (N, out_channels), to which the bias is added below
        # YOUR CODE HERE (hw7)
        raise NotImplementedError("hw7")
        return out if self.bias is None else out + self.bias

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}"


SAGE_AGGREGATIONS = ("mean", "sum", "max")


class SAGEConv(Module):
    """GraphSAGE (Hamilton et al.): out_i = lin_l(aggr_{j -> i} x_j) + lin_r(x_i), aggr the
    mean, sum or max of the messages entering i (0 for a node with none), as PyG's SAGEConv."""

    def __init__(self, in_channels: int, out_channels: int, aggr: str = "mean",
                 root_weight: bool = True, bias: bool = True, dtype: str = "float32"):
        if aggr not in SAGE_AGGREGATIONS:
            raise ValueError(f"SAGEConv: aggr must be one of {SAGE_AGGREGATIONS}, got {aggr!r}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.aggr, self.root_weight = aggr, root_weight
        self.lin_l = Linear(in_channels, out_channels, bias=bias, dtype=dtype)
        self.lin_r = Linear(in_channels, out_channels, bias=False, dtype=dtype) \
            if root_weight else None

    def forward(self, x: Tensor, edge_index) -> Tensor:
        check_features("SAGEConv", x, self.in_channels)
        edge_index = check_edge_index(edge_index, x.shape[0])
        # Your code defines `out` (N, out_channels), returned below
        # YOUR CODE HERE (hw7)
        raise NotImplementedError("hw7")
        return out

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, aggr={self.aggr!r}"


class GATConv(Module):
    """Graph attention (Velickovic et al.), as PyG's GATConv: per head, h = W x, e_ji =
    LeakyReLU(att_src . h_j + att_dst . h_i), alpha_ji the softmax of e over the edges entering
    i (one self-loop per node), out_i = sum_j alpha_ji h_j; heads concatenated or averaged."""

    def __init__(self, in_channels: int, out_channels: int, heads: int = 1, concat: bool = True,
                 negative_slope: float = 0.2, dropout: float = 0.0, add_self_loops: bool = True,
                 bias: bool = True, dtype: str = "float32"):
        self.in_channels, self.out_channels, self.heads = in_channels, out_channels, heads
        self.concat, self.negative_slope, self.dropout = concat, negative_slope, dropout
        self.add_self_loops = add_self_loops
        self.lin = Linear(in_channels, heads * out_channels, bias=False, dtype=dtype)
        self.lin.weight = Parameter(init.xavier_uniform(heads * out_channels, in_channels,
                                                        dtype=dtype))  # glorot, as PyG's
        bound = math.sqrt(6 / (heads + out_channels))  # glorot over (heads, out), as PyG's
        self.att_src = Parameter(init.rand(1, heads, out_channels, low=-bound, high=bound,
                                           dtype=dtype))
        self.att_dst = Parameter(init.rand(1, heads, out_channels, low=-bound, high=bound,
                                           dtype=dtype))
        self.bias = Parameter(init.zeros(heads * out_channels if concat else out_channels,
                                         dtype=dtype)) if bias else None

    def forward(self, x: Tensor, edge_index, return_attention_weights: bool = False):
        """(N, heads * out) or (N, out); with return_attention_weights also (edge_index with
        its self-loops, alpha (E', heads) after dropout), as PyG's."""
        check_features("GATConv", x, self.in_channels)
        n, heads, channels = x.shape[0], self.heads, self.out_channels
        edge_index = check_edge_index(edge_index, n)
        if self.add_self_loops:
            edge_index, _ = add_self_loops(remove_self_loops(edge_index)[0], n)
        source, target = edge_index
        h = self.lin(x).reshape(n, heads, channels)
        # Your code defines `out` (heads concatenated or averaged) and `alpha` (E', heads)
        # YOUR CODE HERE (hw7)
        raise NotImplementedError("hw7")
        if self.bias is not None:
            out = out + self.bias
        return (out, (edge_index, alpha)) if return_attention_weights else out

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, heads={self.heads}"


def _graph_batch(x: Tensor, batch, size: int | None) -> tuple[np.ndarray, int]:
    """batch as int64 (N,) (all zeros when None: one graph) and the number of graphs."""
    if x.ndim != 2:
        raise ValueError(f"global pooling expects node features (N, F), got shape {x.shape}")
    if batch is None:
        return np.zeros(x.shape[0], dtype=np.int64), 1 if size is None else size
    batch = np.asarray(batch)
    if batch.shape != (x.shape[0],):
        raise ValueError(f"batch must have shape ({x.shape[0]},) (one graph number per node), "
                         f"got shape {batch.shape}")
    if size is None:
        size = int(batch.max(initial=-1)) + 1
    return check_index(batch, size, "batch", of="graphs"), size


def global_add_pool(x: Tensor, batch=None, size: int | None = None) -> Tensor:
    """The sum of each graph's node features: (num_graphs, F), as PyG's global_add_pool."""
    batch, size = _graph_batch(x, batch, size)
    return ops.scatter(x, batch, size, reduce="sum")


def global_mean_pool(x: Tensor, batch=None, size: int | None = None) -> Tensor:
    """The mean of each graph's node features: (num_graphs, F), as PyG's global_mean_pool."""
    batch, size = _graph_batch(x, batch, size)
    # YOUR CODE HERE (hw7)
    raise NotImplementedError("hw7")


def global_max_pool(x: Tensor, batch=None, size: int | None = None) -> Tensor:
    """The feature-wise maximum over each graph's nodes: (num_graphs, F), as PyG's
    global_max_pool."""
    batch, size = _graph_batch(x, batch, size)
    return ops.scatter(x, batch, size, reduce="max")
