// libFuzzer target: tokenizer.json. The parser must accept the file or throw InputError; an
// accepted tokenizer must encode and decode a fixed text without failing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/error.hpp"
#include "model/tokenizer/bpe_tokenizer.hpp"
#include "model/tokenizer/tokenizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto tokenizer = ssmscope::model::parse_tokenizer_json(text, "tokenizer.json");
        const auto ids = tokenizer->encode("hello, world! 12 héllo\n\n");
        (void)tokenizer->decode(ids);
    } catch (const ssmscope::InputError&) {
    }
    return 0;
}
