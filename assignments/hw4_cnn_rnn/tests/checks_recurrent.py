"""Section 3: Embedding, RNN, LSTM and GRU with PyTorch's parameter names and gate order."""

from autograder.checks import graded
from autograder.compare import agree, numerical_gradient
from _hw4_parameters import random_parameters


def _sequence(mdl, rng, seq, batch, features):
    return mdl.Tensor(rng.standard_normal((seq, batch, features)), dtype="float64",
                      requires_grad=True)


@graded(points=2, number="3.1")
def embedding(mdl, rng):
    """Embedding looks up rows by index and routes gradients to them"""
    layer = random_parameters(mdl, mdl.nn.Embedding(7, 3, dtype="float64"), rng)
    ids = rng.integers(0, 7, (4, 2))
    out = layer(ids)
    out.sum().backward()
    return {"out": out, "weight grad": layer.weight.grad}


@graded(points=3, number="3.2")
def rnn(mdl, rng):
    """RNN (tanh and relu, two layers): outputs, final states and input gradients"""
    out = {}
    for nonlinearity in ("tanh", "relu"):
        layer = random_parameters(mdl, mdl.nn.RNN(4, 5, num_layers=2, nonlinearity=nonlinearity,
                                                  dtype="float64"), rng)
        x = _sequence(mdl, rng, 3, 2, 4)
        output, h = layer(x)
        output.sum().backward()
        out |= {f"{nonlinearity} output": output, f"{nonlinearity} h_n": h,
                f"{nonlinearity} input grad": x.grad}
    return out


@graded(points=4, number="3.3")
def lstm(mdl, rng):
    """LSTM (two layers, gates i, f, g, o): outputs, h_n, c_n and gradients, the initial
    state's too"""
    layer = random_parameters(mdl, mdl.nn.LSTM(4, 3, num_layers=2, dtype="float64"), rng)
    x = _sequence(mdl, rng, 4, 2, 4)
    h0 = mdl.Tensor(rng.standard_normal((2, 2, 3)), dtype="float64", requires_grad=True)
    c0 = mdl.Tensor(rng.standard_normal((2, 2, 3)), dtype="float64", requires_grad=True)
    output, (h, c) = layer(x, (h0, c0))
    (output.sum() + c.sum()).backward()
    step = _sequence(mdl, rng, 1, 1, 4)  # one step of one sequence, from zero state
    step_output, (step_h, step_c) = layer(step)
    (step_output.sum() + step_c.sum()).backward()
    return {"output": output, "h_n": h, "c_n": c, "input grad": x.grad,
            "weight_hh_l1 grad": layer.weight_hh_l1.grad, "h0 grad": h0.grad, "c0 grad": c0.grad,
            "one-step output": step_output, "one-step c_n": step_c,
            "one-step input grad": step.grad}


@graded(points=3, number="3.4", verify=agree("analytic", "numerical", rtol=1e-4, atol=1e-6),
        rtol=1e-5, atol=1e-7)
def gradcheck_lstm(mdl, rng):
    """numerical check: the LSTM's gradient w.r.t. its input sequence"""
    layer = random_parameters(mdl, mdl.nn.LSTM(3, 2, dtype="float64"), rng)
    x = rng.standard_normal((3, 2, 3))
    weights = mdl.Tensor(rng.standard_normal((3, 2, 2)), dtype="float64")

    def loss(v, grad=False):
        xt = mdl.Tensor(v, dtype="float64", requires_grad=grad)
        return (layer(xt)[0] * weights).sum(), xt

    value, xt = loss(x, grad=True)
    value.backward()
    return {"analytic": xt.grad,
            "numerical": numerical_gradient(lambda v: loss(v)[0].numpy().item(), x)}


@graded(points=3, number="3.5")
def gru(mdl, rng):
    """GRU (gates r, z, n): outputs, final state and input gradients; with constant weights,
    the gradients of the input and the initial state"""
    layer = random_parameters(mdl, mdl.nn.GRU(4, 3, dtype="float64"), rng)
    out = {}
    for seq, batch in ((3, 2), (1, 1)):  # a single step and a single sequence too
        x = _sequence(mdl, rng, seq, batch, 4)
        output, h = layer(x)
        output.sum().backward()
        out |= {f"output ({seq}, {batch})": output, f"h_n ({seq}, {batch})": h,
                f"input grad ({seq}, {batch})": x.grad}
    for parameter in layer.parameters():
        parameter.requires_grad = False
    x = _sequence(mdl, rng, 3, 2, 4)
    h0 = mdl.Tensor(rng.standard_normal((1, 2, 3)), dtype="float64", requires_grad=True)
    output, h = layer(x, h0)
    (output.sum() + (h * h).sum()).backward()
    return out | {"output (constant weights)": output, "input grad (constant weights)": x.grad,
                  "h0 grad (constant weights)": h0.grad}


@graded(points=2, number="3.6")
def cells(mdl, rng):
    """RNNCell, LSTMCell and GRUCell with constant weights: two steps from a given state, and
    the gradients of the inputs and the state"""
    out = {}
    for name in ("RNNCell", "LSTMCell", "GRUCell"):
        cell = random_parameters(mdl, getattr(mdl.nn, name)(4, 3, dtype="float64"), rng)
        for parameter in cell.parameters():
            parameter.requires_grad = False
        x = [mdl.Tensor(rng.standard_normal((2, 4)), dtype="float64", requires_grad=True)
             for _ in range(2)]
        first = [mdl.Tensor(rng.standard_normal((2, 3)), dtype="float64", requires_grad=True)
                 for _ in range(2)]
        state = tuple(first) if name == "LSTMCell" else first[0]
        for step in x:
            state = cell(step, state)
        h = state[0] if name == "LSTMCell" else state
        (h * h).sum().backward()
        out |= {f"{name} h": h, f"{name} first input grad": x[0].grad,
                f"{name} initial h grad": first[0].grad}
        if name == "LSTMCell":
            out[f"{name} initial c grad"] = first[1].grad
    return out
