#include "matrix/option_matrix.h"

#include <algorithm>
#include <array>
#include <random>

#include "db/db_options.h"
#include "util/compression.h"

namespace strata::matrix {
namespace {

// The four flags as one axis: bit 0 direct reads, 1 direct flush, 2 mmap
// reads, 3 mmap writes.
MatrixRow WithFlags(MatrixRow row, int bits) {
  row.direct_reads = (bits & 1) != 0;
  row.direct_flush = (bits & 2) != 0;
  row.mmap_reads = (bits & 4) != 0;
  row.mmap_writes = (bits & 8) != 0;
  return row;
}

int FlagBits(const MatrixRow& row) {
  return (row.direct_reads ? 1 : 0) | (row.direct_flush ? 2 : 0) |
         (row.mmap_reads ? 4 : 0) | (row.mmap_writes ? 8 : 0);
}

bool FlagsValid(int bits) {
  const bool dr = bits & 1, df = bits & 2, mr = bits & 4, mw = bits & 8;
  return !(mr && (dr || df)) && !(mw && df);
}

std::vector<int> ValidFlagCombos() {
  std::vector<int> out;
  for (int bits = 0; bits < 16; ++bits) {
    if (FlagsValid(bits)) out.push_back(bits);
  }
  return out;
}

// Factor order of the generator and of the full product's mixed radix.
enum Factor {
  kFlags,
  kFallback,
  kReadahead,
  kBuffer,
  kBytesPerSync,
  kCompression,
  kChecksum,
  kFormatVersion,
  kBlockSize,
  kFs,
  kNumFactors
};

std::array<size_t, kNumFactors> Levels(size_t flag_levels) {
  const Axes& a = MatrixAxes();
  return {flag_levels,
          a.fallbacks.size(),
          a.readahead_sizes.size(),
          a.max_buffer_sizes.size(),
          a.bytes_per_sync.size(),
          a.compressions.size(),
          a.checksums.size(),
          a.format_versions.size(),
          a.block_sizes.size(),
          a.file_systems.size()};
}

// A row from one level per factor; `flag_values` maps the flags factor's
// level to its bits.
MatrixRow RowFromLevels(const std::array<int, kNumFactors>& lv,
                        const std::vector<int>& flag_values) {
  const Axes& a = MatrixAxes();
  MatrixRow row;
  row = WithFlags(row, flag_values[lv[kFlags]]);
  row.fallback = a.fallbacks[lv[kFallback]];
  row.compaction_readahead_size = a.readahead_sizes[lv[kReadahead]];
  row.writable_file_max_buffer_size = a.max_buffer_sizes[lv[kBuffer]];
  row.bytes_per_sync = a.bytes_per_sync[lv[kBytesPerSync]];
  row.compression = a.compressions[lv[kCompression]];
  row.checksum = a.checksums[lv[kChecksum]];
  row.format_version = a.format_versions[lv[kFormatVersion]];
  row.block_size = a.block_sizes[lv[kBlockSize]];
  row.fs = a.file_systems[lv[kFs]];
  return row;
}

template <typename T>
int IndexOf(const std::vector<T>& values, const T& v) {
  auto it = std::find(values.begin(), values.end(), v);
  return it == values.end() ? -1 : static_cast<int>(it - values.begin());
}

std::array<int, kNumFactors> LevelsOf(const MatrixRow& row,
                                      const std::vector<int>& flag_values) {
  const Axes& a = MatrixAxes();
  return {IndexOf(flag_values, FlagBits(row)),
          IndexOf(a.fallbacks, row.fallback),
          IndexOf(a.readahead_sizes, row.compaction_readahead_size),
          IndexOf(a.max_buffer_sizes, row.writable_file_max_buffer_size),
          IndexOf(a.bytes_per_sync, row.bytes_per_sync),
          IndexOf(a.compressions, row.compression),
          IndexOf(a.checksums, row.checksum),
          IndexOf(a.format_versions, row.format_version),
          IndexOf(a.block_sizes, row.block_size),
          IndexOf(a.file_systems, row.fs)};
}

// The constraints of a valid row, on a partial assignment (-1 = unset).
// Both are between two factors, so a pair that breaks none can be covered.
bool Allowed(const std::array<int, kNumFactors>& lv,
             const std::vector<int>& flag_values) {
  const Axes& a = MatrixAxes();
  if (lv[kFlags] >= 0 && lv[kBuffer] >= 0 &&
      (flag_values[lv[kFlags]] & 2) != 0 &&
      a.max_buffer_sizes[lv[kBuffer]] == 0) {
    return false;  // S6: a rejected row, not a valid one.
  }
  if (lv[kFallback] >= 0 && lv[kFs] >= 0 &&
      a.fallbacks[lv[kFallback]] == Fallback::kOnRefused &&
      a.file_systems[lv[kFs]] == FsKind::kDisk) {
    return false;
  }
  return true;
}

// Indexes every (factor i, level a, factor j, level b), i < j.
class PairIndex {
 public:
  explicit PairIndex(const std::array<size_t, kNumFactors>& levels)
      : levels_(levels) {
    size_t next = 0;
    for (int i = 0; i < kNumFactors; ++i) {
      for (int j = i + 1; j < kNumFactors; ++j) {
        base_[i][j] = next;
        next += levels[i] * levels[j];
      }
    }
    size_ = next;
  }
  size_t size() const { return size_; }
  size_t Of(int i, int a, int j, int b) const {
    if (i > j) {
      std::swap(i, j);
      std::swap(a, b);
    }
    return base_[i][j] + static_cast<size_t>(a) * levels_[j] +
           static_cast<size_t>(b);
  }
  // The inverse of Of().
  void Decode(size_t index, int* i, int* a, int* j, int* b) const {
    for (int x = 0; x < kNumFactors; ++x) {
      for (int y = x + 1; y < kNumFactors; ++y) {
        const size_t n = levels_[x] * levels_[y];
        if (index >= base_[x][y] && index < base_[x][y] + n) {
          const size_t rel = index - base_[x][y];
          *i = x;
          *j = y;
          *a = static_cast<int>(rel / levels_[y]);
          *b = static_cast<int>(rel % levels_[y]);
          return;
        }
      }
    }
  }

