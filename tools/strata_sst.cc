// strata_sst: writes, reads and checks one SST file from the command line.
//
//   strata_sst <subcommand> --file=PATH [flags]
//
// Subcommands: write, scan, get, verify, props, layout; kUsage below is the
// user's documentation (printed by --help) and lists the exit codes, which
// are part of the interface. Bad input of any kind (flags, stdin, a damaged
// or foreign file) ends with a message and one of those codes, never a
// crash.
//
// gflags defines and parses the flag values, but the command line is walked
// here (ParseCommandLine), so that an unknown flag or a bad value is a usage
// error with our exit code instead of gflags' exit(1), and a flag that does
// not apply to the subcommand is refused rather than silently ignored.
#include <gflags/gflags.h>

#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "env/random_access_file_reader.h"
#include "strata/env.h"
#include "strata/sst_file_reader.h"
#include "strata/sst_file_writer.h"
#include "table/internal_key.h"
#include "table/table_reader.h"
#include "tools/sst_tool_layout.h"
#include "tools/sst_tool_props.h"
#include "tools/sst_tool_text.h"
#include "util/checksum.h"
#include "util/compression.h"

DEFINE_string(file, "", "The SST file. Required.");
DEFINE_bool(hex, false, "Keys and values (and --key, --from, --to) are hex.");
DEFINE_bool(raw, false,
            "scan: every stored entry, as key<TAB>seqno<TAB>type<TAB>value. "
            "write: read that format.");
DEFINE_string(from, "", "scan: first key shown (inclusive); empty = start.");
DEFINE_string(to, "", "scan: stop before this key (exclusive); empty = end.");
DEFINE_string(key, "", "get: the key to look up.");
DEFINE_bool(use_direct_reads, false, "Read the file with O_DIRECT.");
DEFINE_string(compression_type, "none",
              "write: none, snappy, lz4, lz4hc or zstd (what this build has).");
DEFINE_int32(compression_level, 32767,
             "write: compression level; 32767 = the library's default.");
DEFINE_string(checksum_type, "xxh3",
              "write: none, crc32c, xxhash, xxhash64, xxh3, or RocksDB's "
              "name (kCRC32c, ...) or number (0-4).");
DEFINE_int32(format_version, 5, "write: block-based table format, 2 to 5.");
DEFINE_int64(block_size, 4096, "write: target data block size, bytes.");
DEFINE_int32(block_restart_interval, 16,
             "write: keys between restart points in data blocks.");
DEFINE_int32(index_block_restart_interval, 1,
             "write: keys between restart points in the index block.");
DEFINE_double(bloom_bits, 0,
              "write: bloom filter bits per key; <= 0 = no filter.");
DEFINE_bool(block_align, false,
            "write: pad data blocks to 4 KiB pages (RocksDB's block_align; "
            "needs compression none).");
DEFINE_bool(use_direct_io_for_flush_and_compaction, false,
            "write: write the file with O_DIRECT.");
DEFINE_uint64(writable_file_max_buffer_size, 1 << 20,
              "write: write buffer, bytes.");

