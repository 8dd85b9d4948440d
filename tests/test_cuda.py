"""minidl.cuda(): without a GPU, its numba.cuda kernels really run, in Numba's simulator."""
import numpy as np

from conftest import minidl_reference

mdl = minidl_reference()
backend = mdl.cuda().module


class RecordingKernel:
    """Stands in for a kernel: notes each launch configuration, then launches the real one."""

    def __init__(self, kernel):
        self.kernel, self.launches = kernel, []

    def __getitem__(self, configuration):
        self.launches.append(configuration)
        return self.kernel[configuration]


def test_without_a_gpu_the_kernels_are_launched_in_numbas_simulator(monkeypatch):
    if backend.SIMULATED:
        assert type(backend._compact).__module__.startswith("numba.cuda.simulator")
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
