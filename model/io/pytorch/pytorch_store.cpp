#include "model/io/pytorch/pytorch_store.hpp"

#include <memory>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/io/indexed_tensor_store.hpp"
#include "model/io/pytorch/pytorch_file.hpp"
#include "model/io/weight_map.hpp"

namespace ssmscope::model {

namespace {

namespace fs = std::filesystem;

struct PytorchEntry {
    StoredTensor stored;
    const PytorchFile::Tensor* tensor;
};

class PytorchStore final : public IndexedTensorStore<PytorchEntry> {
  public:
    explicit PytorchStore(const fs::path& path) {
        if (path.filename().string().ends_with(".index.json")) {
            open_index(path);
        } else {
            files_.push_back(std::make_unique<PytorchFile>(path));
        }
        for (const auto& f : files_) {
            for (const PytorchFile::Tensor& t : f->tensors()) {
                const StoredTensor stored{t.name, f->path().string(), t.dtype,
                                          std::string(dtype_name(t.dtype)), t.view.sizes};
                const PytorchEntry* clash = nullptr;
                if (!add({stored, &t}, &clash))
                    throw InputError(
                        str(path.string(), ": tensor '", t.name, "' is stored twice, in ",
                            clash->stored.file, " and in ", f->path().string()),
                        path.string());
            }
        }
    }

    std::size_t file_count() const { return files_.size(); }
    bool sharded() const { return sharded_; }

    void read(const StoredTensor& t, std::span<std::byte> out) const override {
        PytorchFile::read(*entry_to_read(t, out).tensor, out);
    }

    std::span<const std::byte> mapped(const StoredTensor& t) const override {
        const PytorchFile::Tensor& p = *entry_to_read_in_place(t).tensor;
        return contiguous_bytes(p.storage, dtype_size(p.dtype), p.view);
    }

  private:
    // pytorch_model.bin.index.json, read as model.safetensors.index.json is.
    void open_index(const fs::path& index) {
        sharded_ = true;
        for (const ShardTensors& shard : read_weight_map(index)) {
            files_.push_back(std::make_unique<PytorchFile>(shard.path));
            check_shard_holds(index, shard, [&](std::string_view name) {
                return files_.back()->find(name) != nullptr;
            });
        }
    }

    bool sharded_ = false;
    std::vector<std::unique_ptr<PytorchFile>> files_;
};

}  // namespace

OpenedStore open_pytorch_store(const std::filesystem::path& path) {
    auto store = std::make_unique<PytorchStore>(path);
    OpenedStore out;
    out.sharded = store->sharded();
    out.detail = out.sharded ? str("torch.save zip, ", store->file_count(), " shards")
                             : std::string("torch.save zip");
    out.tensors = std::move(store);
    return out;
}

}  // namespace ssmscope::model
