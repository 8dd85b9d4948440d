"""Module and Parameter: the containers every layer and model is built from."""
from __future__ import annotations

from collections import OrderedDict
from typing import Iterator

import numpy as np

from ..autograd import Tensor


def check_features(layer: str, x: Tensor, features: int) -> None:
    """Raise unless the last dimension of x is `features`, naming the layer and x's shape."""
    if x.ndim < 1 or x.shape[-1] != features:
        raise ValueError(f"{layer} expects inputs whose last dimension is {features}, "
                         f"got shape {x.shape}")


def check_images(layer: str, x: Tensor, channels: int | None = None) -> None:
    """Raise unless x is a batch of images (N, C, H, W), with `channels` channels if given."""
    if x.ndim != 4 or (channels is not None and x.shape[1] != channels):
        expected = "C" if channels is None else str(channels)
        raise ValueError(f"{layer} expects images (N, {expected}, H, W), got shape {x.shape}")


class Parameter(Tensor):
    """A tensor that a Module learns: a leaf that requires a gradient."""

    def __init__(self, data, dtype: str = "float32"):
        super().__init__(data, dtype=data.dtype if isinstance(data, Tensor) else dtype,
                         requires_grad=True)


class Module:
    """A layer or model: parameters, buffers (such as running statistics) and child modules.

    Attributes are found by scanning the module's fields in the order they were set, so names
    follow PyTorch's: `0.weight` for the first layer of a Sequential, `norm.running_mean`, ...
    """

    training: bool = True

    def forward(self, *args):
        raise NotImplementedError()

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def children(self) -> Iterator["Module"]:
        for _, child in self.named_children():
            yield child

    def named_parameters(self, prefix: str = "",
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Every parameter by dotted name; one shared by several modules (tied weights) only
        under its first name, unless remove_duplicate is False (as PyTorch)."""
        seen = set()
        for name, value in self._every_parameter(prefix):
            if not remove_duplicate or id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def _every_parameter(self, prefix: str) -> Iterator[tuple[str, Parameter]]:
        for name, value in vars(self).items():
            if isinstance(value, Parameter):
                yield prefix + name, value
            elif isinstance(value, Module):
                yield from value._every_parameter(f"{prefix}{name}.")

    def parameters(self) -> list[Parameter]:
        return [p for _, p in self.named_parameters()]

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        """Tensors a module keeps but does not learn (BatchNorm's running statistics)."""
        for name, value in vars(self).items():
            if isinstance(value, Tensor) and not isinstance(value, Parameter):
                yield prefix + name, value
            elif isinstance(value, Module):
                yield from value.named_buffers(f"{prefix}{name}.")

    def modules(self) -> Iterator["Module"]:
        yield self
        for child in self.children():
            yield from child.modules()

    def train(self, mode: bool = True) -> "Module":
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> "Module":
        return self.train(False)

    def to(self, device) -> "Module":
        """Move every parameter and buffer to `device` (a Device; None leaves them where they
        are, so a layer passes its own `device=` on); the module itself."""
        if device is not None:
            for _, tensor in [*self.named_parameters(), *self.named_buffers()]:
                tensor.cached_data = tensor.realize_cached_data().to(device)
        return self

    def zero_grad(self) -> None:
        for parameter in self.parameters():
            parameter.grad = None

    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """Copies of every parameter and buffer, by PyTorch-style dotted name."""
        return OrderedDict((name, tensor.numpy().copy()) for name, tensor
                           in [*self.named_parameters(remove_duplicate=False),
                               *self.named_buffers()])

    def load_state_dict(self, state: dict, strict: bool = True) -> None:
        """Set parameters and buffers from `state` (NumPy arrays, or anything array-like)."""
        own = OrderedDict([*self.named_parameters(remove_duplicate=False),
                           *self.named_buffers()])
        missing, unexpected = sorted(set(own) - set(state)), sorted(set(state) - set(own))
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}")
        for name, tensor in own.items():
            if name not in state:
                continue
            value = np.asarray(state[name])
            if value.shape != tensor.shape:
                raise ValueError(f"load_state_dict: {name} has shape {value.shape} in the state "
                                 f"dict but {tensor.shape} in the model")
            tensor.data = Tensor(value, device=tensor.device, dtype=tensor.dtype)

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"  ({name}): " + repr(child).replace("\n", "\n  ")
                 for name, child in self.named_children()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        return head + ")" if not lines else head + "\n" + "\n".join(lines) + "\n)"
