#include "model/io/safetensors_store.hpp"

#include <cstring>
#include <map>
#include <optional>

#include "base/error.hpp"
#include "base/str.hpp"
#include "model/io/checkpoint_files.hpp"

namespace ssmscope::model {

namespace {

class SafetensorsStore final : public TensorStore {
  public:
    explicit SafetensorsStore(std::filesystem::path path) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            dir_.emplace(std::move(path));
            for (const SafetensorsFile& f : dir_->files())
                add(f);
        } else {
            file_.emplace(std::move(path));
            add(*file_);
        }
    }

    bool sharded() const { return dir_ && dir_->sharded(); }
    std::size_t file_count() const { return dir_ ? dir_->files().size() : 1; }

    std::vector<std::string> names() const override {
        std::vector<std::string> out;
        out.reserve(tensors_.size());
        for (const auto& [name, t] : tensors_)
            out.push_back(name);
        return out;
    }

    const StoredTensor* find(std::string_view name) const override {
        const auto it = tensors_.find(name);
        return it == tensors_.end() ? nullptr : &it->second.stored;
    }

    void read(const StoredTensor& t, std::span<std::byte> out) const override {
        const auto it = tensors_.find(t.name);
        if (it == tensors_.end() || &it->second.stored != &t)
            throw InputError(str(t.file, ": tensor '", t.name, "' is not in this checkpoint"),
                             t.name);
        const auto bytes = it->second.file->data(*it->second.info);
        if (bytes.size() != out.size())
            throw InputError(str(t.file, ": tensor '", t.name, "' holds ", bytes.size(),
                                 " bytes, expected ", out.size()),
                             t.name);
        std::memcpy(out.data(), bytes.data(), bytes.size());
    }

  private:
    struct Entry {
        StoredTensor stored;
        const SafetensorsFile* file;
        const TensorInfo* info;
    };

    void add(const SafetensorsFile& f) {
        for (const TensorInfo& info : f.tensors()) {
            // CheckpointFiles has already refused a tensor stored in two shards.
            tensors_.emplace(info.name,
                             Entry{StoredTensor{info.name, f.path().string(), info.dtype,
                                                std::string(dtype_name(info.dtype)), info.shape},
                                   &f, &info});
        }
    }

    std::optional<CheckpointFiles> dir_;
    std::optional<SafetensorsFile> file_;
    std::map<std::string, Entry, std::less<>> tensors_;
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
