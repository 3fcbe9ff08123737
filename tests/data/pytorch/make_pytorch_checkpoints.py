#!/usr/bin/python3
# Writes the PyTorch test checkpoints of tests/data/pytorch/ and the seed corpus of
# tests/fuzz/corpus/pytorch/ with a real torch.save. Run once, from the repository root, with
# Debian's Python and LibTorch (apt-get install python3-torch python3-numpy):
#     /usr/bin/python3 tests/data/pytorch/make_pytorch_checkpoints.py
# The outputs are committed: the tests and CI read them and never need Python.
#
# Every case is a folder <case>/bin/ (config.json + pytorch_model.bin, or two shards + index) and
# <case>/safetensors/ (the same config.json and the same weights as model.safetensors), so that a
# test can compare the logits of the two. The weights are random, seeded, and tiny (d_model 16,
# two layers, vocab 48). Each .bin holds the tied head as the embedding's own storage and two
# views: a transposed out_proj (strides (1, 16)) and a D sliced at an offset out of a larger
# storage. The malicious pickles are torch.save zips whose data.pkl is written by hand.
import json
import os
import shutil
import struct

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "..", "..", "fuzz", "corpus", "pytorch")

D_MODEL, N_LAYER, VOCAB, D_STATE, D_CONV, EXPAND = 16, 2, 48, 4, 4, 2
E = EXPAND * D_MODEL
HEADDIM, NGROUPS = 8, 2
HEADS = E // HEADDIM
DT_RANK = 1  # ceil(16 / 16)

# The marker the os.system payload would create if anything ran it; the tests check it is absent.
MARKER = "/tmp/ssmscope-pytorch-payload-ran"


def mixer_tensors(arch, g):
    def randn(*shape, scale=0.2):
        return torch.randn(*shape, generator=g) * scale

    if arch == "mamba":
        return {
            "in_proj.weight": randn(2 * E, D_MODEL),
            "conv1d.weight": randn(E, 1, D_CONV),
            "conv1d.bias": randn(E, scale=0.1),
            "x_proj.weight": randn(DT_RANK + 2 * D_STATE, E),
            "dt_proj.weight": randn(E, DT_RANK),
            "dt_proj.bias": torch.rand(E, generator=g) * 2.0 - 3.0,
            "A_log": torch.log(torch.arange(1, D_STATE + 1, dtype=torch.float32)).repeat(E, 1)
            + randn(E, D_STATE, scale=0.05),
            "D": 1.0 + randn(E, scale=0.1),
            "out_proj.weight": randn(D_MODEL, E),
        }
    conv_dim = E + 2 * NGROUPS * D_STATE
    return {
        "in_proj.weight": randn(2 * E + 2 * NGROUPS * D_STATE + HEADS, D_MODEL),
        "conv1d.weight": randn(conv_dim, 1, D_CONV),
        "conv1d.bias": randn(conv_dim, scale=0.1),
        "dt_bias": torch.rand(HEADS, generator=g) * 2.0 - 3.0,
        "A_log": torch.log(torch.rand(HEADS, generator=g) * 15.0 + 1.0),
        "D": 1.0 + randn(HEADS, scale=0.1),
        "norm.weight": 1.0 + randn(E, scale=0.1),
        "out_proj.weight": randn(D_MODEL, E),
    }


def state_dict(arch, layout, dtype, seed):
    """The weights as torch.save gets them: with the tied head and the two views."""
    g = torch.Generator().manual_seed(seed)
    embed_name = "backbone.embedding.weight" if layout == "mamba_ssm" else "backbone.embeddings.weight"
    sd = {embed_name: (torch.randn(VOCAB, D_MODEL, generator=g) * 0.5).to(dtype)}
    for i in range(N_LAYER):
        p = f"backbone.layers.{i}."
        for k, v in mixer_tensors(arch, g).items():
            v = v.to(dtype)
            if i == 0 and k == "out_proj.weight":
                v = v.t().contiguous().t()  # a transposed view: strides (1, 16)
            if i == 1 and k == "D":
                big = torch.randn(3 * v.numel(), generator=g).to(dtype)
                big[5 : 5 + v.numel()] = v
                v = big[5 : 5 + v.numel()]  # offset 5 into a larger storage
            sd[p + "mixer." + k] = v
        sd[p + "norm.weight"] = (1.0 + torch.randn(D_MODEL, generator=g) * 0.1).to(dtype)
    sd["backbone.norm_f.weight"] = (1.0 + torch.randn(D_MODEL, generator=g) * 0.1).to(dtype)
    sd["lm_head.weight"] = sd[embed_name]  # tied: the same storage
    assert not sd["backbone.layers.0.mixer.out_proj.weight"].is_contiguous()
    assert sd["backbone.layers.1.mixer.D"].storage_offset() == 5
    return sd


def config(arch, layout, dtype):
    name = {torch.float32: "float32", torch.bfloat16: "bfloat16", torch.float16: "float16"}[dtype]
    if layout == "mamba_ssm":
        ssm = {"d_state": D_STATE, "d_conv": D_CONV, "expand": EXPAND}
        if arch == "mamba2":
            ssm.update({"layer": "Mamba2", "headdim": HEADDIM, "ngroups": NGROUPS, "chunk_size": 4})
        return {"d_model": D_MODEL, "n_layer": N_LAYER, "vocab_size": VOCAB, "ssm_cfg": ssm,
                "rms_norm": True, "residual_in_fp32": True, "fused_add_norm": True,
                "pad_vocab_size_multiple": 8, "tie_embeddings": True}
    c = {"model_type": arch, "hidden_size": D_MODEL, "num_hidden_layers": N_LAYER,
         "vocab_size": VOCAB, "state_size": D_STATE, "conv_kernel": D_CONV, "expand": EXPAND,
         "use_bias": False, "use_conv_bias": True, "tie_word_embeddings": True, "torch_dtype": name}
    if arch == "mamba":
        c["time_step_rank"] = DT_RANK
    else:
        c.update({"num_heads": HEADS, "head_dim": HEADDIM, "n_groups": NGROUPS, "chunk_size": 4})
    return c


