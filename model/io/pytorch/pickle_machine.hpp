// A restricted unpickler for the data.pkl of torch.save: it understands the opcodes that a state
// dict pickles to and nothing else, and it calls nothing. A pickle may name any Python callable
// (GLOBAL) and ask for it to be called (REDUCE); Python's unpickler would import and run it, this
// one admits only the handful of names a state dict needs (docs/formats.md §1) and interprets
// them itself: an OrderedDict becomes a dict, _rebuild_tensor_v2 a description of a tensor view.
// Every other global, callable or opcode is an InputError naming it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "model/io/dtype.hpp"

namespace ssmscope::model {

// A storage a persistent id ('storage', torch.FloatStorage, key, location, numel) names: its
// bytes are the record data/<key> of the archive.
struct PickledStorage {
    std::string key;
    std::string type;  // "torch.FloatStorage", ...
    DType dtype = DType::F32;
    std::string location;  // "cpu", "cuda:0", ...: where torch would put it; ignored here
    std::int64_t numel = 0;
};

// torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, ...): a strided view of
// a storage, counted in elements.
struct PickledTensor {
    std::string name;
    std::size_t storage = 0;  // index into PickledStateDict::storages
    std::int64_t offset = 0;
    std::vector<std::int64_t> sizes;
    std::vector<std::int64_t> strides;
};

struct PickledStateDict {
    std::vector<PickledStorage> storages;  // each key once, in the order first named
    std::vector<PickledTensor> tensors;    // in the pickle's order
};

// Unpickles `pickle`, which must end in a dict (or OrderedDict) of tensors keyed by name.
// `source` names it in messages ("model.bin: archive/data.pkl"). Throws InputError naming the
// byte offset and the opcode, global or entry that is wrong.
PickledStateDict unpickle_state_dict(std::span<const std::byte> pickle, const std::string& source);

}  // namespace ssmscope::model
