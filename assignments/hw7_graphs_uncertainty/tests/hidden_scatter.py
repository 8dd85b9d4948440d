"""Hidden check: the scatter ops chained as one round of attention message passing on a small
directed graph."""
import numpy as np

from autograder.checks import graded
from _hw7_inputs import tensor

# edges j -> i of a directed graph of 6 nodes: node 4 has no incoming edge, node 5 one, and
# node 2 receives the same source twice
SOURCES = np.array([0, 1, 1, 3, 3, 2, 0, 4, 4])
TARGETS = np.array([1, 0, 2, 2, 1, 0, 3, 5, 2])


@graded(points=3, number="4.1", visibility="after_due_date")
def attention_message_passing(mdl, rng):
    """messages h_j gathered along directed edges, weighted by a softmax over each target's
    incoming edges (two heads), summed at the target, beside the mean and max of the neighbours;
    the outputs and the gradients of h and of the scores"""
    ops = mdl.ops
    h = tensor(mdl, rng, 6, 2, 3, grad=True)
    scores = tensor(mdl, rng, 9, 2, grad=True)
    alpha = ops.segment_softmax(scores, TARGETS, 6)
    messages = ops.index_select(h, 0, SOURCES) * alpha.reshape(9, 2, 1).broadcast_to((9, 2, 3))
    attended = ops.scatter(messages, TARGETS, 6, "sum")
    flat = ops.index_select(h.reshape(6, 6), 0, SOURCES)
    mean, peak = ops.scatter(flat, TARGETS, 6, "mean"), ops.scatter(flat, TARGETS, 6, "max")
    upstream = [mdl.Tensor(rng.standard_normal(x.shape), dtype="float64")
                for x in (attended, mean, peak)]
    loss = (attended * upstream[0]).sum() + (mean * upstream[1]).sum() + \
        (peak * upstream[2]).sum()
    loss.backward()
    return {"attention weights": alpha, "attended": attended, "mean of neighbours": mean,
            "max of neighbours": peak, "gradient of h": h.grad, "gradient of scores": scores.grad}
