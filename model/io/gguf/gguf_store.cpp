#include "model/io/gguf/gguf_store.hpp"

#include <cmath>
#include <cstring>
#include <vector>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/io/gguf/ggml_dequant.hpp"
#include "model/io/gguf/gguf_names.hpp"
#include "model/io/indexed_tensor_store.hpp"

namespace ssmscope::model {

namespace {

struct GgufEntry {
    StoredTensor stored;
    const GgufTensorInfo* info;
    bool a_from_neg_exp;
};

class GgufStore final : public IndexedTensorStore<GgufEntry> {
  public:
    GgufStore(std::shared_ptr<const GgufFile> file, bool mamba2) : file_(std::move(file)) {
        const std::string path = file_->path().string();
        for (const GgufTensorInfo& info : file_->tensors()) {
            const GgmlTypeInfo* type = ggml_type_info(static_cast<std::uint32_t>(info.type));
            HfTensor hf = hf_tensor(info.name, info.shape(), mamba2)
                              .value_or(HfTensor{info.name, info.shape()});
            StoredTensor stored{hf.name, path, DType::F32, std::string(type->name), hf.shape};
            const GgufEntry* clash = nullptr;
            if (!add({std::move(stored), &info, hf.a_from_neg_exp}, &clash)) {
                throw InputError(str(path, ": tensors '", clash->info->name, "' and '", info.name,
                                     "' both hold '", hf.name, "'"),
                                 path);
            }
        }
    }

    void read(const StoredTensor& t, std::span<std::byte> out) const override {
        // hf_tensor() only reshapes, so the stored shape counts the file's values.
        const GgufEntry& e = entry_to_read(t, out);
        const auto n = static_cast<std::size_t>(e.info->numel());
        // Decode straight into `out` when it is aligned for float, as torch's buffers are.
        std::vector<float> scratch;
        float* values = reinterpret_cast<float*>(out.data());
        if (reinterpret_cast<std::uintptr_t>(out.data()) % alignof(float) != 0) {
            scratch.resize(n);
            values = scratch.data();
        }
        dequantize(e.info->type, file_->data(*e.info), {values, n});
        if (e.a_from_neg_exp) {
            for (std::size_t k = 0; k < n; ++k) {
                // NaN fails the test too.
                if (!(values[k] < 0.0F)) {
                    throw InputError(str(t.file, ": tensor '", e.info->name,
                                         "': A = -exp(A_log) must be negative, found ", values[k],
                                         " at flat index ", k),
                                     t.name);
                }
                // In double, so that exp(A_log) gives A back to the last bit where float can.
                values[k] = static_cast<float>(std::log(-static_cast<double>(values[k])));
            }
        }
        if (!scratch.empty())
            std::memcpy(out.data(), scratch.data(), out.size());
    }

  private:
    std::shared_ptr<const GgufFile> file_;
};

}  // namespace

std::unique_ptr<TensorStore> make_gguf_store(std::shared_ptr<const GgufFile> file, bool mamba2) {
    return std::make_unique<GgufStore>(std::move(file), mamba2);
}

}  // namespace ssmscope::model
