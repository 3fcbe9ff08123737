// The vocabulary of the kernels' conformance table (test_backend_ops.cpp, after ggml's
// test-backend-ops): every op is described once, by a trait (ops_*.hpp) that generates its cases
// and runs it on any backend through the contract of kernels/<op>.hpp; one runner
// (backend_ops_runner.hpp) checks every backend against the same references.
//
// An op trait Op provides:
//   Config, label(cfg), cases(), rejections(), work(cfg)       the table rows and the bad calls
//   inputs(cfg, seed) -> std::vector<Input>                     its inputs in double
//   y_size(cfg), state_sizes(cfg)                               y and the final-state parts
//   naive(cfg, inputs) -> Arrays<double>                        y then the state parts, from the
//                                                               plain loops of naive.hpp
//   Kernels<T>, cpu<T>()                                        a backend: forward, step, backward
//                                                               (scan_calls.hpp: ScanCalls)
//   forward / step / backward(kernels, cfg, arrays, ...)       one call on a backend
//   kIsaPaths                                                   whether the CPU backend has one
//                                                               path per instruction set
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "kernels/cpu/cpu_isa.hpp"
#include "tests/kernels/naive.hpp"

namespace ssmscope::test {

template <class T>
using Arrays = std::vector<std::vector<T>>;

// One input of an op. An optional input that is absent has no values (a null pointer in the
// arguments). A sequence input is (batch, L, …): the step check feeds it one step at a time.
struct Input {
    std::string name;
    Vec values;
    bool sequence = false;
};

// Where a bad call must be refused: on every backend, or only where the limit is the backend's
// (the CUDA kernels keep at most 256 states per channel in registers).
enum class Where { All, CpuOnly, CudaOnly };

// A call the contract forbids, expected to throw std::invalid_argument: the case `cfg` with the
// input named `drop` absent (empty: none).
template <class Config>
struct Rejection {
    std::string what;
    Config cfg;
    std::string drop;
    Where where = Where::All;
};

// Relative tolerances, max |got − want| / max |want| over an array, of one dtype of one backend
// against the references; the references are exact to far below them.
struct Tolerance {
    double forward;   // y and final state against the naive loop in double
    double gradient;  // every gradient against the exact gradient
};

// Central differences of a double loss with h = 1e-5 leave about 1e-6 of relative noise, so a
// gradient checked against them cannot be held to less.
constexpr double kCentralDifferenceNoise = 1e-6;

// Central differences of every input entry cost 2·entries naive runs; cases up to this many
// entries × work per run get them, larger ones are checked against the CPU double backward
// (itself checked against the central differences on the small cases) and, like every case,
// along one random direction per input against the naive loop.
constexpr std::int64_t kCentralDifferenceBudget = 1'000'000;

template <class T, class S>
Arrays<T> cast_all(const Arrays<S>& a) {
    Arrays<T> out;
    for (const std::vector<S>& v : a)
        out.push_back(cast<T>(v));
    return out;
}

inline Arrays<double> values(const std::vector<Input>& in) {
    Arrays<double> out;
    for (const Input& i : in)
        out.push_back(i.values);
    return out;
}

// Buffers of the given sizes filled with NaN, so an output a kernel fails to write shows up.
template <class T>
Arrays<T> nan_buffers(const std::vector<std::int64_t>& sizes) {
    Arrays<T> out;
    for (std::int64_t n : sizes)
        out.emplace_back(static_cast<std::size_t>(n), std::numeric_limits<T>::quiet_NaN());
    return out;
}

template <class T>
const T* ptr(const std::vector<T>& v) {
    return v.empty() ? nullptr : v.data();
}
template <class T>
T* ptr(std::vector<T>& v) {
    return v.empty() ? nullptr : v.data();
}

// Step t of a (batch, L, …) array: the (batch, …) slice.
template <class T>
std::vector<T> step_slice(const std::vector<T>& v, std::int64_t batch, std::int64_t L,
                          std::int64_t t) {
    const std::int64_t width = static_cast<std::int64_t>(v.size()) / (batch * L);
    std::vector<T> out;
    for (std::int64_t b = 0; b < batch; ++b) {
        const auto at = v.begin() + (b * L + t) * width;
        out.insert(out.end(), at, at + width);
    }
    return out;
}

// Restores the instruction set chosen before a test.
struct IsaGuard {
    kernels::CpuIsa saved = kernels::cpu_isa();
    ~IsaGuard() { kernels::set_cpu_isa(saved); }
};

// The CPU paths an op runs on: one per instruction set this CPU has when the op has such paths,
// else the current one only.
template <class Op>
std::vector<kernels::CpuIsa> cpu_paths() {
    if (Op::kIsaPaths)
        return kernels::available_cpu_isas();
    return {kernels::cpu_isa()};
}

}  // namespace ssmscope::test
