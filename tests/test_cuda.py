"""minidl.cuda(): without a GPU, its numba.cuda kernels really run, in Numba's simulator."""
import numpy as np

from conftest import minidl_reference

mdl = minidl_reference()
backend, tuned = mdl.cuda().backend, mdl.cuda().tuned


class RecordingKernel:
    """Stands in for a kernel: notes each launch configuration, then launches the real one."""

    def __init__(self, kernel):
        self.kernel, self.launches = kernel, []

    def __getitem__(self, configuration):
        self.launches.append(configuration)
        return self.kernel[configuration]


def test_without_a_gpu_the_kernels_are_launched_in_numbas_simulator(monkeypatch):
    if backend.SIMULATED:
        assert type(backend._compact.dispatcher).__module__.startswith("numba.cuda.simulator")
    recorder = RecordingKernel(backend._compact)
    monkeypatch.setattr(backend, "_compact", recorder)
    data = np.arange(70, dtype="float32").reshape(7, 10)
    transposed = mdl.cuda().array(data).permute((1, 0)).compact()
    np.testing.assert_array_equal(transposed.numpy(), data.T)
    blocks = -(-70 // backend.THREADS)  # every one of the 70 elements gets a thread
    assert recorder.launches[0] == (blocks, backend.THREADS)



def test_a_views_shape_and_strides_are_copied_to_the_device_once():
    data = np.arange(12, dtype="float32").reshape(3, 4)
    view = mdl.cuda().array(data).permute((1, 0))
    view.compact()
    copies = backend._device_indices.cache_info().misses
    again = view.compact()
    assert backend._device_indices.cache_info().misses == copies
    np.testing.assert_array_equal(again.numpy(), data.T)


def test_the_register_tiled_matmul_matches_numpy_across_block_and_tile_edges():
    rng = np.random.default_rng(0)
    for (m, n, p), dtype in [((9, 5, 17), "float32"), ((16, 8, 8), "float64"),
                             ((1, 3, 2), "float32"), ((tuned.BLOCK_M + 3, 2, 7), "float64")]:
        a, b = rng.standard_normal((m, n)).astype(dtype), rng.standard_normal((n, p)).astype(dtype)
        out = backend.empty(m * p, dtype)
        tuned._register_tiled_matmul(backend.xp.asarray(a.ravel()), backend.xp.asarray(b.ravel()),
                                       out, m, n, p)
        np.testing.assert_allclose(backend._host(out).reshape(m, p), a @ b, rtol=1e-5, atol=1e-6)
