#!/usr/bin/python3
"""Makes the GGUF test files in this folder, once; the outputs are committed.

    /usr/bin/python3 tests/data/gguf/make_gguf.py GGUF_PY [OUT_DIR]

GGUF_PY is the gguf-py folder of a llama.cpp checkout (https://github.com/ggml-org/llama.cpp,
folder gguf-py; it needs numpy only). OUT_DIR defaults to this script's folder.

Each model starts as a small Hugging Face checkpoint made here from a fixed seed: model.safetensors
(written by hand: an 8-byte little-endian header length, the JSON header, the bytes), config.json
and a byte-level BPE tokenizer.json. convert_hf_to_gguf.py needs transformers, which the test
machines lack, so its Mamba / Mamba-2 steps are repeated here with gguf-py's own pieces: the
tensor name map, GGUFWriter, SpecialVocab and quants.quantize: A_log becomes A = -exp(A_log),
conv1d weights are squeezed, Mamba-2's A and D gain a trailing 1, its norm becomes
[n_groups, d_inner / n_groups], the token list is padded with UNUSED [PAD{i}] tokens to the
vocabulary size, and a tied lm_head is not written. 1-D tensors, norms, conv1d and every tensor
not named *.weight stay F32; a tensor whose rows do not split into the type's blocks falls back to
F16, as the converter does.

gguf-py cannot quantise to Q4_K, Q5_K or Q6_K; those tensors are random blocks with finite
scales, their values whatever the blocks decode to. For every file that is not F32 the values the
model reads are written beside it as an F32 Hugging Face folder (<name>.ref/), decoded by gguf-py's
own quants.dequantize with the converter's transforms undone, independently of ssmscope's reader.

Outputs:
  mamba1/, mamba2/         source checkpoints (Mamba-1 tied, Mamba-2 untied with 2 groups)
  mamba1-f32.gguf, mamba2-f32.gguf
  mamba1-f16.gguf, mamba1-q8_0.gguf, mamba2-q8_0.gguf
  mamba1-q4q5.gguf         Q4_0, Q4_1, Q5_0, Q5_1 and BF16 on different tensors
  mamba2k-kquant.gguf      Mamba-2 with d_inner 256, out_proj as Q4_K, Q5_K and Q6_K by layer
  <each non-F32 file>.ref/ config.json and model.safetensors of the decoded values
"""

import json
import os
import struct
import sys
from pathlib import Path

import numpy as np


def load_gguf_py(path):
    sys.path.insert(0, str(Path(path).resolve()))
    import gguf  # noqa: E402

    return gguf


# --- the source checkpoints -------------------------------------------------------------------

BASE_TOKENS = ["<|endoftext|>", "a", "b", "c", "d", "e", "h", "l", "o", "n", "t", "'", "1", "2",
               "3", "!", "?", "\u0120", "\u010a", "\u00c3", "\u00a9", "\u00cc", "\u0123"]
MERGES = [("b", "c"), ("a", "b"), ("a", "a"), ("l", "l"), ("h", "e"), ("he", "ll"),
          ("hell", "o"), ("n", "'"), ("'", "t"), ("\u0120", "\u0120"), ("\u00c3", "\u00a9"),
          ("h", "\u00c3\u00a9"), ("\u0120", "1"), ("\u01201", "2"), ("1", "2"), ("\u0120", "a"),
          ("!", "!"), ("\u010a", "\u010a")]
VOCAB = 48  # 41 tokens, padded to a multiple of 16 (the converter's Mamba-2 pad; 8 for Mamba)


def tokenizer_json():
    vocab = {t: i for i, t in enumerate(BASE_TOKENS)}
    for a, b in MERGES:
        vocab[a + b] = len(vocab)
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                  "use_regex": True}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [{"id": 0, "content": "<|endoftext|>", "single_word": False,
                          "lstrip": False, "rstrip": False, "normalized": False,
                          "special": True}],
        "normalizer": {"type": "NFC"}, "pre_tokenizer": byte_level,
        "post_processor": byte_level, "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "vocab": vocab, "merges": [f"{a} {b}" for a, b in MERGES]},
    }


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        t = np.ascontiguousarray(t, dtype=np.float32)
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + t.nbytes]}
        blobs.append(t.tobytes())
        offset += t.nbytes
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    data = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + b:8 + n + end], dtype=np.float32).reshape(e["shape"])
    return out


