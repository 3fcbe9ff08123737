#include "kernels/cpu/cpu_isa.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <stdexcept>

namespace ssmscope::kernels {

namespace {

bool runs(CpuIsa isa) {
#if defined(__x86_64__) && defined(SSMSCOPE_KERNELS_X86)
    switch (isa) {
        case CpuIsa::Scalar:
            return true;
        case CpuIsa::Avx2:
            return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        case CpuIsa::Avx512:
            return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
    }
    return false;
#else
    return isa == CpuIsa::Scalar;
#endif
}

CpuIsa initial() {
    const std::vector<CpuIsa> all = available_cpu_isas();
    if (const char* env = std::getenv("SSMSCOPE_CPU_ISA")) {
        for (CpuIsa isa : all)
            if (to_string(isa) == env)
                return isa;
        // An unknown or unavailable request falls back to the widest set: the results are the
        // same to rounding, and a kernel library has no channel to complain through.
    }
    return all.back();
}

std::atomic<CpuIsa>& current() {
    static std::atomic<CpuIsa> isa{initial()};
    return isa;
}

}  // namespace

std::string to_string(CpuIsa isa) {
    switch (isa) {
        case CpuIsa::Scalar:
            return "scalar";
        case CpuIsa::Avx2:
            return "avx2";
        case CpuIsa::Avx512:
            return "avx512";
    }
    return "unknown";
}

std::vector<CpuIsa> available_cpu_isas() {
    std::vector<CpuIsa> out;
    for (CpuIsa isa : {CpuIsa::Scalar, CpuIsa::Avx2, CpuIsa::Avx512})
        if (runs(isa))
            out.push_back(isa);
    return out;
}

CpuIsa cpu_isa() {
    return current().load(std::memory_order_relaxed);
}

void set_cpu_isa(CpuIsa isa) {
    if (!runs(isa))
        throw std::invalid_argument("set_cpu_isa: " + to_string(isa) +
                                    " is not available on this CPU or in this build");
    current().store(isa, std::memory_order_relaxed);
}

}  // namespace ssmscope::kernels
