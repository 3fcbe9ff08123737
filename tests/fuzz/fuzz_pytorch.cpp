// libFuzzer target: the PyTorch reader (zip container, restricted unpickler, strided views) on
// arbitrary bytes. It must either accept the file, and then every tensor reads inside its
// storage, or throw InputError; anything else (a crash, a sanitizer report, another exception)
// is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

#include "base/error.hpp"
#include "model/io/pytorch/pytorch_store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The reader maps a file; an anonymous in-memory one keeps the disk out of the loop.
    const int fd = memfd_create("fuzz.bin", 0);
    if (fd < 0)
        std::abort();
    if (size > 0 && write(fd, data, size) != static_cast<ssize_t>(size))
        std::abort();
    try {
        const auto store =
            ssmscope::model::open_pytorch_store("/proc/self/fd/" + std::to_string(fd));
        std::uint64_t sum = 0;
        for (const std::string& name : store.tensors->names()) {
            const auto* t = store.tensors->find(name);
            if (!t)
                std::abort();
            // A view may repeat elements (stride 0): bound what one input may make us allocate.
            if (t->read_bytes() > (std::size_t{1} << 20))
                continue;
            std::vector<std::byte> out(t->read_bytes());
            store.tensors->read(*t, out);
            if (!out.empty())
                sum +=
                    static_cast<std::uint8_t>(out.front()) + static_cast<std::uint8_t>(out.back());
        }
        (void)sum;
    } catch (const ssmscope::InputError&) {
    }
    close(fd);
    return 0;
}
