"""The reference nn library, optimizers, data loading and training (hw2)."""
import functools
import gc
import gzip
import http.server
import threading
import tracemalloc

import numpy as np
import pytest

from conftest import REFERENCE, load_implementation

mdl = load_implementation(REFERENCE)
nn, data = mdl.nn, mdl.data


def test_state_dict_round_trips_and_names_follow_pytorch():
    mdl.init.manual_seed(0)
    model = mdl.models.MLPResNet(64, hidden_dim=8, num_blocks=1)
    state = model.state_dict()
    assert list(state)[:2] == ["1.weight", "1.bias"]
    assert state["1.weight"].shape == (8, 64)
    assert "3.0.fn.1.running_mean" in state and "3.0.fn.1.num_batches_tracked" in state
    other = mdl.models.MLPResNet(64, hidden_dim=8, num_blocks=1)
    other.load_state_dict(state)
    x = mdl.Tensor(np.random.default_rng(0).standard_normal((5, 64)))
    model.eval(), other.eval()
    np.testing.assert_array_equal(model(x).numpy(), other(x).numpy())


def test_load_state_dict_names_missing_unexpected_and_misshapen_entries():
    layer = nn.Linear(3, 2)
    with pytest.raises(KeyError, match=r"missing keys \['bias'\].*unexpected keys \['b'\]"):
        layer.load_state_dict({"weight": np.zeros((2, 3)), "b": np.zeros(2)})
    with pytest.raises(ValueError, match=r"weight has shape \(3, 2\).*\(2, 3\)"):
        layer.load_state_dict({"weight": np.zeros((3, 2)), "bias": np.zeros(2)})


def test_layers_and_losses_name_the_shapes_they_cannot_take():
    with pytest.raises(ValueError, match=r"last dimension is 3, got shape \(4, 5\)"):
        nn.Linear(3, 2)(mdl.Tensor(np.zeros((4, 5))))
    with pytest.raises(ValueError, match=r"labels have shape \(3,\), expected \(4,\)"):
        nn.SoftmaxLoss()(mdl.Tensor(np.zeros((4, 5))), np.zeros(3))
    with pytest.raises(ValueError, match=r"\(2, 3\) and target \(3, 2\)"):
        nn.MSELoss()(mdl.Tensor(np.zeros((2, 3))), mdl.Tensor(np.zeros((3, 2))))


def test_module_repr_reads_like_pytorchs():
    text = repr(nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Dropout(0.2)))
    assert text == ("Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n"
                    "  (1): ReLU()\n  (2): Dropout(p=0.2)\n)")


def test_train_and_eval_reach_every_submodule():
    model = mdl.models.MLPResNet(4, hidden_dim=4, num_blocks=2)
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_dataloader_refuses_empty_datasets_and_batch_size_zero():
    dataset = data.ArrayDataset(np.zeros((0, 2)), np.zeros(0))
    with pytest.raises(ValueError, match="empty"):
        data.DataLoader(dataset)
    with pytest.raises(ValueError, match="batch_size must be at least 1, got 0"):
        data.DataLoader(data.ArrayDataset(np.zeros((3, 2)), np.zeros(3)), batch_size=0)


def test_optimizer_steps_keep_memory_flat_over_1000_steps():
    layer = nn.Linear(20, 10)
    optimizer = mdl.optim.Adam(layer.parameters(), lr=1e-3)
    x, y = mdl.Tensor(np.ones((8, 20))), np.arange(8) % 10

    def step():
        optimizer.zero_grad()
        nn.SoftmaxLoss()(layer(x), y).backward()
        optimizer.step()

    tracemalloc.start()
    for _ in range(1000):  # Python's and NumPy's free lists and caches fill up first
        step()
    gc.collect()
    warm = tracemalloc.get_traced_memory()[0]
    for _ in range(1000):
        step()
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - warm
    tracemalloc.stop()
    # One step's graph holds about 30 tensors and their arrays, over 3 KB: a graph kept alive
    # per step would grow memory by more than 3 MB here; caches account for a few dozen KB.
    assert grown < 256 * 1024, grown
    assert all(p.is_leaf() for p in layer.parameters())


def test_mlp_resnet_reaches_97_percent_on_the_digits_within_20_epochs():
    mdl.init.manual_seed(0)
    train = data.DataLoader(data.digits(True), batch_size=32, shuffle=True, seed=0)
    test = data.DataLoader(data.digits(False), batch_size=300)
    model = mdl.models.MLPResNet(64, hidden_dim=100)
    optimizer = mdl.optim.Adam(model.parameters(), lr=0.001, weight_decay=1e-4)
    history = mdl.train.fit(model, train, test, optimizer, epochs=20, progress=False)
    assert max(history.eval_accuracy) >= 0.97 and history.eval_accuracy[-1] >= 0.97
    figure = history.plot()
    assert len(figure.axes) == 2 and len(figure.axes[0].lines) == 2