namespace strata {
namespace {

// Exit codes (persisted in users' scripts; never renumber).
enum ExitCode : int {
  kExitOk = 0,
  kExitNotFound = 1,    // get: the key is not in the file.
  kExitUsage = 2,       // Bad command line or bad stdin.
  kExitCorruption = 3,  // Not an SST, damaged, checksum mismatch.
  kExitError = 4,       // I/O and everything else.
};

constexpr char kUsage[] =
    R"(strata_sst: write, read and check RocksDB-compatible SST files.

Usage: strata_sst <subcommand> --file=PATH [flags]

Subcommands:
  write   Create PATH from key<TAB>value lines on stdin. Keys must be
          strictly increasing (bytewise), one entry per key; the value is
          everything after the first TAB. The file is written beside PATH
          and renamed into place only when complete.
          Flags: --hex --raw --compression_type --compression_level
          --checksum_type --format_version --block_size
          --block_restart_interval --index_block_restart_interval
          --bloom_bits --use_direct_io_for_flush_and_compaction
          --writable_file_max_buffer_size
  scan    Print what a user iterator sees (the newest version of each key,
          deletions hidden) as key<TAB>value lines, which write accepts.
          --raw prints every stored entry as key<TAB>seqno<TAB>type<TAB>value
          (type: kTypeValue, kTypeDeletion, kTypeMerge, ...), which
          write --raw accepts (seqno 0; puts, merges and deletions).
          Flags: --hex --raw --from --to --use_direct_reads
  get     Print the value of --key followed by a newline.
          Flags: --key --hex --use_direct_reads
  verify  Check every block's checksum and that the entry count matches
          the properties; a failure names the block's offset.
          Flags: --use_direct_reads
  props   Print the table properties with the labels of RocksDB's
          sst_dump --show_properties (without unique ID and
          sequence-number-to-time mapping).
          Flags: --use_direct_reads
  layout  List every block in file order: offset, size (without the
          5-byte trailer), kind, compression, stored checksum and whether
          it matches, meta block name; then the footer.
          Flags: --use_direct_reads

Text format: without --hex a key may not hold a TAB or newline and a value
no newline (scan refuses such entries: use --hex). With --hex, keys, values,
--key, --from and --to are hex (either case on input, lower case on output).
--from is inclusive, --to exclusive; empty means unbounded.

Flags (defaults in brackets):
  --file=PATH                 the SST file (required)
  --hex                       hex keys and values [false]
  --raw                       stored entries with seqno and type [false]
  --from=KEY --to=KEY         scan bounds [unbounded]
  --key=KEY                   get: the key (required for get)
  --use_direct_reads          read with O_DIRECT [false]
  --compression_type=NAME     none, snappy, zlib, bzip2, lz4, lz4hc, xpress,
                              zstd, as this build supports them [none]
  --compression_level=N       [32767: the library's default]
  --checksum_type=NAME        none, crc32c, xxhash, xxhash64, xxh3, RocksDB's
                              kCRC32c... names or numbers 0-4 [xxh3]
  --format_version=N          2 to 5 [5]
  --block_size=BYTES          [4096]
  --block_restart_interval=N  [16]
  --index_block_restart_interval=N [1]
  --bloom_bits=BITS           bloom filter bits per key; <= 0: none [0]
  --block_align               pad each data block to min(block_size, 4 KiB)
                              units (needs --compression_type=none) [false]
  --use_direct_io_for_flush_and_compaction  write with O_DIRECT [false]
  --writable_file_max_buffer_size=BYTES  [1048576]
Flags take --name=value or --name value; booleans also --name, --noname.
A flag that does not apply to the subcommand is a usage error.

Exit codes:
  0  success
  1  get: the key is not in the file
  2  usage error or bad input: unknown subcommand or flag, bad flag value,
     malformed or unsorted stdin lines, no entries on stdin, an entry scan
     cannot print without --hex
  3  the file is damaged or not an SST file: checksum mismatch (verify,
     layout, scan, get), truncated file, bad footer or block
  4  any other error: missing or unreadable file, I/O error, O_DIRECT
     refused by the file system, compression this build lacks
)";

struct Subcommand {
  std::string_view name;
  int (*run)();
  // Flags it accepts besides --file.
  std::vector<std::string_view> flags;
};

int ExitCodeFor(const Status& s) {
  if (s.IsInvalidArgument()) return kExitUsage;
  if (s.IsCorruption()) return kExitCorruption;
  return kExitError;
}

int Fail(std::string_view subcommand, const Status& s) {
  std::fprintf(stderr, "strata_sst %.*s: %s\n",
               static_cast<int>(subcommand.size()), subcommand.data(),
               s.ToString().c_str());
  return ExitCodeFor(s);
}

int UsageError(const std::string& message) {
  std::fprintf(stderr, "strata_sst: %s\nRun 'strata_sst --help' for usage.\n",
               message.c_str());
  return kExitUsage;
}

// Bad input on stdin: a usage error, but --help would not help.
int InputError(const std::string& message) {
  std::fprintf(stderr, "strata_sst write: %s\n", message.c_str());
  return kExitUsage;
}

// --- Command line -------------------------------------------------------

bool IsOurFlag(const std::string& name, gflags::CommandLineFlagInfo* info) {
  return gflags::GetCommandLineFlagInfo(name.c_str(), info) &&
         info->filename == __FILE__;
}

// Walks argv: sets each flag through gflags and collects the positional
// arguments. False with *error for an unknown flag, a missing or bad value.
bool ParseCommandLine(int argc, char** argv, std::vector<std::string>* args,
                      bool* help, std::string* error) {
  bool flags_done = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (flags_done || arg.size() < 2 || arg[0] != '-') {
      args->push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    arg.erase(0, arg[1] == '-' ? 2 : 1);
    const size_t eq = arg.find('=');
    std::string name = arg.substr(0, eq);
    const bool has_value = eq != std::string::npos;
    std::string value = has_value ? arg.substr(eq + 1) : "";
    if (name == "help" || name == "h" || name == "helpfull") {
      *help = true;
      continue;
    }
    gflags::CommandLineFlagInfo info;
    if (!IsOurFlag(name, &info)) {
      gflags::CommandLineFlagInfo negated;
      if (!has_value && name.starts_with("no") &&
          IsOurFlag(name.substr(2), &negated) && negated.type == "bool") {
        name = name.substr(2);
        value = "false";
        info = negated;
      } else {
        *error = "unknown flag --" + name;
        return false;
      }
    } else if (!has_value && info.type == "bool") {
      value = "true";
    } else if (!has_value) {
      if (i + 1 >= argc) {
        *error = "flag --" + name + " needs a value";
        return false;
      }
      value = argv[++i];
    }
    if (gflags::SetCommandLineOption(name.c_str(), value.c_str()).empty()) {
      *error = "bad value '" + value + "' for --" + name + " (expects " +
               info.type + ")";
      return false;
    }
  }
  return true;
}

// True if --name was given on the command line (gflags marks a flag set
// through SetCommandLineOption as no longer default).
bool FlagGiven(const char* name) {
  gflags::CommandLineFlagInfo info;
  return gflags::GetCommandLineFlagInfo(name, &info) && !info.is_default;
}

// --- Opening files --------------------------------------------------------

Status OpenReader(std::unique_ptr<SstFileReader>* reader) {
  SstFileReaderOptions options;
  options.use_direct_reads = FLAGS_use_direct_reads;
  auto r = std::make_unique<SstFileReader>(options);
  STRATA_RETURN_IF_ERROR(r->Open(FLAGS_file));
  *reader = std::move(r);
  return Status::OK();
}

Status OpenTable(std::unique_ptr<TableReader>* table) {
  FileSystem* fs = Env::Default()->file_system();
  FileOptions options;
  options.use_direct_reads = FLAGS_use_direct_reads;
  options.kind = FileKind::kOther;
  std::unique_ptr<RandomAccessFile> file;
  STRATA_RETURN_IF_ERROR(fs->NewRandomAccessFile(FLAGS_file, options, &file));
  uint64_t size = 0;
  STRATA_RETURN_IF_ERROR(file->GetFileSize(&size));
  return TableReader::Open(
      TableReaderOptions(),
      std::make_unique<RandomAccessFileReader>(std::move(file)), size, table);
}

// Writes `text` to stdout; false (after saying so) if stdout is broken.
bool WriteStdout(std::string* text) {
  if (!text->empty() &&
      std::fwrite(text->data(), 1, text->size(), stdout) != text->size()) {
    std::fprintf(stderr, "strata_sst: cannot write to stdout\n");
    return false;
  }
  text->clear();
  return true;
}

int FinishStdout() {
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "strata_sst: cannot write to stdout\n");
    return kExitError;
  }
  return kExitOk;
}

