"""Text corpora and language-model batching."""
import numpy as np
import pytest

from conftest import minidl_reference

mdl = minidl_reference()
data = mdl.data


def test_corpus_shares_one_dictionary_and_ends_lines_with_eos():
    corpus = data.Corpus(["a b a", "c"], ["b d"])
    words = corpus.dictionary.idx2word
    assert [words[i] for i in corpus.train] == ["a", "b", "a", "<eos>", "c", "<eos>"]
    assert [words[i] for i in corpus.test] == ["b", "d", "<eos>"]
    assert len(corpus.dictionary) == 5
    assert len(data.Corpus(["a", "b", "c"], ["d"], max_lines=2).train) == 4


def test_corpus_folder_reads_utf8_and_names_a_bad_file(tmp_path):
    (tmp_path / "train.txt").write_text("héllo world\nworld\n", encoding="utf-8")
    (tmp_path / "test.txt").write_text("world\n", encoding="utf-8")
    corpus = data.Corpus.from_folder(tmp_path)
    assert corpus.dictionary.idx2word[:2] == ["héllo", "world"]
    (tmp_path / "test.txt").write_bytes(b"\xff\xfe bad")
    with pytest.raises(data.DataFormatError, match=r"test.txt: not UTF-8"):
        data.Corpus.from_folder(tmp_path)
    with pytest.raises(data.DataFormatError, match=r"train.txt: missing"):
        data.Corpus.from_folder(tmp_path / "nowhere")


def test_python_docs_is_a_real_english_corpus():
    corpus = data.python_docs()
    assert len(corpus.train) > 40_000 and len(corpus.test) > 3_000
    assert len(corpus.dictionary) > 5_000
    assert {"the", "function", "<eos>"} <= set(corpus.dictionary.word2idx)


def test_batchify_and_get_batch_follow_pytorchs_word_language_model():
    ids = np.arange(23)
    batches = data.batchify(ids, 4)
    assert batches.shape == (5, 4)
    np.testing.assert_array_equal(batches[:, 1], [5, 6, 7, 8, 9])
    x, y = data.get_batch(batches, 0, 3)
    assert x.shape == (3, 4) and y.shape == (12,)
    np.testing.assert_array_equal(y.numpy().reshape(3, 4), batches[1:4])
    last_x, last_y = data.get_batch(batches, 3, 3)
    assert last_x.shape == (1, 4)
    np.testing.assert_array_equal(last_y.numpy(), batches[4])
    with pytest.raises(IndexError, match="no window starts at row 4"):
        data.get_batch(batches, 4, 3)
    with pytest.raises(ValueError, match="3 tokens cannot fill a batch of 4"):
        data.batchify(np.arange(3), 4)
