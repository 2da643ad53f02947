#include "parfold/comm/mpi_runtime.hpp"

#include <mpi.h>

#include <array>
#include <cctype>
#include <string_view>
#include <utility>

namespace parfold {

MpiLibrary split_library_version(std::string const& text) {
  // The version follows " v" (Open MPI) or " Version:" (MPICH, Intel MPI: "Version 2021").
  for (std::string_view const mark : {" Version:", " Version", " v"}) {
    std::size_t const at = text.find(mark);
    if (at == std::string::npos) continue;
    std::size_t from = at + mark.size();
    while (from < text.size() && std::isspace(static_cast<unsigned char>(text[from]))) ++from;
    if (from == text.size() || std::isdigit(static_cast<unsigned char>(text[from])) == 0) continue;
    std::size_t to = from;
    while (to < text.size() && std::isspace(static_cast<unsigned char>(text[to])) == 0) ++to;
    return {text.substr(0, at), text.substr(from, to - from)};
  }
  return {text, ""};
}

std::string thread_level_name(int level) {
  constexpr std::array<std::pair<int, char const*>, 4> kNames{
      {{MPI_THREAD_SINGLE, "MPI_THREAD_SINGLE"},
       {MPI_THREAD_FUNNELED, "MPI_THREAD_FUNNELED"},
       {MPI_THREAD_SERIALIZED, "MPI_THREAD_SERIALIZED"},
       {MPI_THREAD_MULTIPLE, "MPI_THREAD_MULTIPLE"}}};
  for (auto const& [value, name] : kNames) {
    if (value == level) return name;
  }
  return "an unknown thread level (" + std::to_string(level) + ")";
}

int thread_level_needed() { return MPI_THREAD_FUNNELED; }

std::string thread_level_refusal(int provided) {
  // The levels are ordered: SINGLE < FUNNELED < SERIALIZED < MULTIPLE (MPI 4.0, 12.4.3).
  if (provided >= MPI_THREAD_FUNNELED) return "";
  return "the MPI library provides thread level " + thread_level_name(provided) +
         "; parfold needs " + thread_level_name(thread_level_needed()) +
         " (each rank's main thread calls MPI while its worker threads run)";
}

}  // namespace parfold
