#include "workloads/lines/grep/line_scanner.hpp"

#include <hs.h>

#include <atomic>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

namespace parfold {

namespace {

/// Each thread's Hyperscan scratch space, grown for every database it has scanned.
class Scratch {
 public:
  ~Scratch() {
    if (space_ != nullptr) hs_free_scratch(space_);
  }
  hs_scratch_t* for_database(hs_database_t const* db, std::uint64_t id) {
    if (id != last_ && hs_alloc_scratch(db, &space_) != HS_SUCCESS) return nullptr;
    last_ = id;
    return space_;
  }

 private:
  hs_scratch_t* space_ = nullptr;
  std::uint64_t last_ = 0;
};

/// This thread's scratch space (block and stream databases share it).
Scratch& thread_scratch() {
  thread_local Scratch scratch;
  return scratch;
}

/// What the match callback keeps while one text is scanned.
struct Lines {
  char const* text;
  std::size_t size;
  std::vector<std::size_t>* spans;
  std::size_t line_begin = 0;  ///< the last line taken: its first byte
  std::size_t free = 0;        ///< the first byte after it (0 before any)
  bool taken = false;
  bool disordered = false;
};

int on_match(unsigned /*id*/, unsigned long long /*from*/, unsigned long long to,
             unsigned /*flags*/, void* context) {
  Lines& l = *static_cast<Lines*>(context);
  auto const last = static_cast<std::size_t>(to) - 1;  // matches are never empty
  if (l.taken && last < l.free) {
    if (last >= l.line_begin) return 0;  // another match on the line already taken
    l.disordered = true;                 // an earlier line, reported late
    return 1;
  }
  void const* nl = ::memrchr(l.text + l.free, '\n', last - l.free);
  std::size_t const begin =
      nl == nullptr ? l.free : static_cast<std::size_t>(static_cast<char const*>(nl) - l.text) + 1;
  void const* end_nl = std::memchr(l.text + last, '\n', l.size - last);
  std::size_t const end = end_nl == nullptr
                              ? l.size
                              : static_cast<std::size_t>(static_cast<char const*>(end_nl) - l.text);
  l.spans->push_back(begin);
  l.spans->push_back(end);
  l.line_begin = begin;
  l.free = end + 1;
  l.taken = true;
  return 0;
}

std::atomic<std::uint64_t> next_id{1};

/// Can Hyperscan run this expression so that every match it reports has a byte? It
/// compiles some expressions that match the empty string (^, $, ^$) and reports their
/// empty matches; RE2 runs those.
bool never_empty(char const* expression, unsigned flags) {
  hs_expr_info_t* info = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_expression_info(expression, flags, &info, &error) != HS_SUCCESS) {
    hs_free_compile_error(error);
    return false;
  }
  bool const ok = info->min_width > 0;
  std::free(info);  // allocated with Hyperscan's default allocator, malloc
  return ok;
}

}  // namespace

bool hyperscan_allowed() {
  char const* engine = std::getenv("PARFOLD_REGEX_ENGINE");
  return !(engine != nullptr && std::strcmp(engine, "re2") == 0) &&
         hs_valid_platform() == HS_SUCCESS;
}

namespace {

/// The database of `regexes` in `mode` (HS_MODE_BLOCK, HS_MODE_STREAM), or null when
/// Hyperscan cannot run one of them as RE2 would, or is switched off
/// (PARFOLD_REGEX_ENGINE=re2).
hs_database_t* compile_database(std::vector<std::string> const& regexes, unsigned mode) {
  if (regexes.empty() || !hyperscan_allowed()) return nullptr;
  std::vector<char const*> expressions;
  std::vector<unsigned> flags, ids;
  for (std::string const& r : regexes) {
    expressions.push_back(r.c_str());
    flags.push_back(HS_FLAG_MULTILINE);  // ^ and $ at line ends; '.' never matches '\n'
    if (!never_empty(r.c_str(), flags.back())) return nullptr;
    ids.push_back(static_cast<unsigned>(ids.size()));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(expressions.data(), flags.data(), ids.data(),
                       static_cast<unsigned>(expressions.size()), mode, nullptr, &db,
                       &error) != HS_SUCCESS) {
    hs_free_compile_error(error);
    return nullptr;
  }
  return db;
}

/// A stream's match callback: one match is enough (the scan stops there).
int on_stream_match(unsigned /*id*/, unsigned long long /*from*/, unsigned long long /*to*/,
                    unsigned /*flags*/, void* matched) {
  *static_cast<bool*>(matched) = true;
  return 1;
}

}  // namespace

std::unique_ptr<LineScanner> LineScanner::compile(std::vector<std::string> const& regexes) {
  hs_database_t* const db = compile_database(regexes, HS_MODE_BLOCK);
  return db == nullptr ? nullptr : std::unique_ptr<LineScanner>(new LineScanner(db, next_id++));
}

LineScanner::~LineScanner() { hs_free_database(db_); }

bool LineScanner::matching_lines(std::string_view text, std::vector<std::size_t>& spans) const {
  if (text.size() >= UINT_MAX) return false;
  hs_scratch_t* const space = thread_scratch().for_database(db_, id_);
  if (space == nullptr) return false;
  std::size_t const before = spans.size();
  Lines lines{text.data(), text.size(), &spans};
  hs_error_t const status =
      hs_scan(db_, text.data(), static_cast<unsigned>(text.size()), 0, space, &on_match, &lines);
  if (lines.disordered || (status != HS_SUCCESS)) {
    spans.resize(before);
    return false;
  }
  return true;
}

std::unique_ptr<LineStream> LineStream::compile(std::vector<std::string> const& regexes) {
  hs_database_t* const db = compile_database(regexes, HS_MODE_STREAM);
  return db == nullptr ? nullptr : std::unique_ptr<LineStream>(new LineStream(db, next_id++));
}

LineStream::~LineStream() { hs_free_database(db_); }

LineStream::Line::Line(LineStream const& db) : db_(db) {
  if (hs_open_stream(db_.db_, 0, &stream_) != HS_SUCCESS)
    throw std::runtime_error("Hyperscan could not open a stream");
}

LineStream::Line::~Line() {
  if (stream_ != nullptr) hs_close_stream(stream_, nullptr, nullptr, nullptr);
}

void LineStream::Line::add(std::string_view part) {
  if (matched_ || part.empty()) return;  // one match decides the line
  hs_scratch_t* const space = thread_scratch().for_database(db_.db_, db_.id_);
  // Parts are at most a read buffer (LineFiles::kReadBytes): far below 4 GiB.
  hs_error_t const status =
      space == nullptr ? HS_NOMEM
                       : hs_scan_stream(stream_, part.data(), static_cast<unsigned>(part.size()), 0,
                                        space, &on_stream_match, &matched_);
  if (status != HS_SUCCESS && status != HS_SCAN_TERMINATED)
    throw std::runtime_error("Hyperscan failed on a long line (error " + std::to_string(status) +
                             ")");
}

bool LineStream::Line::matched() {
  hs_scratch_t* const space = matched_ ? nullptr : thread_scratch().for_database(db_.db_, db_.id_);
  // Matches at the end of the line ($) come as the stream closes.
  hs_close_stream(stream_, space, space == nullptr ? nullptr : &on_stream_match, &matched_);
  stream_ = nullptr;
  return matched_;
}

}  // namespace parfold
