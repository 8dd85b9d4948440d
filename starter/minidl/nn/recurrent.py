"""Recurrent cells and layers: inputs (seq, batch, features), PyTorch's parameter names, shapes
and gate order, so a PyTorch state_dict loads and gives the same outputs."""
from __future__ import annotations

import math

import numpy as np

from .. import init, ops
from ..autograd import Tensor
from .linear import linear
from .module import Module, Parameter


def _uniform(shape, hidden_size: int, dtype: str) -> Parameter:
    bound = 1 / math.sqrt(hidden_size)  # PyTorch's initialization of every recurrent weight
    return Parameter(init.rand(*shape, low=-bound, high=bound, dtype=dtype))


_WEIGHT_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _weights(gates: int, input_size: int, hidden_size: int, bias: bool, dtype: str):
    """weight_ih (gates * hidden, input), weight_hh (gates * hidden, hidden) and two biases."""
    rows = gates * hidden_size
    return (_uniform((rows, input_size), hidden_size, dtype),
            _uniform((rows, hidden_size), hidden_size, dtype),
            _uniform((rows,), hidden_size, dtype) if bias else None,
            _uniform((rows,), hidden_size, dtype) if bias else None)


def _gate(t: Tensor, g: int, size: int) -> Tensor:
    """Columns g * size ... (g + 1) * size of a (batch, gates * size) tensor."""
    return ops.getitem(t, (slice(None), slice(g * size, (g + 1) * size)))


# One step of each cell, from xs = x W_ih^T + b_ih and hs = h W_hh^T + b_hh (batch, gates *
# hidden) and the state before the step (a tuple); the state after it.

def rnn_step(xs: Tensor, hs: Tensor, state: tuple[Tensor], nonlinearity: str = "tanh"):
    """(h',) = (nonlinearity(xs + hs),)."""
    # YOUR CODE HERE (hw4)
    raise NotImplementedError("hw4")


def lstm_step(xs: Tensor, hs: Tensor, state: tuple[Tensor, Tensor]):
    """(h', c') of an LSTM cell with gates in PyTorch's order: input, forget, cell, output."""
    if xs.device.has("lstm_cell"):  # the kit's fused kernels (nn/fused.py): a few launches
        from .fused import fused_lstm_step
        return fused_lstm_step(xs, hs, state)
    # YOUR CODE HERE (hw4)
    raise NotImplementedError("hw4")


def gru_step(xs: Tensor, hs: Tensor, state: tuple[Tensor]):
    """(h',) of a GRU cell with gates in PyTorch's order: reset, update, new."""
    # YOUR CODE HERE (hw4)
    raise NotImplementedError("hw4")


def _zeros(shape, like: Tensor) -> Tensor:
    return Tensor(np.zeros(shape), device=like.device, dtype=like.dtype)


def _nonlinearity(name: str) -> str:
    if name not in ("tanh", "relu"):
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {name!r}")
    return name


class _Cell(Module):
    """One step of a recurrent layer: weight_ih, weight_hh, bias_ih, bias_hh as in PyTorch."""

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 dtype: str = "float32"):
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh = _weights(
            self.gates, input_size, hidden_size, bias, dtype)

    def _state(self, x: Tensor, state, parts: int) -> tuple[Tensor, ...]:
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(f"{type(self).__name__} expects (batch, {self.input_size}), "
                             f"got shape {x.shape}")
        if state is None:
            return (_zeros((x.shape[0], self.hidden_size), x),) * parts
        return (state,) if parts == 1 else tuple(state)

    def _affine(self, x: Tensor, h: Tensor) -> tuple[Tensor, Tensor]:
        return linear(x, self.weight_ih, self.bias_ih), linear(h, self.weight_hh, self.bias_hh)