// --- write ----------------------------------------------------------------

std::string ValidCompressionNames() {
  std::string names;
  for (CompressionType t :
       {CompressionType::kNoCompression, CompressionType::kSnappyCompression,
        CompressionType::kZlibCompression, CompressionType::kBZip2Compression,
        CompressionType::kLZ4Compression, CompressionType::kLZ4HCCompression,
        CompressionType::kXpressCompression, CompressionType::kZSTD}) {
    if (!CompressionTypeSupported(t)) continue;
    if (!names.empty()) names += ", ";
    names += CompressionTypeFlagName(t);
  }
  return names;
}

// The writer's options from the flags; false with *error for a bad value.
bool WriterOptionsFromFlags(SstFileWriterOptions* options, std::string* error) {
  TableOptions& t = options->table;
  if (!ParseCompressionTypeFlag(FLAGS_compression_type, &t.compression)) {
    *error = "unknown --compression_type '" + FLAGS_compression_type +
             "'; valid: " + ValidCompressionNames();
    return false;
  }
  if (!CompressionTypeSupported(t.compression)) {
    *error =
        "--compression_type " + FLAGS_compression_type +
        " is not supported by this build; valid: " + ValidCompressionNames();
    return false;
  }
  if (!ParseChecksumType(FLAGS_checksum_type, &t.checksum)) {
    *error = "unknown --checksum_type '" + FLAGS_checksum_type +
             "'; valid: none, crc32c, xxhash, xxhash64, xxh3 (or kNoChecksum, "
             "kCRC32c, kxxHash, kxxHash64, kXXH3, or 0-4)";
    return false;
  }
  if (FLAGS_format_version < 2 ||
      FLAGS_format_version > static_cast<int>(kLatestFormatVersion)) {
    *error = "--format_version " + std::to_string(FLAGS_format_version) +
             " is not supported; valid: 2 to 5";
    return false;
  }
  if (FLAGS_block_size < 1) {
    *error = "--block_size must be at least 1, not " +
             std::to_string(FLAGS_block_size);
    return false;
  }
  if (FLAGS_block_restart_interval < 1 ||
      FLAGS_index_block_restart_interval < 1) {
    *error =
        "--block_restart_interval and --index_block_restart_interval "
        "must be at least 1";
    return false;
  }
  t.format_version = static_cast<uint32_t>(FLAGS_format_version);
  t.compression_level = FLAGS_compression_level;
  t.block_size = static_cast<uint64_t>(FLAGS_block_size);
  t.block_restart_interval = FLAGS_block_restart_interval;
  t.index_block_restart_interval = FLAGS_index_block_restart_interval;
  t.bloom_bits_per_key = FLAGS_bloom_bits > 0 ? FLAGS_bloom_bits : 0;
  t.block_align = FLAGS_block_align;
  options->use_direct_io_for_flush_and_compaction =
      FLAGS_use_direct_io_for_flush_and_compaction;
  options->writable_file_max_buffer_size = FLAGS_writable_file_max_buffer_size;
  return true;
}

