#include "model/io/gguf/gguf_checkpoint.hpp"

#include <memory>
#include <set>

#include "base/str.hpp"
#include "model/io/gguf/gguf_config.hpp"
#include "model/io/gguf/gguf_file.hpp"
#include "model/io/gguf/gguf_store.hpp"
#include "model/io/gguf/gguf_tokenizer.hpp"

namespace ssmscope::model {

CheckpointSource open_gguf_checkpoint(const std::filesystem::path& file) {
    auto gguf = std::make_shared<const GgufFile>(file);
    const bool mamba2 = gguf_is_mamba2(*gguf);
    CheckpointSource s;
    s.path = file;
    s.format = CheckpointFormat::Gguf;
    s.config_text = gguf_config_text(*gguf);
    s.config_source = str(file.string(), " (metadata)");
    GgufTokenizer tokenizer = gguf_tokenizer(*gguf);
    if (!tokenizer.json.empty()) {
        s.tokenizer_text = std::move(tokenizer.json);
        s.tokenizer_source = str(file.string(), " (tokenizer.ggml.*)");
    }
    std::set<std::string_view> types;
    for (const GgufTensorInfo& t : gguf->tensors())
        types.insert(ggml_type_info(static_cast<std::uint32_t>(t.type))->name);
    std::string list;
    for (const std::string_view t : types)
        list += (list.empty() ? "" : ", ") + std::string(t);
    s.format_detail = str("GGUF v", gguf->version(), " (", list.empty() ? "no tensors" : list, ")");
    if (!tokenizer.note.empty())
        s.format_detail += "; " + tokenizer.note;
    s.tensors = make_gguf_store(std::move(gguf), mamba2);
    return s;
}

}  // namespace ssmscope::model
