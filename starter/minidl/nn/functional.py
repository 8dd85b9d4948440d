"""Layers as functions, under PyTorch's names (`minidl.nn.functional` as `F`)."""
from ..ops import relu, sigmoid, softmax, tanh
from .activation import gelu
from .attention import attention, scaled_dot_product_attention
from .dropout import dropout
from .linear import linear

__all__ = ["attention", "dropout", "gelu", "linear", "relu", "scaled_dot_product_attention",
           "sigmoid", "softmax", "tanh"]
