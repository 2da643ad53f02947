// The floor for `lines`: the least time any tool can take to look at every byte of a
// page-cached file. W threads each take a contiguous 1/W of the file and XOR its 64-bit
// words (the compiler vectorizes the loop with -O3 -march=native), so the time is the
// cost of getting the bytes to the cores and nothing else.
//   lines_floor mmap|pread WORKERS FILE
// mmap: each thread maps its slice (MAP_PRIVATE) and reads it: page faults and TLB
// misses included, as for ripgrep's mapped search. pread: each thread reads its slice
// into a buffer of 256 KiB that stays in its cache, as `parfold lines` reads: the copy
// out of the page cache included. Prints the XOR of the file's 64-bit words (slices start
// at multiples of 8; the last bytes go into the low byte): the same for either pass and any
// worker count, and no pass can be left out.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace {

std::uint64_t xor_words(char const* p, std::size_t n) {
  std::uint64_t acc = 0;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    acc ^= w;
  }
  for (; i < n; ++i) acc ^= static_cast<unsigned char>(p[i]);
  return acc;
}

std::uint64_t by_mmap(int fd, std::uint64_t begin, std::uint64_t end) {
  std::uint64_t const page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  std::uint64_t const base = begin / page * page;
  if (end == begin) return 0;
  void* m = ::mmap(nullptr, end - base, PROT_READ, MAP_PRIVATE, fd, static_cast<off_t>(base));
  if (m == MAP_FAILED) std::perror("mmap"), std::exit(1);
  std::uint64_t const acc = xor_words(static_cast<char const*>(m) + (begin - base), end - begin);
  ::munmap(m, end - base);
  return acc;
}

std::uint64_t by_pread(int fd, std::uint64_t begin, std::uint64_t end) {
  std::vector<char> buffer(std::size_t{256} << 10);
  std::uint64_t acc = 0;
  for (std::uint64_t at = begin; at < end;) {
    std::size_t const want =
        static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), end - at));
    ssize_t const got = ::pread(fd, buffer.data(), want, static_cast<off_t>(at));
    if (got < 0) std::perror("pread"), std::exit(1);
    if (got == 0)
      std::fprintf(stderr, "lines_floor: the file shrank while it was read\n"), std::exit(1);
    acc ^= xor_words(buffer.data(), static_cast<std::size_t>(got));
    at += static_cast<std::uint64_t>(got);
  }
  return acc;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: lines_floor mmap|pread WORKERS FILE\n");
    return 2;
  }
  std::string const mode = argv[1];
  char* end = nullptr;
  long const workers = std::strtol(argv[2], &end, 10);
  int const fd = ::open(argv[3], O_RDONLY);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0 || *end != '\0' || workers < 1 || workers > 1024 ||
      (mode != "mmap" && mode != "pread")) {
    std::fprintf(stderr, "lines_floor: cannot read %s in mode %s with %s workers (1-1024)\n",
                 argv[3], argv[1], argv[2]);
    return 2;
  }
  auto const size = static_cast<std::uint64_t>(st.st_size);
  std::vector<std::uint64_t> acc(static_cast<std::size_t>(workers));
  auto slice_begin = [&](long w) {  // a multiple of 8, so that every slice XORs whole words
    return size * static_cast<std::uint64_t>(w) / static_cast<std::uint64_t>(workers) & ~7ULL;
  };
  try {
    std::vector<std::jthread> threads;
    for (long w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        std::uint64_t const b = slice_begin(w), e = w + 1 == workers ? size : slice_begin(w + 1);
        acc[static_cast<std::size_t>(w)] = mode == "mmap" ? by_mmap(fd, b, e) : by_pread(fd, b, e);
      });
    }
  } catch (std::system_error const& e) {  // no thread to be had
    std::fprintf(stderr, "lines_floor: %s workers: %s\n", argv[2], e.what());
    return 1;
  }
  std::uint64_t all = 0;
  for (std::uint64_t a : acc) all ^= a;
  std::printf("%016llx\n", static_cast<unsigned long long>(all));
  return 0;
}
