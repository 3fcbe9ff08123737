#include "app/cli/distributed_args.hpp"

#include "base/error.hpp"
#include "base/str.hpp"

namespace ssmscope::cli {

void add_distributed_args(CLI::App& cmd, DistributedArgs& d) {
    cmd.add_option("--nproc", d.nproc,
                   "worker processes on this machine (data-parallel over loopback)")
        ->capture_default_str();
    cmd.add_option("--rank", d.rank, "this process's rank in a multi-machine run");
    cmd.add_option("--world-size", d.world_size, "processes in a multi-machine run");
    cmd.add_option("--master", d.master, "HOST:PORT where rank 0 hosts the rendezvous");
    cmd.add_option("--dist-timeout", d.timeout_s,
                   "seconds to wait for the other processes (rendezvous, each collective)")
        ->capture_default_str();
}

void check_distributed_args(const CLI::App& cmd, const DistributedArgs& d, std::int64_t batch) {
    if (d.nproc < 1)
        throw InputError(str("--nproc ", d.nproc, ": expected 1 or more"));
    if (d.timeout_s < 1)
        throw InputError(str("--dist-timeout ", d.timeout_s, ": expected 1 or more seconds"));
    const bool joins = cmd.count("--rank") + cmd.count("--world-size") + cmd.count("--master") > 0;
    if (joins && d.nproc > 1)
        throw InputError(
            "--nproc starts its own workers: it cannot be combined with --rank, "
            "--world-size or --master");
    if (joins &&
        (cmd.count("--rank") == 0 || cmd.count("--world-size") == 0 || cmd.count("--master") == 0))
        throw InputError("joining a run needs all of --rank, --world-size and --master");
    if (d.world_size < 1)
        throw InputError(str("--world-size ", d.world_size, ": expected 1 or more"));
    if (d.rank < 0 || d.rank >= d.world_size)
        throw InputError(str("--rank ", d.rank, ": expected 0 to ", d.world_size - 1,
                             " (--world-size ", d.world_size, ")"));
    if (joins) {
        model::DistributedSpec spec;
        parse_master(d.master, "--master", spec);
    }
    const int processes = d.nproc > 1 ? d.nproc : d.world_size;
    if (batch > 0 && batch % processes != 0) {
        throw InputError(str("--batch ", batch, " must be a multiple of the number of processes (",
                             processes, "): it is the global batch, split evenly"));
    }
}

std::shared_ptr<model::ProcessGroup> join_run(const DistributedArgs& d) {
    if (d.world_size <= 1)
        return nullptr;
    model::DistributedSpec spec;
    spec.rank = d.rank;
    spec.world_size = d.world_size;
    spec.timeout = std::chrono::seconds(d.timeout_s);
    parse_master(d.master, "--master", spec);
    return model::ProcessGroup::join(spec);
}

}  // namespace ssmscope::cli