def make_mamba1(rng, d_model, n_layer, d_state, dt_rank, tied):
    d_inner, d_conv = 2 * d_model, 4
    config = {"architectures": ["MambaForCausalLM"], "model_type": "mamba",
              "hidden_size": d_model, "num_hidden_layers": n_layer, "vocab_size": VOCAB,
              "state_size": d_state, "expand": 2, "conv_kernel": d_conv,
              "intermediate_size": d_inner, "time_step_rank": dt_rank, "use_bias": False,
              "use_conv_bias": True, "layer_norm_epsilon": 1e-5, "pad_vocab_size_multiple": 8,
              "tie_word_embeddings": tied, "bos_token_id": 0, "eos_token_id": 0,
              "torch_dtype": "float32"}
    n = lambda *s, scale=1.0: (rng.standard_normal(s) * scale).astype(np.float32)  # noqa: E731
    t = {"backbone.embeddings.weight": n(VOCAB, d_model, scale=0.5)}
    for i in range(n_layer):
        p = f"backbone.layers.{i}."
        dt = np.exp(rng.uniform(np.log(1e-3), np.log(1e-1), d_inner))
        t[p + "norm.weight"] = 1 + n(d_model, scale=0.1)
        t[p + "mixer.in_proj.weight"] = n(2 * d_inner, d_model, scale=d_model ** -0.5)
        t[p + "mixer.conv1d.weight"] = n(d_inner, 1, d_conv, scale=0.5)
        t[p + "mixer.conv1d.bias"] = n(d_inner, scale=0.1)
        t[p + "mixer.x_proj.weight"] = n(dt_rank + 2 * d_state, d_inner, scale=d_inner ** -0.5)
        t[p + "mixer.dt_proj.weight"] = n(d_inner, dt_rank, scale=dt_rank ** -0.5)
        t[p + "mixer.dt_proj.bias"] = (dt + np.log(-np.expm1(-dt))).astype(np.float32)
        a = np.tile(np.arange(1, d_state + 1, dtype=np.float64), (d_inner, 1))
        t[p + "mixer.A_log"] = np.log(a * rng.uniform(0.8, 1.2, a.shape)).astype(np.float32)
        t[p + "mixer.D"] = 1 + n(d_inner, scale=0.1)
        t[p + "mixer.out_proj.weight"] = n(d_model, d_inner, scale=d_inner ** -0.5)
    t["backbone.norm_f.weight"] = 1 + n(d_model, scale=0.1)
    if not tied:
        t["lm_head.weight"] = n(VOCAB, d_model, scale=0.5)
    return config, t


def make_mamba2(rng, d_model, n_layer, d_state, expand, head_dim, n_groups, tied):
    d_inner, d_conv = expand * d_model, 4
    heads = d_inner // head_dim
    conv_dim = d_inner + 2 * n_groups * d_state
    config = {"architectures": ["Mamba2ForCausalLM"], "model_type": "mamba2",
              "hidden_size": d_model, "num_hidden_layers": n_layer, "vocab_size": VOCAB,
              "state_size": d_state, "expand": expand, "conv_kernel": d_conv,
              "head_dim": head_dim, "num_heads": heads, "n_groups": n_groups,
              "use_bias": False, "use_conv_bias": True, "layer_norm_epsilon": 1e-5,
              "rms_norm": True, "chunk_size": 256, "tie_word_embeddings": tied,
              "bos_token_id": 0, "eos_token_id": 0, "torch_dtype": "float32"}
    n = lambda *s, scale=1.0: (rng.standard_normal(s) * scale).astype(np.float32)  # noqa: E731
    t = {"backbone.embeddings.weight": n(VOCAB, d_model, scale=0.5)}
    for i in range(n_layer):
        p = f"backbone.layers.{i}."
        dt = np.exp(rng.uniform(np.log(1e-3), np.log(1e-1), heads))
        t[p + "norm.weight"] = 1 + n(d_model, scale=0.1)
        t[p + "mixer.in_proj.weight"] = n(2 * d_inner + 2 * n_groups * d_state + heads, d_model,
                                          scale=d_model ** -0.5)
        t[p + "mixer.conv1d.weight"] = n(conv_dim, 1, d_conv, scale=0.5)
        t[p + "mixer.conv1d.bias"] = n(conv_dim, scale=0.1)
        t[p + "mixer.dt_bias"] = (dt + np.log(-np.expm1(-dt))).astype(np.float32)
        t[p + "mixer.A_log"] = np.log(rng.uniform(1, 16, heads)).astype(np.float32)
        t[p + "mixer.D"] = 1 + n(heads, scale=0.1)
        t[p + "mixer.norm.weight"] = 1 + n(d_inner, scale=0.1)
        t[p + "mixer.out_proj.weight"] = n(d_model, d_inner, scale=d_inner ** -0.5)
    t["backbone.norm_f.weight"] = 1 + n(d_model, scale=0.1)
    if not tied:
        t["lm_head.weight"] = n(VOCAB, d_model, scale=0.5)
    return config, t


