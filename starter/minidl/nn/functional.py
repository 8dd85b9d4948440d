"""Layers as functions, under PyTorch's names (`minidl.nn.functional` as `F`)."""
from ..ops import relu, sigmoid, softmax, tanh
from .activation import gelu, leaky_relu, silu
from .attention import attention, scaled_dot_product_attention
from .convolution import conv_transpose2d, interpolate
from .dropout import dropout
from .linear import linear
from .loss import binary_cross_entropy_with_logits, gaussian_nll_loss
from .normalization import group_norm

__all__ = ["attention", "binary_cross_entropy_with_logits", "conv_transpose2d", "dropout",
           "gaussian_nll_loss", "gelu", "group_norm", "interpolate", "leaky_relu", "linear",
           "relu", "scaled_dot_product_attention", "sigmoid", "silu", "softmax", "tanh"]