def test_the_bundled_digits_are_the_uci_test_set():
    images, labels = data.load_digits()
    assert images.shape == (1797, 1, 8, 8) and labels.shape == (1797,)
    assert images.min() == 0 and images.max() == 1 and set(labels) == set(range(10))
    assert len(data.digits(True)) + len(data.digits(False)) == 1797


# File formats, written by the tests themselves.

def _idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def mnist_server(tmp_path):
    """IDX files of a tiny MNIST, served over HTTP from 127.0.0.1."""
    rng = np.random.default_rng(0)
    served = tmp_path / "served"
    served.mkdir()
    arrays = {}
    for train, count in ((True, 6), (False, 4)):
        images, labels = rng.integers(0, 256, (count, 28, 28)), rng.integers(0, 10, count)
        names = data.datasets.MNIST_FILES[train]
        for name, array in zip(names, (images, labels)):
            (served / name).write_bytes(gzip.compress(_idx(array)))
        arrays[train] = images, labels
    handler = functools.partial(QuietHandler, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", arrays
    server.shutdown()


def test_mnist_is_downloaded_once_and_read_from_idx_files(mnist_server, tmp_path):
    url, arrays = mnist_server
    root = tmp_path / "mnist"
    dataset = data.mnist(root, train=True, download_from=url, progress=False)
    images, labels = arrays[True]
    assert len(dataset) == 6
    x, y = dataset[2]
    np.testing.assert_allclose(x[0], images[2] / 255.0, rtol=1e-6)
    assert y == labels[2]
    assert sorted(p.name for p in root.iterdir()) == sorted(data.datasets.MNIST_FILES[True])
    again = data.mnist(root, train=True, download_from="http://127.0.0.1:9/unreachable")
    assert len(again) == 6


def test_a_failed_download_leaves_no_partial_file(mnist_server, tmp_path):
    url, _ = mnist_server
    with pytest.raises(OSError, match="no-such-file"):
        data.download(f"{url}/no-such-file", tmp_path / "out" / "x.gz", progress=False)
    assert list((tmp_path / "out").iterdir()) == []


def test_missing_mnist_files_without_a_url_say_how_to_fetch_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="download_from"):
        data.mnist(tmp_path, train=False)


@pytest.mark.parametrize("damage, message", [
    (lambda b: b[:-10], "truncated or corrupt"),
    (lambda b: b"\x00\x00\x0d\x01" + b[4:], "not an IDX file"),
    (lambda b: b[:6], "truncated header"),
])
def test_corrupt_idx_files_are_named_in_the_error(tmp_path, damage, message):
    path = tmp_path / "labels.idx"
    path.write_bytes(damage(_idx(np.arange(20).reshape(4, 5))))
    with pytest.raises(data.DataFormatError, match=rf"labels\.idx.*{message}"):
        data.read_idx(path)


def test_a_corrupt_gzip_is_named_in_the_error(tmp_path):
    path = tmp_path / "images.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(data.DataFormatError, match="images.gz"):
        data.read_idx(path)


def _cifar_batch(rng, count):
    labels = rng.integers(0, 10, count).astype(np.uint8)
    pixels = rng.integers(0, 256, (count, 3072)).astype(np.uint8)
    return np.concatenate([labels[:, None], pixels], axis=1).tobytes(), labels, pixels


def test_cifar10_batches_are_read_channel_first(tmp_path):
    rng = np.random.default_rng(1)
    expected = []
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        raw, labels, pixels = _cifar_batch(rng, 3)
        (tmp_path / name).write_bytes(raw)
        expected.append((labels, pixels))
    train, test = data.cifar10(tmp_path, train=True), data.cifar10(tmp_path, train=False)
    assert len(train) == 15 and len(test) == 3
    x, y = train[4]
    labels, pixels = expected[1]
    assert x.shape == (3, 32, 32) and y == labels[1]
    np.testing.assert_allclose(x, pixels[1].reshape(3, 32, 32) / 255.0, rtol=1e-6)


def test_a_truncated_cifar_batch_is_named_in_the_error(tmp_path):
    raw, _, _ = _cifar_batch(np.random.default_rng(2), 2)
    (tmp_path / "test_batch.bin").write_bytes(raw[:-100])
    with pytest.raises(data.DataFormatError, match=r"test_batch\.bin.*truncated"):
        data.cifar10(tmp_path, train=False)


def test_a_pytorch_model_loads_and_computes_the_same():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install torch)")
    torch.manual_seed(0)
    block = torch.nn.Sequential(torch.nn.Linear(64, 16), torch.nn.BatchNorm1d(16),
                                torch.nn.ReLU(), torch.nn.Linear(16, 10), torch.nn.LayerNorm(10))
    x = np.random.default_rng(0).standard_normal((7, 64)).astype(np.float32)
    block.train()
    block(torch.from_numpy(x))
    block.eval()
    ours = nn.Sequential(nn.Linear(64, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 10),
                         nn.LayerNorm1d(10))
    ours.load_state_dict({k: v.detach().numpy() for k, v in block.state_dict().items()})
    ours.eval()
    np.testing.assert_allclose(ours(mdl.Tensor(x)).numpy(), block(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-5)
