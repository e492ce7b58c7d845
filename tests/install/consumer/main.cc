// Writes a file through strata's default Env, reads it back and checks the
// bytes: proof that the installed headers and library are usable on their own.
#include <cstdio>
#include <memory>
#include <string>

#include "strata/env.h"
#include "strata/file_system.h"
#include "strata/status.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <scratch dir>\n", argv[0]);
    return 2;
  }
  strata::FileSystem* fs = strata::Env::Default()->file_system();
  const std::string dir = argv[1];
  const std::string path = dir + "/hello.txt";
  const std::string text = "hello from an installed strata\n";
  strata::Status s = fs->CreateDirIfMissing(dir);
  std::unique_ptr<strata::WritableFile> out;
  if (s.ok()) s = fs->NewWritableFile(path, strata::FileOptions(), &out);
  if (s.ok()) s = out->Append(text);
  if (s.ok()) s = out->Close();
  std::unique_ptr<strata::RandomAccessFile> in;
  if (s.ok()) s = fs->NewRandomAccessFile(path, strata::FileOptions(), &in);
  std::string scratch(text.size(), '\0');
  strata::Slice got;
  if (s.ok()) s = in->Read(0, scratch.size(), &got, scratch.data());
  if (!s.ok()) {
    std::fprintf(stderr, "consumer: %s\n", s.ToString().c_str());
    return 1;
  }
  if (got.ToString() != text) {
    std::fprintf(stderr, "consumer: read back %zu bytes that differ\n",
                 got.size());
    return 1;
  }
  // A missing file must be NotFound, with its path in the message.
  s = fs->NewRandomAccessFile(dir + "/missing", strata::FileOptions(), &in);
  if (!s.IsNotFound() ||
      s.ToString().find(dir + "/missing") == std::string::npos) {
    std::fprintf(stderr, "consumer: unexpected status %s\n",
                 s.ToString().c_str());
    return 1;
  }
  std::printf("consumer: OK (%s)\n", fs->Name());
  return 0;
}
