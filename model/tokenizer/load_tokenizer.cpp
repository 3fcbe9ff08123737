#include "model/tokenizer/load_tokenizer.hpp"

#include "model/tokenizer/bpe_tokenizer.hpp"
#include "model/tokenizer/byte_tokenizer.hpp"

namespace ssmscope::model {

std::unique_ptr<Tokenizer> load_tokenizer(const std::filesystem::path& checkpoint_dir) {
    const std::filesystem::path file = checkpoint_dir / "tokenizer.json";
    std::error_code ec;
    if (std::filesystem::exists(file, ec))
        return load_tokenizer_json(file);
    return make_byte_tokenizer();
}

}  // namespace ssmscope::model