SAFETENSORS_DTYPE = {torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16"}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.float32:
        return t.numpy().tobytes()
    return t.view(torch.int16).numpy().tobytes()  # bf16/f16: the raw 2-byte patterns


def write_safetensors(path, tensors):
    """The safetensors format by hand: u64 LE header length, JSON header, the bytes."""
    header, data = {}, b""
    for name in sorted(tensors):
        b = tensor_bytes(tensors[name])
        header[name] = {"dtype": SAFETENSORS_DTYPE[tensors[name].dtype],
                        "shape": list(tensors[name].shape),
                        "data_offsets": [len(data), len(data) + len(b)]}
        data += b
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def make_case(name, arch, layout, dtype, seed, shards=1):
    sd = state_dict(arch, layout, dtype, seed)
    cfg = config(arch, layout, dtype)
    b = fresh(os.path.join(ROOT, name, "bin"))
    s = fresh(os.path.join(ROOT, name, "safetensors"))
    write_json(os.path.join(b, "config.json"), cfg)
    write_json(os.path.join(s, "config.json"), cfg)
    if shards == 1:
        torch.save(sd, os.path.join(b, "pytorch_model.bin"))
    else:
        # transformers shards by size; here the tensors are split in two by order. The tied head
        # is left out, as transformers leaves out a tied weight.
        names = [n for n in sd if n != "lm_head.weight"]
        parts = [names[: len(names) // 2], names[len(names) // 2 :]]
        weight_map = {}
        for k, part in enumerate(parts):
            file = f"pytorch_model-{k + 1:05d}-of-{len(parts):05d}.bin"
            torch.save({n: sd[n] for n in part}, os.path.join(b, file))
            weight_map.update({n: file for n in part})
        write_json(os.path.join(b, "pytorch_model.bin.index.json"),
                   {"metadata": {"total_size": 0}, "weight_map": weight_map})
    # safetensors cannot hold two names for one storage: the tied head is left out, as
    # transformers does; config.json ties it.
    write_safetensors(os.path.join(s, "model.safetensors"),
                      {n: t for n, t in sd.items() if n != "lm_head.weight"})


def zip_with_pickle(path, pickle_bytes, records=None):
    """A torch.save-style zip (torch's own zip writer) whose data.pkl is `pickle_bytes`."""
    w = torch._C.PyTorchFileWriter(path)
    w.write_record("data.pkl", pickle_bytes, len(pickle_bytes))  # the writer adds the prefix
    for key, data in (records or {}).items():
        w.write_record("data/" + key, data, len(data))
    w.write_record("version", b"3\n", 2)
    w.write_end_of_file()


def unicode(s):
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def dict_of(key, value_ops):
    """PROTO 2, EMPTY_DICT, key, <value_ops>, SETITEM, STOP: {key: value}."""
    return b"\x80\x02}" + unicode(key) + value_ops + b"s."


def make_malicious():
    d = fresh(os.path.join(ROOT, "malicious"))
    key = "backbone.embedding.weight"
    cases = {
        # os.system('touch MARKER'): what a __reduce__ payload pickles to.
        "os_system": b"cos\nsystem\n" + unicode("touch " + MARKER) + b"\x85R",
        "builtins_eval": b"cbuiltins\neval\n" + unicode(f"__import__('os').system('touch {MARKER}')")
        + b"\x85R",
        "unknown_global": b"cmymodule\nThing\n)R",
    }
    for name, ops in cases.items():
        case = fresh(os.path.join(d, name))
        zip_with_pickle(os.path.join(case, "pytorch_model.bin"), dict_of(key, ops))
        write_json(os.path.join(case, "config.json"), config("mamba", "mamba_ssm", torch.float32))


def make_legacy():
    d = fresh(os.path.join(ROOT, "legacy"))
    torch.save({"w": torch.zeros(2)}, os.path.join(d, "pytorch_model.bin"),
               _use_new_zipfile_serialization=False)
    write_json(os.path.join(d, "config.json"), config("mamba", "mamba_ssm", torch.float32))


def make_corpus():
    os.makedirs(CORPUS, exist_ok=True)
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    seeds = {
        "one_f32": {"w": torch.ones(3)},
        "tied_bf16": {"a": torch.ones(2, 2, dtype=torch.bfloat16)},
        "view_f16": {"t": base.to(torch.float16).t(), "s": base.view(-1)[3:7]},
        "f64_scalar": {"x": torch.tensor(2.5, dtype=torch.float64)},
    }
    seeds["tied_bf16"]["b"] = seeds["tied_bf16"]["a"]
    for name, sd in seeds.items():
        torch.save(sd, os.path.join(CORPUS, name))


def main():
    torch.manual_seed(0)
    dtypes = {"f32": torch.float32, "bf16": torch.bfloat16, "f16": torch.float16}
    seed = 1
    for layout in ("mamba_ssm", "hf"):
        for arch in ("mamba", "mamba2"):
            for dname, dtype in dtypes.items():
                make_case(f"{layout}_{arch}_{dname}", arch, layout, dtype, seed)
                seed += 1
    make_case("hf_mamba2_f32_sharded", "mamba2", "hf", torch.float32, seed, shards=2)
    make_malicious()
    make_legacy()
    make_corpus()


if __name__ == "__main__":
    main()
