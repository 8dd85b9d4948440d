"""hw4's models and training loops: ResNet9, LanguageModel, fit_lm and generate_words, and the
CIFAR-shaped digits."""
import numpy as np
import pytest

from conftest import minidl_reference

mdl = minidl_reference()


def test_resnet9_has_needles_431946_parameters_and_classifies_3x32x32_images():
    model = mdl.models.ResNet9()
    assert sum(p.numpy().size for p in model.parameters()) == 431_946
    assert [p.shape for p in model.parameters()][:2] == [(16, 3, 7, 7), (16,)]
    logits = model(mdl.Tensor(np.zeros((2, 3, 32, 32))))
    assert logits.shape == (2, 10)


def test_digits32_are_the_digits_in_cifars_shape_each_tinted_with_one_colour():
    images, labels = mdl.data.digits32(train=True).arrays
    small, same_labels = mdl.data.digits(train=True).arrays
    assert images.shape == (1500, 3, 32, 32) and images.dtype == np.float32
    np.testing.assert_array_equal(labels, same_labels)
    large = small.repeat(4, axis=2).repeat(4, axis=3)  # (1500, 1, 32, 32)
    tint = (images * large).sum(axis=(2, 3)) / (large * large).sum(axis=(2, 3))
    assert tint.min() >= 0.3 and tint.max() <= 1.0 and tint.std() > 0.1
    np.testing.assert_allclose(images, large * tint[:, :, None, None], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind, states", [("rnn", 1), ("lstm", 2), ("gru", 1)])
def test_language_model_gives_logits_per_word_and_its_state(kind, states):
    model = mdl.models.LanguageModel(8, 30, 6, num_layers=2, seq_model=kind)
    logits, state = model(mdl.Tensor(np.arange(12).reshape(4, 3)))
    assert logits.shape == (12, 30)
    assert len(state if states == 2 else (state,)) == states
    assert all(s.shape == (2, 3, 6) for s in (state if states == 2 else (state,)))
    with pytest.raises(ValueError, match="seq_model must be one of"):
        mdl.models.LanguageModel(8, 30, 6, seq_model="transformer")


def test_fit_lm_learns_a_repeating_text_and_generate_continues_it():
    mdl.init.manual_seed(0)
    corpus = mdl.data.Corpus(["a b c d e f"] * 40, ["a b c d e f"] * 8)
    train = mdl.data.batchify(corpus.train, 4)
    test = mdl.data.batchify(corpus.test, 4)
    model = mdl.models.LanguageModel(8, len(corpus.dictionary), 16, seq_model="lstm")
    optimizer = mdl.optim.Adam(model.parameters(), lr=0.02)
    history = mdl.train.fit_lm(model, train, test, 10, optimizer, epochs=4, progress=False)
    assert history.train_loss[-1] < history.train_loss[0] / 4, history.train_loss
    assert history.eval_accuracy[-1] > 0.95, history.eval_accuracy
    text = mdl.train.generate_words(model, corpus.dictionary, "c d", 9, temperature=0.1)
    assert text == "c d e f <eos> a b c d e f"
    with pytest.raises(ValueError, match=r"not in the dictionary: \['zebra'\]"):
        mdl.train.generate_words(model, corpus.dictionary, "a zebra", 3)


def test_training_windows_carry_the_state_but_not_its_graph():
    model = mdl.models.LanguageModel(4, 10, 5, seq_model="gru")
    batches = mdl.data.batchify(np.arange(10).repeat(9), 3)  # 30 rows: windows of 10, 10, 9
    seen = []
    forward = model.forward

    def spy(x, h=None):
        seen.append(h)
        return forward(x, h)

    model.forward = spy
    mdl.train.train_lm_epoch(model, batches, 10, mdl.optim.SGD(model.parameters(), lr=0.1),
                              progress=False)
    assert seen[0] is None and len(seen) == 3
    assert all(h is not None and h.op is None and not h.requires_grad for h in seen[1:])


def test_one_history_plots_what_was_recorded_against_its_unit():
    import matplotlib
    matplotlib.use("Agg")
    with pytest.raises(ValueError, match="nothing was recorded"):
        mdl.train.History().plot()
    steps = mdl.train.History(unit="step", train_loss=[3.0, 2.0, 1.5], learning_rate=[1, 1, 0.5],
                              eval_at=[3], eval_loss=[1.8]).plot()
    assert [(a.get_xlabel(), a.get_ylabel()) for a in steps.axes] == \
        [("step", "loss"), ("step", "learning rate")]
    assert [list(line.get_xdata()) for line in steps.axes[0].lines] == [[1, 2, 3], [3]]
    epochs = mdl.train.History(train_loss=[1.0, 0.5], train_accuracy=[0.5, 0.8], eval_at=[1, 2],
                               eval_loss=[1.1, 0.7], eval_accuracy=[0.4, 0.7]).plot()
    assert [a.get_ylabel() for a in epochs.axes] == ["loss", "accuracy"]
