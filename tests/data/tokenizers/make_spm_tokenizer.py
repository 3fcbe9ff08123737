#!/usr/bin/python3
"""Builds the SentencePiece-style tokenizer.json files of tests/tokenizer, once.

Run from the repository root, with Debian's python3-sentencepiece installed:

    /usr/bin/python3 tests/data/tokenizers/make_spm_tokenizer.py

It trains a small SentencePiece BPE model (800 pieces, byte fallback) on a few Python sources that
Debian's python3.11 package installs, then writes the model as a Hugging Face tokenizer.json in
the layouts Llama- and Mistral-derived checkpoints ship:

  spm_legacy.json     normalizer Prepend("▁") + Replace(" " -> "▁"), no pre-tokenizer, decoder
                      Replace("▁" -> " "), ByteFallback, Fuse, Strip(1 left); "<s>" template
  spm_metaspace.json  pre-tokenizer Metaspace (prepend_scheme "first", split), decoder Metaspace,
                      ByteFallback, Fuse
  spm_metaspace_always.json  Metaspace (prepend_scheme "always", no split) as pre-tokenizer and
                      as the only decoder

The vocabulary is the model's pieces with their ids. The merges are derived from the vocabulary
the way the Hugging Face converter does it for SentencePiece BPE: every split of a piece into two
pieces of the vocabulary is a merge, ranked by the piece's score (best first), ties by the ids of
the left and then the right part. The outputs are committed; tests and CI do not run this.
"""
import json
import os
import sys
import tempfile

import sentencepiece as spm

SOURCES = ["textwrap.py", "string.py", "shlex.py", "fractions.py", "statistics.py", "heapq.py"]
LIB = "/usr/lib/python3.11"
OUT = os.path.dirname(os.path.abspath(__file__))
META = "\u2581"


def train(workdir):
    corpus = os.path.join(workdir, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as out:
        for name in SOURCES:
            with open(os.path.join(LIB, name), encoding="utf-8") as f:
                out.write(f.read())
    prefix = os.path.join(workdir, "spm")
    spm.SentencePieceTrainer.train(
        input=corpus, model_prefix=prefix, model_type="bpe", vocab_size=800,
        byte_fallback=True, character_coverage=0.9995, num_threads=1,
        split_digits=True, max_sentence_length=100000, add_dummy_prefix=True,
        remove_extra_whitespaces=False, normalization_rule_name="identity",
        unk_id=0, bos_id=1, eos_id=2, pad_id=-1, minloglevel=2)
    return spm.SentencePieceProcessor(model_file=prefix + ".model")


def vocab_and_merges(sp):
    vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
    scored = []
    for piece, pid in vocab.items():
        if sp.is_control(pid) or sp.is_unknown(pid) or sp.is_byte(pid):
            continue
        splits = [(piece[:k], piece[k:]) for k in range(1, len(piece))
                  if piece[:k] in vocab and piece[k:] in vocab]
        splits.sort(key=lambda lr: (vocab[lr[0]], vocab[lr[1]]))
        scored += [(sp.get_score(pid), left, right) for left, right in splits]
    # A stable sort by descending score keeps the id order of equal scores.
    scored.sort(key=lambda s: -s[0])
    return vocab, [[left, right] for _, left, right in scored]


def tokenizer_json(sp, vocab, merges, metaspace, scheme="first", split=True):
    specials = [{"id": i, "content": sp.id_to_piece(i), "single_word": False, "lstrip": False,
                 "rstrip": False, "normalized": False, "special": True} for i in (0, 1, 2)]
    template = {"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                           {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                         {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": "<s>", "type_id": 1}},
                         {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}}
    doc = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": specials}
    if metaspace:
        meta = {"type": "Metaspace", "replacement": META, "prepend_scheme": scheme,
                "split": split}
        doc["normalizer"] = None
        doc["pre_tokenizer"] = meta
        doc["post_processor"] = template
        # The Metaspace decoder alone leaves byte tokens as written (<0x0A>), as in HF.
        doc["decoder"] = meta if scheme == "always" else {"type": "Sequence", "decoders": [
            meta, {"type": "ByteFallback"}, {"type": "Fuse"}]}
    else:
        doc["normalizer"] = {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": META},
            {"type": "Replace", "pattern": {"String": " "}, "content": META}]}
        doc["pre_tokenizer"] = None
        doc["post_processor"] = template
        doc["decoder"] = {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": META}, "content": " "},
            {"type": "ByteFallback"}, {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
    doc["model"] = {"type": "BPE", "dropout": None, "unk_token": "<unk>",
                    "continuing_subword_prefix": None, "end_of_word_suffix": None,
                    "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                    "vocab": vocab, "merges": merges}
    return doc


def main():
    with tempfile.TemporaryDirectory() as workdir:
        sp = train(workdir)
    vocab, merges = vocab_and_merges(sp)
    variants = (("spm_legacy.json", False, "first", True),
                ("spm_metaspace.json", True, "first", True),
                ("spm_metaspace_always.json", True, "always", False))
    for name, metaspace, scheme, split in variants:
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            json.dump(tokenizer_json(sp, vocab, merges, metaspace, scheme, split), f,
                      ensure_ascii=False, indent=1)
            f.write("\n")
    print(f"{len(vocab)} pieces, {len(merges)} merges", file=sys.stderr)


if __name__ == "__main__":
    main()