class RNNCell(_Cell):
    """h' = nonlinearity(x W_ih^T + b_ih + h W_hh^T + b_hh); x (batch, input), h (batch, hidden)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", dtype: str = "float32"):
        self.nonlinearity = _nonlinearity(nonlinearity)
        super().__init__(input_size, hidden_size, bias, dtype)

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        state = self._state(x, h, 1)
        return rnn_step(*self._affine(x, state[0]), state, self.nonlinearity)[0]


class LSTMCell(_Cell):
    """One LSTM step: (h', c') from x (batch, input) and (h, c), each (batch, hidden)."""

    gates = 4

    def forward(self, x: Tensor, state: tuple[Tensor, Tensor] | None = None):
        state = self._state(x, state, 2)
        return lstm_step(*self._affine(x, state[0]), state)


class GRUCell(_Cell):
    """One GRU step: h' from x (batch, input) and h (batch, hidden)."""

    gates = 3

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        state = self._state(x, h, 1)
        return gru_step(*self._affine(x, state[0]), state)[0]


class _Recurrent(Module):
    """Stacked cells over time: layer k has weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k},
    bias_hh_l{k}; subclasses give the number of gate blocks and `step(xs, hs, state)`. The
    state is h alone unless a subclass's `forward` says otherwise (LSTM's is (h, c))."""

    gates = 1
    adds_projections = True  # the step uses xs + hs only (not GRU: r multiplies part of hs)

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, dtype: str = "float32"):
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias = bias
        for k in range(num_layers):
            weights = _weights(self.gates, input_size if k == 0 else hidden_size, hidden_size,
                               bias, dtype)
            for name, weight in zip(_WEIGHT_NAMES, weights):
                setattr(self, f"{name}_l{k}", weight)

    def _layer_weights(self, k: int):
        """Layer k's (weight_ih, weight_hh, bias_ih, bias_hh)."""
        return tuple(getattr(self, f"{name}_l{k}") for name in _WEIGHT_NAMES)

    def _initial(self, x: Tensor, state: Tensor | None) -> list[Tensor]:
        """The (num_layers, batch, hidden) state, zeros if None, split into layers."""
        if x.ndim != 3 or x.shape[2] != self.input_size:
            raise ValueError(f"{type(self).__name__} expects (seq, batch, {self.input_size}), "
                             f"got shape {x.shape}")
        shape = (self.num_layers, x.shape[1], self.hidden_size)
        if state is None:
            state = _zeros(shape, x)
        elif state.shape != shape:
            raise ValueError(f"{type(self).__name__} expects a state of shape {shape}, "
                             f"got {state.shape}")
        return ops.split(state, 0)

    def _run(self, x: Tensor, states: list[tuple[Tensor, ...]]):
        """Every layer over every step; the last layer's outputs and each layer's final state."""
        # YOUR CODE HERE (hw4)
        raise NotImplementedError("hw4")

    def forward(self, x: Tensor, h0: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """(output (seq, batch, hidden), h_n (num_layers, batch, hidden))."""
        output, states = self._run(x, [(h,) for h in self._initial(x, h0)])
        return output, ops.stack([h for (h,) in states], 0)


class RNN(_Recurrent):
    """Elman RNN, x (seq, batch, input): h_t = nonlinearity(x_t W_ih^T + b_ih + h W_hh^T + b_hh)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, dtype: str = "float32"):
        self.nonlinearity = _nonlinearity(nonlinearity)
        super().__init__(input_size, hidden_size, num_layers, bias, dtype)

    def step(self, xs, hs, state):
        return rnn_step(xs, hs, state, self.nonlinearity)


class LSTM(_Recurrent):
    """Long short-term memory over (seq, batch, input); gates i, f, g, o as in PyTorch."""

    gates = 4

    step = staticmethod(lstm_step)

    def forward(self, x: Tensor, state: tuple[Tensor, Tensor] | None = None):
        """(output, (h_n, c_n)), each state (num_layers, batch, hidden)."""
        h0, c0 = state if state is not None else (None, None)
        states = list(zip(self._initial(x, h0), self._initial(x, c0)))
        output, states = self._run(x, states)
        return output, (ops.stack([h for h, _ in states], 0),
                        ops.stack([c for _, c in states], 0))


class GRU(_Recurrent):
    """Gated recurrent unit over (seq, batch, input); gates r, z, n as in PyTorch."""

    gates = 3
    adds_projections = False

    step = staticmethod(gru_step)
