// The reference for `lines top`: a plain single-threaded counter,
// std::unordered_map<std::string, uint64_t> over the same words (wc's words), printing
// the same 'count word' lines.   top_ref K FILE
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  std::size_t const k = std::stoul(argv[1]);
  std::ifstream in(argv[2], std::ios::binary);
  std::unordered_map<std::string, std::uint64_t> counts;
  std::string word;
  bool printable = false;
  auto flush = [&] {
    if (printable) ++counts[word];
    word.clear();
    printable = false;
  };
  std::vector<char> buf(1 << 20);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      auto const c = static_cast<unsigned char>(buf[static_cast<std::size_t>(i)]);
      if (c == ' ' || (c >= '\t' && c <= '\r')) {
        flush();
      } else {
        word.push_back(static_cast<char>(c));
        printable |= c >= 0x21 && c <= 0x7e;
      }
    }
  }
  flush();
  std::vector<std::pair<std::string, std::uint64_t>> all(counts.begin(), counts.end());
  auto const n = std::min(k, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(),
                    [](auto const& a, auto const& b) {
                      return a.second != b.second ? a.second > b.second : a.first < b.first;
                    });
  for (std::size_t i = 0; i < n; ++i)
    std::printf("%llu %s\n", static_cast<unsigned long long>(all[i].second), all[i].first.c_str());
  return 0;
}