// Adds one parsed line; InvalidArgument for what SstFileWriter cannot store.
Status AddEntry(SstFileWriter* writer, const sst_tool::LineEntry& e) {
  if (e.sequence != 0) {
    return Status::InvalidArgument(
        "sequence number " + std::to_string(e.sequence) +
        ": SstFileWriter stores every entry with sequence number 0");
  }
  switch (static_cast<ValueType>(e.type)) {
    case ValueType::kValue:
      return writer->Put(e.key, e.value);
    case ValueType::kMerge:
      return writer->Merge(e.key, e.value);
    case ValueType::kDeletion:
      if (!e.value.empty()) {
        return Status::InvalidArgument("a kTypeDeletion entry has no value");
      }
      return writer->Delete(e.key);
    default:
      return Status::InvalidArgument(
          std::string("SstFileWriter cannot write ") + ValueTypeName(e.type) +
          " entries (only kTypeValue, kTypeMerge and kTypeDeletion)");
  }
}

// Makes the rename of the finished file durable.
Status SyncParentDirectory(FileSystem* fs, const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  std::unique_ptr<Directory> d;
  STRATA_RETURN_IF_ERROR(fs->NewDirectory(dir, &d));
  STRATA_RETURN_IF_ERROR(d->Fsync());
  return d->Close();
}

