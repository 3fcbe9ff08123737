// The data-parallel flags of `train` and `finetune`: --nproc N starts N local worker processes
// (launch_workers.hpp); --rank/--world-size/--master join one process of a run spread over
// machines (model::ProcessGroup).
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "model/train/process_group.hpp"

namespace ssmscope::cli {

struct DistributedArgs {
    int nproc = 1;
    int rank = 0;
    int world_size = 1;
    std::string master;
    int timeout_s = 300;
};

void add_distributed_args(CLI::App& cmd, DistributedArgs& d);

// Checks the flags together (InputError naming the flag otherwise) and against the
// global batch, which the number of processes must divide (batch 0: not known yet, as for
// --resume, where the trainer checks it).
void check_distributed_args(const CLI::App& cmd, const DistributedArgs& d, std::int64_t batch);

// The process group this process joins, or null for a run of one process.
std::shared_ptr<model::ProcessGroup> join_run(const DistributedArgs& d);

}  // namespace ssmscope::cli
