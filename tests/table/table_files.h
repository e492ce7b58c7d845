// Test helpers: write a table file from entries, and open one, on any
// FileSystem (usually a FakeFileSystem).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "env/random_access_file_reader.h"
#include "env/writable_file_writer.h"
#include "strata/file_system.h"
#include "strata/status.h"
#include "table/table_builder.h"
#include "table/table_reader.h"

namespace strata::test {

// Writes `entries` (each a {internal key, value} pair or aggregate, in
// order) as the table at `path`, then closes it.
template <typename Entries>
Status WriteTableFile(FileSystem* fs, const std::string& path,
                      const TableBuilderOptions& options,
                      const Entries& entries) {
  std::unique_ptr<WritableFile> file;
  STRATA_RETURN_IF_ERROR(fs->NewWritableFile(path, FileOptions(), &file));
  std::unique_ptr<WritableFileWriter> writer;
  STRATA_RETURN_IF_ERROR(WritableFileWriter::Create(
      std::move(file), WritableFileWriterOptions(), &writer));
  TableBuilder builder(options, writer.get());
  Status s;
  for (const auto& [key, value] : entries) {
    s = builder.Add(key, value);
    if (!s.ok()) break;
  }
  if (s.ok()) s = builder.Finish();
  Status close = writer->Close();
  return s.ok() ? close : s;
}

// Opens the table at `path`, its file opened with `fo`.
inline Status OpenTableFile(FileSystem* fs, const std::string& path,
                            const FileOptions& fo,
                            const TableReaderOptions& options,
                            std::unique_ptr<TableReader>* table) {
  std::unique_ptr<RandomAccessFile> file;
  STRATA_RETURN_IF_ERROR(fs->NewRandomAccessFile(path, fo, &file));
  uint64_t size = 0;
  STRATA_RETURN_IF_ERROR(file->GetFileSize(&size));
  return TableReader::Open(
      options, std::make_unique<RandomAccessFileReader>(std::move(file)),
      size, table);
}

// Opens the table at `path` (with direct reads if `direct`).
inline Status OpenTableFile(FileSystem* fs, const std::string& path,
                            bool direct, const TableReaderOptions& options,
                            std::unique_ptr<TableReader>* table) {
  FileOptions fo;
  fo.use_direct_reads = direct;
  return OpenTableFile(fs, path, fo, options, table);
}

}  // namespace strata::test
