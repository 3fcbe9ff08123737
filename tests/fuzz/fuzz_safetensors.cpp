// libFuzzer target: the safetensors reader on arbitrary bytes. It must either accept the file,
// and then every tensor's span lies inside it, or throw InputError; anything else (a crash, a
// sanitizer report, another exception) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <sys/mman.h>
#include <unistd.h>

#include "base/error.hpp"
#include "model/io/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The reader maps a file; an anonymous in-memory one keeps the disk out of the loop.
    const int fd = memfd_create("fuzz.safetensors", 0);
    if (fd < 0)
        std::abort();
    if (size > 0 && write(fd, data, size) != static_cast<ssize_t>(size))
        std::abort();
    try {
        const ssmscope::model::SafetensorsFile file("/proc/self/fd/" + std::to_string(fd));
        std::uint64_t sum = 0;
        for (const auto& t : file.tensors()) {
            const auto bytes = file.data(t);
            if (!bytes.empty())
                sum += static_cast<std::uint8_t>(bytes.front()) +
                       static_cast<std::uint8_t>(bytes.back());
            if (t.nbytes() != bytes.size())
                std::abort();
        }
        (void)file.find("x");
        (void)file.metadata();
        (void)sum;
    } catch (const ssmscope::InputError&) {
    }
    close(fd);
    return 0;
}
