// SstFileWriter: writes one SST file from sorted keys, readable by strata and
// by RocksDB 7.8.3 (its SstFileReader, sst_dump, IngestExternalFile).
//
// Every entry gets sequence number 0 and the file carries RocksDB's
// external-file properties (version 2, global seqno 0), as RocksDB's own
// SstFileWriter writes them, so RocksDB can ingest it.
//
// Protocol: Open (Put | Merge | Delete | DeleteRange)* (Finish | Abandon).
// Keys must be strictly increasing (bytewise); a violation returns
// InvalidArgument showing both keys (hex) and the entry index, and removes the
// partial file. Errors are sticky. Destroying an open writer abandons it
// (the partial file is removed).
// Thread-safety: not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "strata/file_system.h"
#include "strata/slice.h"
#include "strata/status.h"
#include "strata/table_options.h"

namespace strata {

struct SstFileWriterOptions {
  TableOptions table;
  // Write with O_DIRECT (the name RocksDB uses for the same switch).
  bool use_direct_io_for_flush_and_compaction = false;
  // Write buffer; direct writes go out in pieces of this size.
  uint64_t writable_file_max_buffer_size = 1 << 20;
  // Buffered writes only: drop the written pages from the page cache every
  // 1 MiB and at Finish (posix_fadvise DONTNEED), as RocksDB does.
  bool invalidate_page_cache = true;
  // > 1: compress and checksum data blocks on this many background threads
  // (the writer creates them) while entries keep coming; the file is
  // byte-identical to a single-threaded one. Only used with compression.
  int parallel_threads = 1;
  // Write full buffers on a thread of the writer's own while the caller
  // fills the next one, so building and I/O overlap (up to three buffers of
  // writable_file_max_buffer_size). Off: every write is made by the caller.
  bool background_writes = true;
  // Finish on a file without entries fails unless this is set.
  bool allow_empty = false;
  // The file system to write through; null means Env::Default()'s.
  FileSystem* file_system = nullptr;
  // Recorded in the properties block (rocksdb.creating.host.identity).
  std::string db_host_id;
};

struct ExternalSstFileInfo {
  std::string file_path;
  std::string smallest_key;  // User keys; empty when there are no entries.
  std::string largest_key;
  uint64_t num_entries = 0;  // Point entries.
  uint64_t num_range_del_entries = 0;
  uint64_t file_size = 0;
  uint32_t file_checksum = 0;  // crc32c of the whole file.
  std::string file_checksum_func_name = "crc32c";
  uint32_t version = 2;
  uint64_t sequence_number = 0;
};

class SstFileWriter {
 public:
  explicit SstFileWriter(const SstFileWriterOptions& options);
  ~SstFileWriter();
  SstFileWriter(const SstFileWriter&) = delete;
  SstFileWriter& operator=(const SstFileWriter&) = delete;

  // Creates `path` (replacing a file there).
  Status Open(const std::string& path);
  Status Put(Slice user_key, Slice value);
  // Stores a merge operand (type tag only: no merge operator runs).
  Status Merge(Slice user_key, Slice value);
  Status Delete(Slice user_key);
  // Deletes [begin, end); stored in the range-deletion block.
  Status DeleteRange(Slice begin_key, Slice end_key);
  // Completes, syncs and closes the file; fills *info when given.
  Status Finish(ExternalSstFileInfo* info = nullptr);
  // Stops and removes the partial file.
  void Abandon();
  // Bytes of the file so far, buffered ones included.
  uint64_t FileSize() const;

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

}  // namespace strata