int RunWrite() {
  SstFileWriterOptions options;
  std::string error;
  if (!WriterOptionsFromFlags(&options, &error)) return UsageError(error);
  FileSystem* fs = Env::Default()->file_system();
  // Written beside the target and renamed at the end, so bad input never
  // leaves a half-written file or destroys an existing one.
  const std::string tmp_path = FLAGS_file + ".strata_sst-tmp";
  SstFileWriter writer(options);
  Status s = writer.Open(tmp_path);
  if (!s.ok()) return Fail("write", s);

  const sst_tool::LineFormat format{FLAGS_hex, FLAGS_raw};
  std::string line;
  std::string previous_key;
  uint64_t line_number = 0;
  uint64_t previous_line = 0;
  uint64_t entries = 0;
  while (std::getline(std::cin, line)) {
    ++line_number;
    sst_tool::LineEntry entry;
    std::string where = "line " + std::to_string(line_number) + ": ";
    if (!sst_tool::ParseLine(line, format, &entry, &error)) {
      writer.Abandon();
      return InputError(where + error);
    }
    if (entries > 0 && Slice(entry.key).compare(previous_key) <= 0) {
      writer.Abandon();
      return InputError(
          where + "key " + sst_tool::QuoteForMessage(entry.key) +
          " is not greater than the key " +
          sst_tool::QuoteForMessage(previous_key) + " on line " +
          std::to_string(previous_line) +
          "; keys must be strictly increasing (bytewise), one entry per key");
    }
    s = AddEntry(&writer, entry);
    if (!s.ok()) {
      writer.Abandon();
      if (s.IsInvalidArgument()) {
        return InputError(where + std::string(s.message()));
      }
      return Fail("write", s);
    }
    previous_key.swap(entry.key);
    previous_line = line_number;
    ++entries;
  }
  if (std::cin.bad()) {
    writer.Abandon();
    return Fail("write", Status::IOError("error reading stdin"));
  }
  if (entries == 0) {
    writer.Abandon();
    return InputError(
        "no entries on stdin; an SST file needs at least one "
        "key<TAB>value line");
  }
  ExternalSstFileInfo info;
  s = writer.Finish(&info);
  if (s.ok()) s = fs->RenameFile(tmp_path, FLAGS_file);
  if (s.ok()) s = SyncParentDirectory(fs, FLAGS_file);
  if (!s.ok()) {
    // Best effort: the temporary file may already be gone.
    fs->DeleteFile(tmp_path).PermitUncheckedError();
    return Fail("write", s);
  }
  std::printf("wrote %" PRIu64 " entries (%" PRIu64 " bytes) to %s\n", entries,
              info.file_size, FLAGS_file.c_str());
  return FinishStdout();
}

// --- scan, get ------------------------------------------------------------

int RunScan() {
  const sst_tool::LineFormat format{FLAGS_hex, FLAGS_raw};
  std::string from;
  std::string to;
  std::string error;
  if (!sst_tool::DecodeArgument(FLAGS_from, format, &from, &error)) {
    return UsageError("scan: --from is not valid hex: " + error);
  }
  if (!sst_tool::DecodeArgument(FLAGS_to, format, &to, &error)) {
    return UsageError("scan: --to is not valid hex: " + error);
  }
  std::unique_ptr<SstFileReader> reader;
  Status s = OpenReader(&reader);
  if (!s.ok()) return Fail("scan", s);

  const SstReadOptions read_options;
  std::unique_ptr<Iterator> it = FLAGS_raw
                                     ? reader->NewRawIterator(read_options)
                                     : reader->NewIterator(read_options);
  if (from.empty()) {
    it->SeekToFirst();
  } else {
    it->Seek(from);
  }
  std::string out;
  for (; it->Valid(); it->Next()) {
    Slice user_key = it->key();
    RawKey raw{user_key, 0, static_cast<uint8_t>(ValueType::kValue)};
    if (FLAGS_raw && !ParseRawKey(it->key(), &raw)) {
      WriteStdout(&out);
      return Fail("scan", Status::Corruption(FLAGS_file + ": stored key 0x" +
                                             it->key().ToHex() +
                                             " is shorter than 8 bytes"));
    }
    if (!to.empty() && raw.user_key.compare(to) >= 0) break;
    if (!sst_tool::AppendLine(raw.user_key, raw.sequence, raw.type, it->value(),
                              format, &out, &error)) {
      WriteStdout(&out);
      return UsageError("scan: " + error);
    }
    if (out.size() >= (64 << 10) && !WriteStdout(&out)) return kExitError;
  }
  if (!WriteStdout(&out)) return kExitError;
  if (!it->status().ok()) return Fail("scan", it->status());
  return FinishStdout();
}

int RunGet() {
  if (!FlagGiven("key")) {
    return UsageError("get needs --key");
  }
  const sst_tool::LineFormat format{FLAGS_hex, false};
  std::string key;
  std::string error;
  if (!sst_tool::DecodeArgument(FLAGS_key, format, &key, &error)) {
    return UsageError("get: --key is not valid hex: " + error);
  }
  std::unique_ptr<SstFileReader> reader;
  Status s = OpenReader(&reader);
  if (!s.ok()) return Fail("get", s);
  std::string value;
  s = reader->Get(SstReadOptions(), key, &value);
  if (s.IsNotFound()) {
    std::fprintf(stderr, "strata_sst get: key %s not found in %s\n",
                 sst_tool::QuoteForMessage(key).c_str(), FLAGS_file.c_str());
    return kExitNotFound;
  }
  if (!s.ok()) return Fail("get", s);
  std::string out = FLAGS_hex ? Slice(value).ToHex() : value;
  out.push_back('\n');
  if (!WriteStdout(&out)) return kExitError;
  return FinishStdout();
}

