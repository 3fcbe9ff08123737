// llama.cpp's tensor names for the `mamba` and `mamba2` architectures (gguf-py's tensor map) and
// what its converter did to each Hugging Face tensor, undone: the name and shape the model reads.
//
//   token_embd.weight          backbone.embeddings.weight
//   output_norm.weight         backbone.norm_f.weight
//   output.weight              lm_head.weight (absent when tied)
//   blk.{i}.attn_norm.weight   backbone.layers.{i}.norm.weight
//   blk.{i}.ssm_in.weight      backbone.layers.{i}.mixer.in_proj.weight (and .bias)
//   blk.{i}.ssm_conv1d.weight  mixer.conv1d.weight: stored squeezed [C, K], read as [C, 1, K]
//   blk.{i}.ssm_conv1d.bias    mixer.conv1d.bias
//   blk.{i}.ssm_x.weight       mixer.x_proj.weight (Mamba-1)
//   blk.{i}.ssm_dt.weight      mixer.dt_proj.weight (Mamba-1)
//   blk.{i}.ssm_dt.bias        mixer.dt_proj.bias (Mamba-1), mixer.dt_bias (Mamba-2)
//   blk.{i}.ssm_a              mixer.A_log: stored as A = −exp(A_log), read as log(−A);
//                              Mamba-2 stores [H, 1], read as [H]
//   blk.{i}.ssm_d              mixer.D; Mamba-2 stores [H, 1], read as [H]
//   blk.{i}.ssm_norm.weight    mixer.norm.weight (Mamba-2): stored [G, E/G], read as [E]
//   blk.{i}.ssm_out.weight     mixer.out_proj.weight (and .bias)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssmscope::model {

struct HfTensor {
    std::string name;
    std::vector<std::int64_t> shape;  // row-major, as the model's parameter
    // The file stores A = −exp(A_log): read() takes log(−A).
    bool a_from_neg_exp = false;
};

// The Hugging Face tensor a GGUF tensor of the given row-major shape holds; nullopt for a name the
// architecture does not use (it is then listed under its GGUF name and reported as unused).
// Every transform is a reshape that keeps the row-major order, so the values need no reordering.
std::optional<HfTensor> hf_tensor(std::string_view gguf_name, std::vector<std::int64_t> shape,
                                  bool mamba2);

}  // namespace ssmscope::model
