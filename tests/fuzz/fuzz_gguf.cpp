// libFuzzer target: the GGUF reader on arbitrary bytes, as far as a checkpoint goes without torch:
// the container, the configuration and tokenizer built from the metadata (and parsed again, as a
// load does), and every tensor read as float32. It must either accept the file or throw
// InputError; anything else (a crash, a sanitizer report, another exception) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include "base/error.hpp"
#include "model/config/config_json.hpp"
#include "model/io/gguf/gguf_checkpoint.hpp"
#include "model/tokenizer/bpe_tokenizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The reader maps a file; an anonymous in-memory one keeps the disk out of the loop.
    const int fd = memfd_create("fuzz.gguf", 0);
    if (fd < 0)
        std::abort();
    if (size > 0 && write(fd, data, size) != static_cast<ssize_t>(size))
        std::abort();
    try {
        const auto source =
            ssmscope::model::open_gguf_checkpoint("/proc/self/fd/" + std::to_string(fd));
        for (const std::string& name : source.tensors->names()) {
            const auto* t = source.tensors->find(name);
            if (!t)
                std::abort();
            std::vector<std::byte> out(t->read_bytes());
            source.tensors->read(*t, out);
        }
        try {
            (void)ssmscope::model::parse_config_text(source.config_text, source.config_source);
        } catch (const ssmscope::InputError&) {
        }
        if (!source.tokenizer_text.empty()) {
            const auto tok = ssmscope::model::parse_tokenizer_json(source.tokenizer_text,
                                                                   source.tokenizer_source);
            (void)tok->encode("hello world 12");
        }
    } catch (const ssmscope::InputError&) {
    }
    close(fd);
    return 0;
}
