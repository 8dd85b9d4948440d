"""Section 2: the computational graph, topological order and backward()."""
from autograder.checks import graded


def _normal(rng, shape):
    return rng.standard_normal(shape).astype("float32")


def _random_graph(mdl, rng, leaves=4, ops=12):
    """A random DAG of additions and multiplications over a few leaves; its nodes in creation order."""
    nodes = [mdl.Tensor(_normal(rng, (3,)), requires_grad=True) for _ in range(leaves)]
    for _ in range(ops):
        i, j = rng.choice(len(nodes), size=2, replace=False)
        nodes.append(nodes[i] * nodes[j] if rng.random() < 0.5 else nodes[i] + nodes[j])
    return nodes


@graded(points=2, number="2.1")
def topo_sort_order(mdl, rng):
    """find_topo_sort lists every node a root depends on once, each after its inputs"""
    from_root = _random_graph(mdl, rng)
    root = from_root[-1]
    order = mdl.autograd.find_topo_sort([root])
    position = {id(node): i for i, node in enumerate(order)}
    reachable, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) not in reachable:
            reachable.add(id(node))
            stack.extend(node.inputs)
    inputs_first = all(position[id(x)] < position[id(n)] for n in order for x in n.inputs)
    return {"each reachable node once": len(order) == len(position) == len(reachable)
            and set(position) == reachable,
            "inputs before users": inputs_first}


@graded(points=2, number="2.2")
def backward_accumulates(mdl, rng):
    """a tensor used several times gets the sum of its gradients; .grad accumulates over calls"""
    x = mdl.Tensor(_normal(rng, (4, 3)), requires_grad=True)
    w = mdl.Tensor(_normal(rng, (4, 3)), requires_grad=True)
    y = x * w + x * x + (x * 3.0) * w
    y.backward(mdl.Tensor(_normal(rng, (4, 3))))
    first = x.grad.numpy().copy()
    (x * w).sum().backward()
    return {"dx after one backward": first, "dx after two": x.grad, "dw after two": w.grad}


@graded(points=2, number="2.3")
def random_graph_backward(mdl, rng):
    """backward through a random graph that reuses nodes"""
    nodes = _random_graph(mdl, rng)
    nodes[-1].sum().backward()
    return {f"leaf{i}.grad": nodes[i].grad for i in range(4) if nodes[i].grad is not None}


@graded(points=1, number="2.4", timeout=60)
def deep_chain_backward(mdl, rng):
    """backward through a chain of 10,000 operations (no recursion limit)"""
    x = mdl.Tensor(rng.uniform(0.5, 1.5, (2,)), requires_grad=True)
    y, factor = x, 1.0 + 1e-5
    for _ in range(10_000):
        y = y * factor
    y.backward()
    return {"y": y, "dx": x.grad}
