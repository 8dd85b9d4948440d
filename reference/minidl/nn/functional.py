"""Layers as functions, under PyTorch's names (`minidl.nn.functional` as `F`)."""
from ..ops import relu, sigmoid, softmax, tanh
from .attention import attention, dropout, gelu, scaled_dot_product_attention

__all__ = ["attention", "dropout", "gelu", "relu", "scaled_dot_product_attention", "sigmoid",
           "softmax", "tanh"]
