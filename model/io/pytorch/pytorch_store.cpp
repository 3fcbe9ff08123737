#include "model/io/pytorch/pytorch_store.hpp"

#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/json_parse.hpp"
#include "base/json_reader.hpp"
#include "base/read_file.hpp"
#include "base/str.hpp"
#include "model/io/pytorch/pytorch_file.hpp"

namespace ssmscope::model {

namespace {

namespace fs = std::filesystem;

// As for model.safetensors.index.json: a shard must sit beside the index.
bool is_shard_beside_index(const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

class PytorchStore final : public TensorStore {
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
                const auto [it, fresh] = tensors_.emplace(t.name, Entry{stored, &t});
                if (!fresh)
                    throw InputError(
                        str(path.string(), ": tensor '", t.name, "' is stored twice, in ",
                            it->second.stored.file, " and in ", f->path().string()),
                        path.string());
            }
        }
    }

    std::size_t file_count() const { return files_.size(); }
    bool sharded() const { return sharded_; }

    std::vector<std::string> names() const override {
        std::vector<std::string> out;
        out.reserve(tensors_.size());
        for (const auto& [name, e] : tensors_)
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
        if (out.size() != t.read_bytes())
            throw InputError(str(t.file, ": tensor '", t.name, "' holds ", t.read_bytes(),
                                 " bytes, expected ", out.size()),
                             t.name);
        PytorchFile::read(*it->second.tensor, out);
    }

  private:
    struct Entry {
        StoredTensor stored;
        const PytorchFile::Tensor* tensor;
    };

    // pytorch_model.bin.index.json, read as model.safetensors.index.json is
    // (model/io/checkpoint_files.cpp).
    void open_index(const fs::path& index) {
        sharded_ = true;
        const std::string source = index.string();
        const fs::path dir = index.has_parent_path() ? index.parent_path() : fs::path(".");
        const auto fail = [&](const std::string& what) {
            throw InputError(str(source, ": ", what), source);
        };
        const nlohmann::json document = parse_json_object(read_file(index), source);
        const JsonNode root(document, source);
        if (const JsonNode meta = root["metadata"]; !meta.is_absent() && !meta.json().is_object())
            meta.expected("an object");
        const JsonNode map = root["weight_map"];
        if (!map.json().is_object())
            map.expected("an object mapping tensor names to shard files");
        if (map.object().empty())
            map.fail("lists no tensors");
        std::map<std::string, std::vector<std::string>> shards;
        for (const auto& [tensor, value] : map.object()) {
            const JsonNode shard = map.entry(tensor);
            if (!shard.json().is_string() || !is_shard_beside_index(shard.string()))
                shard.expected("the file name of a shard in the same directory");
            shards[shard.string()].push_back(tensor);
        }
        for (const auto& [shard, tensors] : shards) {
            const fs::path path = dir / shard;
            if (!is_file(path))
                fail(str("weight_map puts tensor '", tensors.front(), "' in shard '", shard,
                         "', but ", path.string(), " does not exist"));
            files_.push_back(std::make_unique<PytorchFile>(path));
            for (const std::string& tensor : tensors)
                if (!files_.back()->find(tensor))
                    fail(str("weight_map puts tensor '", tensor, "' in ", path.string(),
                             ", which has no tensor of that name"));
        }
    }

    bool sharded_ = false;
    std::vector<std::unique_ptr<PytorchFile>> files_;
    std::map<std::string, Entry, std::less<>> tensors_;
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