def write_hf(folder, config, tensors, with_tokenizer=True):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    write_safetensors(folder / "model.safetensors", tensors)
    if with_tokenizer:
        (folder / "tokenizer.json").write_text(json.dumps(tokenizer_json(), ensure_ascii=False,
                                                          indent=1) + "\n")
        (folder / "tokenizer_config.json").write_text(json.dumps(
            {"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
             "add_bos_token": False}) + "\n")


# --- the converter's steps --------------------------------------------------------------------

def random_k_blocks(gguf, rng, qtype, n_blocks):
    """Valid blocks of a K-quant type: random quants and scales, finite small f16 super-scales."""
    Q = gguf.GGMLQuantizationType
    _, size = gguf.GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, (n_blocks, size), dtype=np.uint8)
    half = lambda lo, hi: np.array([rng.uniform(lo, hi)], dtype=np.float16).view(np.uint8)  # noqa
    if qtype in (Q.Q4_K, Q.Q5_K):  # d, dmin at the start
        raw[:, 0:2] = half(1e-4, 2e-4)
        raw[:, 2:4] = half(1e-3, 3e-3)
    else:  # Q6_K: d at the end
        raw[:, size - 2:size] = half(2e-5, 4e-5)
    return raw


def convert(gguf, rng, src, out, choose, file_type):
    """Writes src (an HF folder) as GGUF `out`; choose(gguf_name, array) -> the type to try for a
    tensor the converter would quantise. Returns the decoded tensors under their HF names."""
    Q = gguf.GGMLQuantizationType
    config = json.loads((src / "config.json").read_text())
    tensors = read_safetensors(src / "model.safetensors")
    m2 = config["model_type"] == "mamba2"
    arch_enum = gguf.MODEL_ARCH.MAMBA2 if m2 else gguf.MODEL_ARCH.MAMBA
    arch = gguf.MODEL_ARCH_NAMES[arch_enum]
    n_layer = config["num_hidden_layers"]
    d_model = config["hidden_size"]
    d_inner = config["expand"] * d_model
    names = gguf.get_tensor_name_map(arch_enum, n_layer)

    w = gguf.GGUFWriter(str(out), arch)
    w.add_name(src.name)
    w.add_context_length(2 ** 20)
    w.add_embedding_length(d_model)
    w.add_feed_forward_length(0)
    w.add_head_count(0)
    w.add_block_count(n_layer)
    w.add_ssm_conv_kernel(config["conv_kernel"])
    w.add_ssm_inner_size(d_inner)
    w.add_ssm_state_size(config["state_size"])
    if m2:
        w.add_ssm_time_step_rank(d_inner // config["head_dim"])
        w.add_ssm_group_count(config["n_groups"])
    else:
        w.add_ssm_time_step_rank(config["time_step_rank"])
    w.add_layer_norm_rms_eps(config["layer_norm_epsilon"])
    if not m2:
        w.add_ssm_dt_b_c_rms(False)
    w.add_file_type(file_type)

    # _set_vocab_gpt2: every id below the (padded) vocabulary size, missing ones as [PAD{i}].
    tok = json.loads((src / "tokenizer.json").read_text())
    reverse = {i: t for t, i in tok["model"]["vocab"].items()}
    special = {a["id"] for a in tok["added_tokens"] if a["special"]}
    tokens, types = [], []
    for i in range(config["vocab_size"]):
        if i not in reverse:
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
        else:
            tokens.append(reverse[i])
            types.append(gguf.TokenType.CONTROL if i in special else gguf.TokenType.NORMAL)
    w.add_tokenizer_model("gpt2")
    # The converter names the pre-tokenizer by a hash of known tokenizers; this one is GPT-2's.
    w.add_tokenizer_pre("gpt-2")
    w.add_token_list(tokens)
    w.add_token_types(types)
    gguf.SpecialVocab(src, load_merges=True).add_to_gguf(w)

    decoded = {}
    emb = tensors["backbone.embeddings.weight"]
    for name, data in tensors.items():
        hf_name = name
        if name.endswith(".dt_bias"):
            name = name[: -len(".dt_bias")] + ".dt_proj.bias"
        if name == "lm_head.weight" and np.array_equal(data, emb):
            continue
        new = names.get_name(name, try_suffixes=(".weight", ".bias"))
        assert new, name
        x = data.astype(np.float32)
        if name.endswith(".A_log"):
            x = -np.exp(x)
        if ".ssm_conv1d." in new:
            x = x.squeeze()
        elif m2 and (new.endswith(".ssm_a") or new.endswith(".ssm_d")):
            x = x.reshape((*x.shape, 1))
        elif m2 and new.endswith(".ssm_norm.weight"):
            g = config["n_groups"]
            x = x.reshape((g, d_inner // g))

        qtype = None
        if x.ndim <= 1 or new.endswith("_norm.weight") or ".ssm_conv1d." in new \
                or not new.endswith(".weight"):
            qtype = Q.F32
        if qtype is None:
            qtype = choose(new, x)
        block = gguf.GGML_QUANT_SIZES[qtype][0]
        if x.shape[-1] % block != 0:
            qtype = Q.F16
        if qtype in (Q.Q4_K, Q.Q5_K, Q.Q6_K):
            raw = random_k_blocks(gguf, rng, qtype, x.size // 256)
            raw = raw.reshape((*x.shape[:-1], -1))
        else:
            raw = gguf.quants.quantize(x, qtype)
        w.add_tensor(new, raw, raw_dtype=qtype)

        # What the model reads: gguf-py's decoding, the transforms undone.
        y = gguf.quants.dequantize(raw, qtype).astype(np.float32)
        if name.endswith(".A_log"):
            y = np.log(-y.astype(np.float64)).astype(np.float32)
        decoded[hf_name] = y.reshape(data.shape)

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return config, decoded


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    gguf = load_gguf_py(sys.argv[1])
    out = Path(sys.argv[2]) if len(sys.argv) == 3 else Path(__file__).resolve().parent
    Q, F = gguf.GGMLQuantizationType, gguf.LlamaFileType
    rng = np.random.default_rng(20261202)

    config, t = make_mamba1(rng, d_model=32, n_layer=2, d_state=8, dt_rank=2, tied=True)
    write_hf(out / "mamba1", config, t)
    config, t = make_mamba2(rng, d_model=32, n_layer=2, d_state=16, expand=2, head_dim=16,
                            n_groups=2, tied=False)
    write_hf(out / "mamba2", config, t)
    # d_inner 256 so that out_proj's rows are whole K-quant super-blocks. Only the .gguf and its
    # decoded .ref/ are kept.
    tmp = out / "mamba2k.src"
    config, t = make_mamba2(rng, d_model=32, n_layer=3, d_state=16, expand=8, head_dim=64,
                            n_groups=1, tied=True)
    write_hf(tmp, config, t)

    mix45 = {"ssm_in": Q.Q4_0, "ssm_x": Q.Q4_1, "ssm_out": Q.Q5_0, "token_embd": Q.Q5_1,
             "ssm_dt": Q.BF16}
    kmix = [Q.Q4_K, Q.Q5_K, Q.Q6_K]

    def by_part(table, default):
        return lambda name, x: next((q for k, q in table.items() if k in name), default)

    def k_by_layer(name, x):
        if name.endswith("ssm_out.weight"):
            return kmix[int(name.split(".")[1]) % 3]
        return Q.F16

    jobs = [
        ("mamba1", "mamba1-f32", lambda n, x: Q.F32, F.ALL_F32, False),
        ("mamba2", "mamba2-f32", lambda n, x: Q.F32, F.ALL_F32, False),
        ("mamba1", "mamba1-f16", lambda n, x: Q.F16, F.MOSTLY_F16, True),
        ("mamba1", "mamba1-q8_0", lambda n, x: Q.Q8_0, F.MOSTLY_Q8_0, True),
        ("mamba2", "mamba2-q8_0", lambda n, x: Q.Q8_0, F.MOSTLY_Q8_0, True),
        ("mamba1", "mamba1-q4q5", by_part(mix45, Q.Q8_0), F.MOSTLY_Q4_0, True),
        ("mamba2k.src", "mamba2k-kquant", k_by_layer, F.MOSTLY_Q4_K_M, True),
    ]
    for src, name, choose, ftype, ref in jobs:
        config, decoded = convert(gguf, rng, out / src, out / f"{name}.gguf", choose, ftype)
        if ref:
            write_hf(out / f"{name}.ref", config, decoded, with_tokenizer=False)
        print(f"{name}.gguf: {os.path.getsize(out / f'{name}.gguf')} bytes")
    for f in tmp.iterdir():
        f.unlink()
    tmp.rmdir()


if __name__ == "__main__":
    main()
