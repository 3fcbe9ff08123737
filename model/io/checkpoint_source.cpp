#include "model/io/checkpoint_source.hpp"

#include <array>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

#include "base/error.hpp"
#include "base/read_file.hpp"
#include "base/str.hpp"
#include "model/io/checkpoint_names.hpp"
#include "model/io/gguf/gguf_checkpoint.hpp"
#include "model/io/pytorch/pytorch_store.hpp"
#include "model/io/safetensors_store.hpp"

namespace ssmscope::model {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPytorchFile = "pytorch_model.bin";
constexpr std::string_view kPytorchIndexFile = "pytorch_model.bin.index.json";

// The first bytes of a file decide its format where they can: "GGUF", or the local-file header
// of a zip (torch.save). Anything else is read by the reader its name asks for.
std::string magic(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::array<char, 4> m{};
    in.read(m.data(), m.size());
    return std::string(m.data(), static_cast<std::size_t>(in.gcount()));
}

bool ends_with(const std::string& s, std::string_view tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::vector<fs::path> gguf_files(const fs::path& dir) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (e.is_regular_file(ec) && e.path().extension() == ".gguf")
            out.push_back(e.path());
    }
    return out;
}

CheckpointSource from_store(fs::path path, CheckpointFormat format, OpenedStore store,
                            const fs::path& dir) {
    CheckpointSource s;
    s.path = std::move(path);
    s.format = format;
    s.format_detail = std::move(store.detail);
    s.sharded = store.sharded;
    s.tensors = std::move(store.tensors);
    const fs::path config = dir / "config.json";
    if (!is_file(config)) {
        throw InputError(str(config.string(), ": cannot open (a ", format_name(format),
                             " checkpoint needs its config.json beside the weights: it gives the "
                             "model's sizes and architecture)"),
                         config.string());
    }
    s.config_text = read_file(config);
    s.config_source = config.string();
    const fs::path tokenizer = dir / "tokenizer.json";
    if (is_file(tokenizer)) {
        s.tokenizer_text = read_file(tokenizer);
        s.tokenizer_source = tokenizer.string();
    }
    return s;
}

CheckpointSource open_file(const fs::path& file) {
    const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
    const std::string name = file.filename().string();
    const std::string m = magic(file);
    if (m == "GGUF" || file.extension() == ".gguf")
        return open_gguf_checkpoint(file);
    if (name == kCheckpointIndexFile)
        return from_store(file, CheckpointFormat::Safetensors, open_safetensors_store(dir), dir);
    if (m == std::string_view("PK\x03\x04", 4) || file.extension() == ".bin" ||
        file.extension() == ".pt" || file.extension() == ".pth" ||
        ends_with(name, ".bin.index.json")) {
        return from_store(file, CheckpointFormat::Pytorch, open_pytorch_store(file), dir);
    }
    return from_store(file, CheckpointFormat::Safetensors, open_safetensors_store(file), dir);
}

}  // namespace

std::string_view format_name(CheckpointFormat f) {
    switch (f) {
        case CheckpointFormat::Safetensors:
            return "safetensors";
        case CheckpointFormat::Pytorch:
            return "pytorch";
        case CheckpointFormat::Gguf:
            return "gguf";
    }
    return "?";
}

fs::path checkpoint_to_open(const fs::path& chosen) {
    std::error_code ec;
    if (fs::is_directory(chosen, ec))
        return chosen;
    const std::string name = chosen.filename().string();
    const std::string ext = chosen.extension().string();
    // A shard alone misses the tensors of the others.
    const bool shard = name.find("-of-") != std::string::npos;
    const bool whole = ext == ".gguf" || ext == ".bin" || ext == ".pt" || ext == ".pth" ||
                       ext == ".safetensors" || ends_with(name, ".index.json");
    if (whole && !shard)
        return chosen;
    return chosen.has_parent_path() ? chosen.parent_path() : fs::path(".");
}

CheckpointSource open_checkpoint_source(const fs::path& path) {
    const std::string where = path.string();
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw InputError(str(where, ": no such file or directory"), where);
    if (!fs::is_directory(path, ec)) {
        if (!fs::is_regular_file(path, ec))
            throw InputError(str(where, ": not a regular file or a directory"), where);
        return open_file(path);
    }
    // transformers prefers safetensors when a folder holds both.
    if (is_file(path / kSingleCheckpointFile) || is_file(path / kCheckpointIndexFile))
        return from_store(path, CheckpointFormat::Safetensors, open_safetensors_store(path), path);
    if (is_file(path / kPytorchFile)) {
        return from_store(path, CheckpointFormat::Pytorch, open_pytorch_store(path / kPytorchFile),
                          path);
    }
    if (is_file(path / kPytorchIndexFile)) {
        return from_store(path, CheckpointFormat::Pytorch,
                          open_pytorch_store(path / kPytorchIndexFile), path);
    }
    const std::vector<fs::path> ggufs = gguf_files(path);
    if (ggufs.size() == 1)
        return open_gguf_checkpoint(ggufs.front());
    if (ggufs.size() > 1) {
        throw InputError(
            str(where, ": holds ", ggufs.size(), " .gguf files; name the one to open (e.g. ",
                ggufs.front().string(), ")"),
            where);
    }
    throw InputError(
        str(where, ": no checkpoint here: expected ", kSingleCheckpointFile, ", ",
            kCheckpointIndexFile, ", ", kPytorchFile, ", ", kPytorchIndexFile, " or a .gguf file"),
        where);
}

}  // namespace ssmscope::model