 private:
  std::array<size_t, kNumFactors> levels_;
  std::array<std::array<size_t, kNumFactors>, kNumFactors> base_{};
  size_t size_ = 0;
};

// Deterministic on every platform: mt19937_64's output is fixed by the
// standard, and the distribution is done here (std's are not portable).
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  size_t Uniform(size_t n) { return static_cast<size_t>(gen_() % n); }

 private:
  std::mt19937_64 gen_;
};

std::string SizeName(uint64_t v) {
  if (v != 0 && v % (1 << 20) == 0) return std::to_string(v >> 20) + "M";
  if (v != 0 && v % (1 << 10) == 0 && v >= (64 << 10)) {
    return std::to_string(v >> 10) + "K";
  }
  if (v == (1 << 20) + 1) return "1M1";
  return std::to_string(v);
}

}  // namespace

const Axes& MatrixAxes() {
  static const Axes axes = [] {
    Axes a;
    a.readahead_sizes = {0, 4096, 1000003, 2 << 20};
    a.max_buffer_sizes = {0, 511, 4096, 64 << 10, 1 << 20, (1 << 20) + 1};
    a.bytes_per_sync = {0, 1 << 20};
    a.compressions = {CompressionType::kNoCompression, CompressionType::kZSTD};
    if (CompressionTypeSupported(CompressionType::kSnappyCompression)) {
      a.compressions.push_back(CompressionType::kSnappyCompression);
    }
    a.checksums = {ChecksumType::kCRC32c, ChecksumType::kxxHash,
                   ChecksumType::kxxHash64, ChecksumType::kXXH3};
    a.format_versions = {2, 3, 4, 5};
    a.block_sizes = {512, 4096, 16384};
    a.file_systems = {FsKind::kDisk, FsKind::kMem512, FsKind::kMem4096,
                      FsKind::kMem16384};
    a.fallbacks = {Fallback::kStrict, Fallback::kOn, Fallback::kOnRefused};
    return a;
  }();
  return axes;
}

std::string MatrixRow::Name() const {
  std::string n = direct_reads ? "DirectReads" : "BufferedReads";
  n += direct_flush ? "_DirectFlush" : "_BufferedFlush";
  if (mmap_reads && mmap_writes) {
    n += "_MmapReadsWrites";
  } else if (mmap_reads) {
    n += "_MmapReads";
  } else if (mmap_writes) {
    n += "_MmapWrites";
  } else {
    n += "_NoMmap";
  }
  switch (compression) {
    case CompressionType::kZSTD:
      n += "_Zstd";
      break;
    case CompressionType::kSnappyCompression:
      n += "_Snappy";
      break;
    default:
      n += "_NoCompression";
      break;
  }
  switch (checksum) {
    case ChecksumType::kCRC32c:
      n += "_Crc32c";
      break;
    case ChecksumType::kxxHash:
      n += "_XXH32";
      break;
    case ChecksumType::kxxHash64:
      n += "_XXH64";
      break;
    default:
      n += "_XXH3";
      break;
  }
  n += "_Fv" + std::to_string(format_version);
  n += "_B" + std::to_string(block_size);
  n += on_disk() ? "_Disk" : "_Align" + std::to_string(fake_alignment());
  n += "_Ra" + SizeName(compaction_readahead_size);
  n += "_Buf" + SizeName(writable_file_max_buffer_size);
  n += "_Bps" + SizeName(bytes_per_sync);
  switch (fallback) {
    case Fallback::kStrict:
      n += "_Strict";
      break;
    case Fallback::kOn:
      n += "_Fallback";
      break;
    case Fallback::kOnRefused:
      n += "_FallbackRefused";
      break;
  }
  return n;
}

