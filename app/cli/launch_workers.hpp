// `--nproc N`: this command line run again as N worker processes on this machine, joined over
// loopback (ranks 0 … N−1, a free port for the rendezvous). The launcher waits for them; when one
// dies or fails it says which, stops the others and returns non-zero, so a run never hangs on a
// lost worker. Ctrl-C reaches every worker (one process group): they agree to stop, rank 0
// saves, and the launcher returns their 130. Each worker gets OMP_NUM_THREADS = cores / N unless
// it is set already.
#pragma once

namespace ssmscope::cli {

// Returns the exit code of the run: the workers' common code, or that of the first to fail.
int launch_workers(int nproc, int timeout_s);

}  // namespace ssmscope::cli
