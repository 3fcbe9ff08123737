#include "model/io/safetensors_store.hpp"

#include <cstring>
#include <optional>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/io/checkpoint_files.hpp"
#include "model/io/indexed_tensor_store.hpp"

namespace ssmscope::model {

namespace {

struct SafetensorsEntry {
    StoredTensor stored;
    const SafetensorsFile* file;
    const TensorInfo* info;
};

class SafetensorsStore final : public IndexedTensorStore<SafetensorsEntry> {
  public:
    explicit SafetensorsStore(std::filesystem::path path) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            dir_.emplace(std::move(path));
            for (const SafetensorsFile& f : dir_->files())
                add_file(f);
        } else {
            file_.emplace(std::move(path));
            add_file(*file_);
        }
    }

    bool sharded() const { return dir_ && dir_->sharded(); }
    std::size_t file_count() const { return dir_ ? dir_->files().size() : 1; }

    void read(const StoredTensor& t, std::span<std::byte> out) const override {
        const SafetensorsEntry& e = entry_to_read(t, out);
        // The header was checked to give each tensor exactly the bytes its shape needs.
        const auto bytes = e.file->data(*e.info);
        std::memcpy(out.data(), bytes.data(), out.size());
    }

    std::span<const std::byte> mapped(const StoredTensor& t) const override {
        const SafetensorsEntry& e = entry_to_read_in_place(t);
        return e.file->data(*e.info);
    }

  private:
    void add_file(const SafetensorsFile& f) {
        for (const TensorInfo& info : f.tensors()) {
            // CheckpointFiles has already refused a tensor stored in two shards.
            add({StoredTensor{info.name, f.path().string(), info.dtype,
                              std::string(dtype_name(info.dtype)), info.shape},
                 &f, &info});
        }
    }

    std::optional<CheckpointFiles> dir_;
    std::optional<SafetensorsFile> file_;
};

}  // namespace

OpenedStore open_safetensors_store(const std::filesystem::path& dir_or_file) {
    auto store = std::make_unique<SafetensorsStore>(dir_or_file);
    OpenedStore out;
    out.sharded = store->sharded();
    out.detail = out.sharded ? str("safetensors, ", store->file_count(), " shards") : "safetensors";
    out.tensors = std::move(store);
    return out;
}

}  // namespace ssmscope::model
