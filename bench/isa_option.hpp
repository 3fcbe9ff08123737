// The benchmarks' --isa NAME: the instruction set of the CPU kernels, to compare them.
#pragma once

#include <cstdio>
#include <string>

#include "kernels/cpu/cpu_isa.hpp"

namespace ssmscope::bench {

// Selects `name` (scalar, avx2, avx512; empty: the default). False, with a message naming
// `program`, when this CPU does not have it.
inline bool select_isa(const std::string& name, const char* program) {
    if (name.empty())
        return true;
    for (kernels::CpuIsa isa : kernels::available_cpu_isas()) {
        if (kernels::to_string(isa) == name) {
            kernels::set_cpu_isa(isa);
            return true;
        }
    }
    std::fprintf(stderr, "%s: --isa %s is not available on this CPU\n", program, name.c_str());
    return false;
}

}  // namespace ssmscope::bench
