#include "matrix/matrix_report.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace strata::matrix {
namespace {

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      out += s[i + 1] == 'n' ? '\n' : s[i + 1];
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Markdown cells must not contain '|'.
std::string Cell(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? '/' : (c == '\n' ? ' ' : c);
  return out;
}

}  // namespace

std::string SerializeResult(const RowResult& r) {
  std::ostringstream out;
  out << "name=" << Escape(r.name) << "\n"
      << "outcome=" << OutcomeName(r.outcome) << "\n"
      << "skip_reason=" << Escape(r.skip_reason) << "\n"
      << "seconds=" << r.seconds << "\n"
      << "open_status=" << Escape(r.open_status) << "\n"
      << "alignment=" << r.alignment << "\n"
      << "write_bytes=" << Escape(r.write_bytes) << "\n"
      << "read_bytes=" << Escape(r.read_bytes) << "\n"
      << "padding_bytes=" << r.padding_bytes << "\n"
      << "rewritten_tail_bytes=" << r.rewritten_tail_bytes << "\n"
      << "readahead_sizes=" << Escape(r.readahead_sizes) << "\n"
      << "residency=" << Escape(r.residency) << "\n"
      << "sst_dump=" << Escape(r.sst_dump) << "\n";
  for (const auto& f : r.failures) out << "failure=" << Escape(f) << "\n";
  return out.str();
}

bool ParseResult(const std::string& text, RowResult* r) {
  *r = RowResult();
  std::istringstream in(text);
  std::string line;
  bool have_name = false, have_outcome = false;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq == std::string::npos) return false;
    const std::string key = line.substr(0, eq);
    const std::string value = Unescape(line.substr(eq + 1));
    if (key == "name") {
      r->name = value;
      have_name = true;
    } else if (key == "outcome") {
      have_outcome = true;
      r->outcome = value == "pass"   ? Outcome::kPass
                   : value == "skip" ? Outcome::kSkip
                                     : Outcome::kFail;
    } else if (key == "skip_reason") {
      r->skip_reason = value;
    } else if (key == "seconds") {
      r->seconds = std::strtod(value.c_str(), nullptr);
    } else if (key == "open_status") {
      r->open_status = value;
    } else if (key == "alignment") {
      r->alignment = std::strtoull(value.c_str(), nullptr, 10);
    } else if (key == "write_bytes") {
      r->write_bytes = value;
    } else if (key == "read_bytes") {
      r->read_bytes = value;
    } else if (key == "padding_bytes") {
      r->padding_bytes = std::strtoull(value.c_str(), nullptr, 10);
    } else if (key == "rewritten_tail_bytes") {
      r->rewritten_tail_bytes = std::strtoull(value.c_str(), nullptr, 10);
    } else if (key == "readahead_sizes") {
      r->readahead_sizes = value;
    } else if (key == "residency") {
      r->residency = value;
    } else if (key == "sst_dump") {
      r->sst_dump = value;
    } else if (key == "failure") {
      r->failures.push_back(value);
    }
  }
  return have_name && have_outcome;
}

bool WriteResultFile(const std::string& dir, const RowResult& result) {
  std::ofstream out(dir + "/" + result.name + ".txt", std::ios::trunc);
  out << SerializeResult(result);
  return static_cast<bool>(out);
}

bool ReadResultFile(const std::string& dir, const std::string& name,
                    RowResult* result) {
  std::ifstream in(dir + "/" + name + ".txt");
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  return ParseResult(text.str(), result) && result->name == name;
}

std::string FormatTable(const std::vector<MatrixRow>& rows,
                        const std::vector<const RowResult*>& results,
                        const std::string& title) {
  std::ostringstream out;
  const Coverage coverage = PairCoverage(rows);
  size_t pass = 0, fail = 0, skip = 0, missing = 0, rejected = 0;
  double seconds = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].valid()) ++rejected;
    const RowResult* r = results[i];
    if (r == nullptr) {
      ++missing;
      continue;
    }
    seconds += r->seconds;
    (r->outcome == Outcome::kPass   ? pass
     : r->outcome == Outcome::kSkip ? skip
                                    : fail)++;
  }
  char header[512];
  std::snprintf(header, sizeof(header),
                "%s: %zu rows (%zu valid, %zu rejected by Open), pairwise "
                "seed 0x%llx, %llu of %llu value pairs covered; %zu pass, "
                "%zu FAIL, %zu skip, %zu not run; %.1f s of row time\n\n",
                title.c_str(), rows.size(), rows.size() - rejected, rejected,
                static_cast<unsigned long long>(kPairwiseSeed),
                static_cast<unsigned long long>(coverage.covered_pairs),
                static_cast<unsigned long long>(coverage.coverable_pairs), pass,
                fail, skip, missing, seconds);
  out << header;
  out << "Byte cells are kind:mode=bytes (B buffered, D direct, M mmap); "
         "flush/c_out = SSTs written by flush/compaction, c_in = compaction "
         "inputs, verify = check read of new tables, user = Get/iterators, "
         "ext = SstFileWriter output and its ingestion. Compaction reads: "
         "distinct lengths of reads that stop before a file's end. Page "
         "cache: resident/total bytes at the end (in-memory rows: the file "
         "system's page-cache model).\n\n";
  out << "| # | combination | result | s | align | writes | reads | padding "
         "| rewritten tails | compaction reads | page cache | sst_dump |\n";
  out << "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const RowResult* r = results[i];
    out << "| " << i + 1 << " | " << rows[i].Name() << " | ";
    if (r == nullptr) {
      out << "not run | | | | | | | | | |\n";
      continue;
    }
    char secs[32];
    std::snprintf(secs, sizeof(secs), "%.2f", r->seconds);
    out << OutcomeName(r->outcome) << " | " << secs << " | ";
    if (!rows[i].valid()) {
      out << " | Open: " << Cell(r->open_status) << " | | | | | | |\n";
      continue;
    }
    out << r->alignment << " | " << Cell(r->write_bytes) << " | "
        << Cell(r->read_bytes) << " | " << r->padding_bytes << " | "
        << r->rewritten_tail_bytes << " | " << Cell(r->readahead_sizes) << " | "
        << Cell(r->residency) << " | " << Cell(r->sst_dump) << " |\n";
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    const RowResult* r = results[i];
    if (r == nullptr) continue;
    if (r->outcome == Outcome::kSkip) {
      out << "\nskip " << r->name << ": " << r->skip_reason << "\n";
    }
    if (r->failures.empty()) continue;
    out << "\nFAIL " << r->name << ":\n";
    for (const auto& f : r->failures) out << "  - " << Cell(f) << "\n";
  }
  return out.str();
}

}  // namespace strata::matrix