Status MatrixRow::ExpectedOpenStatus() const {
  if (mmap_reads && direct_reads) {
    return Status::NotSupported(kMmapReadsDirectReadsMessage);
  }
  if (mmap_reads && direct_flush) {
    return Status::NotSupported(kMmapReadsDirectWritesMessage);
  }
  if (mmap_writes && direct_flush) {
    return Status::NotSupported(kMmapWritesDirectWritesMessage);
  }
  if (direct_flush && writable_file_max_buffer_size == 0) {
    return Status::InvalidArgument(kDirectWritesZeroBufferMessage);
  }
  return Status::OK();
}

size_t MatrixRow::fake_alignment() const {
  switch (fs) {
    case FsKind::kDisk:
      return 0;
    case FsKind::kMem512:
      return 512;
    case FsKind::kMem4096:
      return 4096;
    case FsKind::kMem16384:
      return 16384;
  }
  return 0;
}

bool MatrixRow::effective_direct_reads() const {
  return direct_reads && fallback != Fallback::kOnRefused;
}

bool MatrixRow::effective_direct_flush() const {
  return direct_flush && fallback != Fallback::kOnRefused;
}

std::vector<MatrixRow> ReducedMatrix(uint64_t seed) {
  const std::vector<int> flags = ValidFlagCombos();
  const auto levels = Levels(flags.size());
  const PairIndex pairs(levels);
  std::vector<bool> uncovered(pairs.size(), false);
  size_t num_uncovered = 0;
  for (size_t p = 0; p < pairs.size(); ++p) {
    int i = 0, a = 0, j = 0, b = 0;
    pairs.Decode(p, &i, &a, &j, &b);
    std::array<int, kNumFactors> lv;
    lv.fill(-1);
    lv[i] = a;
    lv[j] = b;
    if (Allowed(lv, flags)) {
      uncovered[p] = true;
      ++num_uncovered;
    }
  }

  Rng rng(seed);
  constexpr int kCandidates = 24;
  std::vector<MatrixRow> rows;
  while (num_uncovered > 0) {
    std::array<int, kNumFactors> best{};
    size_t best_gain = 0;
    for (int c = 0; c < kCandidates; ++c) {
      // Start from an uncovered pair, found from a random position.
      size_t p = rng.Uniform(pairs.size());
      while (!uncovered[p]) p = (p + 1) % pairs.size();
      int i = 0, a = 0, j = 0, b = 0;
      pairs.Decode(p, &i, &a, &j, &b);
      std::array<int, kNumFactors> lv;
      lv.fill(-1);
      lv[i] = a;
      lv[j] = b;
      std::array<int, kNumFactors> order;
      for (int f = 0; f < kNumFactors; ++f) order[f] = f;
      for (int f = kNumFactors - 1; f > 0; --f) {
        std::swap(order[f], order[rng.Uniform(static_cast<size_t>(f) + 1)]);
      }
      for (int f : order) {
        if (lv[f] >= 0) continue;
        const size_t start = rng.Uniform(levels[f]);
        int chosen = -1;
        size_t chosen_gain = 0;
        for (size_t k = 0; k < levels[f]; ++k) {
          const int v = static_cast<int>((start + k) % levels[f]);
          lv[f] = v;
          if (!Allowed(lv, flags)) continue;
          size_t gain = 0;
          for (int g = 0; g < kNumFactors; ++g) {
            if (g != f && lv[g] >= 0 && uncovered[pairs.Of(f, v, g, lv[g])]) {
              ++gain;
            }
          }
          if (chosen < 0 || gain > chosen_gain) {
            chosen = v;
            chosen_gain = gain;
          }
        }
        lv[f] = chosen;  // Some level always passes: constraints are pairs.
      }
      size_t gain = 0;
      for (int x = 0; x < kNumFactors; ++x) {
        for (int y = x + 1; y < kNumFactors; ++y) {
          if (uncovered[pairs.Of(x, lv[x], y, lv[y])]) ++gain;
        }
      }
      if (gain > best_gain) {
        best_gain = gain;
        best = lv;
      }
    }
    for (int x = 0; x < kNumFactors; ++x) {
      for (int y = x + 1; y < kNumFactors; ++y) {
        const size_t p = pairs.Of(x, best[x], y, best[y]);
        if (uncovered[p]) {
          uncovered[p] = false;
          --num_uncovered;
        }
      }
    }
    rows.push_back(RowFromLevels(best, flags));
  }

  // Rejected rows: every invalid flag combination once, with a zero buffer
  // so the row also proves S4/S8/S5 come before S6; their other axes are
  // borrowed from the valid rows (Open never gets to use them).
  const size_t num_valid = rows.size();
  size_t donor = 0;
  for (int bits = 0; bits < 16; ++bits) {
    if (FlagsValid(bits)) continue;
    MatrixRow row = WithFlags(rows[donor++ % num_valid], bits);
    row.writable_file_max_buffer_size = 0;
    rows.push_back(row);
  }
  // S6 alone: direct flush with a zero buffer, with and without direct
  // reads.
  for (int bits : {2, 3}) {
    MatrixRow row = WithFlags(rows[donor++ % num_valid], bits);
    row.writable_file_max_buffer_size = 0;
    rows.push_back(row);
  }
  return rows;
}

