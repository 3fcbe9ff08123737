// What every op trait would otherwise write out again (ops_*.hpp): its backend as three
// function pointers, and one call of each with the arrays unpacked into the contract's pointer
// arguments. The ops differ only in their argument and gradient structs and in how many arrays
// their final state has (one real state; or the real and imaginary parts of the modal scan).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "tests/kernels/backend_ops.hpp"

namespace ssmscope::test {

template <std::size_t, class X>
using Repeat = X;

template <class A, class G, class T, class StateSeq>
struct ScanKernelsOf;

// forward(args, y, state...), step(args, state..., y), backward(args, dy, dstate..., grads).
template <class A, class G, class T, std::size_t... S>
struct ScanKernelsOf<A, G, T, std::index_sequence<S...>> {
    void (*forward)(const A&, T*, Repeat<S, T*>...);
    void (*step)(const A&, Repeat<S, T*>..., T*);  // null: no step kernel
    void (*backward)(const A&, const T*, Repeat<S, const T*>..., const G&);
};

// Op derives from ScanCalls<Op, ArgsStruct, GradsStruct, state arrays, gradients> and provides
// args<T>(cfg, arrays, threads); the gradients are the inputs' in order, as the Grads struct
// lists them.
template <class Op, template <class> class A, template <class> class G, std::size_t States,
          std::size_t Grads>
struct ScanCalls {
    template <class T>
    using Kernels = ScanKernelsOf<A<T>, G<T>, T, std::make_index_sequence<States>>;

    // out: y, then the final state's arrays (sized by the runner).
    template <class T, class Config>
    static void forward(const Kernels<T>& k, const Config& c, const Arrays<T>& in, int threads,
                        Arrays<T>& out) {
        call_forward(k, Op::template args<T>(c, in, threads), out,
                     std::make_index_sequence<States>{});
    }

    template <class T, class Config>
    static void step(const Kernels<T>& k, const Config& c, const Arrays<T>& in, Arrays<T>& state,
                     std::vector<T>& y) {
        call_step(k, Op::template args<T>(c, in, 0), state, y, std::make_index_sequence<States>{});
    }

    // g: one per input, empty where the input is absent; dstate[0] empty: no gradient of the
    // final state.
    template <class T, class Config>
    static void backward(const Kernels<T>& k, const Config& c, const Arrays<T>& in, int threads,
                         const std::vector<T>& dy, const Arrays<T>& dstate, Arrays<T>& g) {
        call_backward(k, Op::template args<T>(c, in, threads), dy, dstate, g,
                      std::make_index_sequence<States>{}, std::make_index_sequence<Grads>{});
    }

  private:
    template <class T, std::size_t... S>
    static void call_forward(const Kernels<T>& k, const A<T>& a, Arrays<T>& out,
                             std::index_sequence<S...>) {
        k.forward(a, out[0].data(), out[S + 1].data()...);
    }

    template <class T, std::size_t... S>
    static void call_step(const Kernels<T>& k, const A<T>& a, Arrays<T>& state, std::vector<T>& y,
                          std::index_sequence<S...>) {
        k.step(a, state[S].data()..., y.data());
    }

    template <class T, std::size_t... S, std::size_t... I>
    static void call_backward(const Kernels<T>& k, const A<T>& a, const std::vector<T>& dy,
                              const Arrays<T>& dstate, Arrays<T>& g, std::index_sequence<S...>,
                              std::index_sequence<I...>) {
        k.backward(a, dy.data(), ptr(dstate[S])..., G<T>{ptr(g[I])...});
    }
};

}  // namespace ssmscope::test