// --- verify, props, layout ---------------------------------------------

int RunVerify() {
  std::unique_ptr<SstFileReader> reader;
  Status s = OpenReader(&reader);
  if (s.ok()) s = reader->VerifyChecksum();
  if (s.ok()) s = reader->VerifyNumEntries();
  if (!s.ok()) {
    std::fprintf(stderr, "strata_sst verify: FAILED: %s\n",
                 s.ToString().c_str());
    return ExitCodeFor(s);
  }
  const TableProperties& props = reader->GetTableProperties();
  std::printf("OK %s: every block checksum matches; %" PRIu64
              " entries in %" PRIu64 " data blocks, as the properties say\n",
              FLAGS_file.c_str(), props.num_entries, props.num_data_blocks);
  return FinishStdout();
}

int RunProps() {
  std::unique_ptr<SstFileReader> reader;
  Status s = OpenReader(&reader);
  if (!s.ok()) return Fail("props", s);
  std::string out =
      sst_tool::FormatTableProperties(reader->GetTableProperties());
  if (!WriteStdout(&out)) return kExitError;
  return FinishStdout();
}

int RunLayout() {
  std::unique_ptr<TableReader> table;
  Status s = OpenTable(&table);
  if (!s.ok()) return Fail("layout", s);
  std::string out;
  s = sst_tool::ListBlocks(*table, &out);
  if (!WriteStdout(&out)) return kExitError;
  if (!s.ok()) return Fail("layout", s);
  return FinishStdout();
}

const std::vector<Subcommand>& Subcommands() {
  static const std::vector<Subcommand> kSubcommands = {
      {"write",
       RunWrite,
       {"hex", "raw", "compression_type", "compression_level", "checksum_type",
        "format_version", "block_size", "block_restart_interval",
        "index_block_restart_interval", "bloom_bits", "block_align",
        "use_direct_io_for_flush_and_compaction",
        "writable_file_max_buffer_size"}},
      {"scan", RunScan, {"hex", "raw", "from", "to", "use_direct_reads"}},
      {"get", RunGet, {"hex", "key", "use_direct_reads"}},
      {"verify", RunVerify, {"use_direct_reads"}},
      {"props", RunProps, {"use_direct_reads"}},
      {"layout", RunLayout, {"use_direct_reads"}},
  };
  return kSubcommands;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args;
  bool help = false;
  std::string error;
  if (!ParseCommandLine(argc, argv, &args, &help, &error)) {
    return UsageError(error);
  }
  if (help || (args.size() == 1 && args[0] == "help")) {
    std::fputs(kUsage, stdout);
    return FinishStdout();
  }
  if (args.empty()) return UsageError("no subcommand given");
  if (args.size() > 1) {
    return UsageError("unexpected argument '" + args[1] +
                      "' (the file is given as --file=PATH)");
  }
  const Subcommand* command = nullptr;
  for (const Subcommand& c : Subcommands()) {
    if (c.name == args[0]) command = &c;
  }
  if (command == nullptr) {
    return UsageError("unknown subcommand '" + args[0] +
                      "'; valid: write, scan, get, verify, props, layout");
  }
  std::vector<gflags::CommandLineFlagInfo> flags;
  gflags::GetAllFlags(&flags);
  for (const gflags::CommandLineFlagInfo& flag : flags) {
    if (flag.filename != __FILE__ || flag.is_default || flag.name == "file") {
      continue;
    }
    bool applies = false;
    for (std::string_view f : command->flags) applies |= f == flag.name;
    if (!applies) {
      return UsageError("--" + flag.name + " does not apply to " + args[0]);
    }
  }
  if (FLAGS_file.empty()) {
    return UsageError(args[0] + " needs --file=PATH");
  }
  return command->run();
}

}  // namespace
}  // namespace strata

int main(int argc, char** argv) { return strata::Main(argc, argv); }