uint64_t FullMatrixSize() {
  uint64_t n = 1;
  for (size_t l : Levels(16)) n *= l;
  return n;
}

bool FullMatrixRow(uint64_t index, MatrixRow* row) {
  std::vector<int> all(16);
  for (int i = 0; i < 16; ++i) all[i] = i;
  const auto levels = Levels(16);
  std::array<int, kNumFactors> lv;
  for (int f = kNumFactors - 1; f >= 0; --f) {
    lv[f] = static_cast<int>(index % levels[f]);
    index /= levels[f];
  }
  // Only the refusing-fallback-on-disk constraint excludes a row here:
  // rejected flag and buffer combinations are rows too.
  const Axes& a = MatrixAxes();
  if (a.fallbacks[lv[kFallback]] == Fallback::kOnRefused &&
      a.file_systems[lv[kFs]] == FsKind::kDisk) {
    return false;
  }
  *row = RowFromLevels(lv, all);
  return true;
}

Coverage PairCoverage(const std::vector<MatrixRow>& rows) {
  const std::vector<int> flags = ValidFlagCombos();
  const auto levels = Levels(flags.size());
  const PairIndex pairs(levels);
  std::vector<bool> covered(pairs.size(), false);
  Coverage c;
  for (size_t p = 0; p < pairs.size(); ++p) {
    int i = 0, a = 0, j = 0, b = 0;
    pairs.Decode(p, &i, &a, &j, &b);
    std::array<int, kNumFactors> lv;
    lv.fill(-1);
    lv[i] = a;
    lv[j] = b;
    if (Allowed(lv, flags)) ++c.coverable_pairs;
  }
  for (const MatrixRow& row : rows) {
    if (!row.valid()) continue;
    const auto lv = LevelsOf(row, flags);
    if (std::find(lv.begin(), lv.end(), -1) != lv.end()) continue;
    for (int x = 0; x < kNumFactors; ++x) {
      for (int y = x + 1; y < kNumFactors; ++y) {
        const size_t p = pairs.Of(x, lv[x], y, lv[y]);
        if (!covered[p]) {
          covered[p] = true;
          ++c.covered_pairs;
        }
      }
    }
  }
  return c;
}

Options RowOptions(const MatrixRow& row) {
  Options o;
  o.use_direct_reads = row.direct_reads;
  o.use_direct_io_for_flush_and_compaction = row.direct_flush;
  o.allow_mmap_reads = row.mmap_reads;
  o.allow_mmap_writes = row.mmap_writes;
  o.direct_io_fallback = row.fallback != Fallback::kStrict;
  o.compaction_readahead_size = row.compaction_readahead_size;
  o.writable_file_max_buffer_size = row.writable_file_max_buffer_size;
  o.bytes_per_sync = row.bytes_per_sync;
  o.table_options.compression = row.compression;
  o.table_options.checksum = row.checksum;
  o.table_options.format_version = row.format_version;
  o.table_options.block_size = row.block_size;
  return o;
}

}  // namespace strata::matrix
