### BEGIN REFERENCE ONLY
"""The kit's tuned paths on the NumPy device: NumPy's own kernels, with views and sums that
copy less, and convolutions over only the windows that read their input."""
from __future__ import annotations

from ..ops.conv_live import live_conv  # noqa: F401 -- the "live_conv" capability
from .views import view_elementwise, view_matmul, view_reduce, view_unary  # noqa: F401

PRIMITIVES = ()
CAPABILITIES = ("views", "live_conv")
### END REFERENCE ONLY
