// bench_analyze --preset NAME: a checkpoint file of a published shape, measured from outside as
// a user meets it. The checkpoint (bf16 safetensors, the model's own random initialisation) is
// written once to DIR; then `ssmscope-cli info`, `analyze` and, as the baseline, `eval` (one
// float32 forward of the same probe) run as child processes, each with its wall time and the
// peak resident memory the kernel accounted to it.
#pragma once

#include <cstdint>
#include <string>

namespace ssmscope::bench {

struct PresetRun {
    std::string preset;
    std::string dir;     // where the checkpoint is (written when missing)
    std::string cli;     // ssmscope-cli
    std::string layers;  // --layers of analyze; empty: every layer
    std::int64_t tokens = 256;
    bool info_only = false;  // write the checkpoint and measure `info` only
    // Skip `eval`, which holds the whole model in float32 (4 bytes per parameter: 29 GB for 7b,
    // more than the machine has); the ratio is then not printed.
    bool skip_eval = false;
};

// Returns the process exit code: 0 when every child succeeded.
int run_preset(const PresetRun& run);

}  // namespace ssmscope::bench
