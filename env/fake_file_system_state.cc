#include "env/fake_file_system_state.h"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <random>
#include <unordered_set>

namespace strata {

namespace {

[[maybe_unused]] bool IsPowerOfTwo(size_t v) {
  return v != 0 && (v & (v - 1)) == 0;
}

// Splits `path` into its components, resolving "." and ".." by name (".."
// of "/" is "/", as in the kernel). Relative paths start at "/".
std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) {
      slash = path.size();
    }
    std::string_view part = path.substr(pos, slash - pos);
    if (part == "..") {
      if (!parts.empty()) {
        parts.pop_back();
      }
    } else if (!part.empty() && part != ".") {
      parts.emplace_back(part);
    }
    pos = slash + 1;
  }
  return parts;
}

// Walks `parts[0, count)` from `root`, through live or durable entries.
FakeNodePtr Walk(const FakeNodePtr& root, const std::vector<std::string>& parts,
                 size_t count, bool durable, int* err) {
  FakeNodePtr node = root;
  for (size_t i = 0; i < count; ++i) {
    if (!node->is_dir) {
      *err = ENOTDIR;
      return nullptr;
    }
    const auto& entries = durable ? node->durable_children : node->children;
    auto it = entries.find(parts[i]);
    if (it == entries.end()) {
      *err = ENOENT;
      return nullptr;
    }
    node = it->second;
  }
  return node;
}

}  // namespace

FakeFsState::FakeFsState(const FakeFileSystem::Options& options)
    : options_(options), root_(std::make_shared<FakeNode>(/*dir=*/true)) {
  if (options_.memory_alignment == 0) {
    options_.memory_alignment = options_.offset_alignment;
  }
  assert(IsPowerOfTwo(options_.offset_alignment));
  assert(IsPowerOfTwo(options_.memory_alignment));
  assert(IsPowerOfTwo(options_.page_size));
  assert(options_.hidden_direct_alignment == 0 ||
         IsPowerOfTwo(options_.hidden_direct_alignment));
}

DirectIOAlignment FakeFsState::direct_alignment() const {
  DirectIOAlignment a;
  a.offset = options_.offset_alignment;
  a.memory = options_.memory_alignment;
  return a;
}

FakeNodePtr FakeFsState::Find(std::string_view path, bool durable,
                              int* err) const {
  if (path.empty()) {
    *err = ENOENT;  // As open("") does.
    return nullptr;
  }
  const std::vector<std::string> parts = SplitPath(path);
  return Walk(root_, parts, parts.size(), durable, err);
}

FakeNodePtr FakeFsState::FindParent(std::string_view path, std::string* name,
                                    int* err) const {
  if (path.empty()) {
    *err = ENOENT;
    return nullptr;
  }
  const std::vector<std::string> parts = SplitPath(path);
  if (parts.empty()) {
    name->clear();
    return root_;  // "/" is its own parent, as ".." of "/" is "/".
  }
  FakeNodePtr parent =
      Walk(root_, parts, parts.size() - 1, /*durable=*/false, err);
  if (parent != nullptr && !parent->is_dir) {
    *err = ENOTDIR;
    return nullptr;
  }
  *name = parts.back();
  return parent;
}

std::string FakeFsState::Normalize(std::string_view path) {
  std::string out;
  for (const std::string& part : SplitPath(path)) {
    out += '/';
    out += part;
  }
  return out.empty() ? "/" : out;
}

void FakeFsState::WriteAt(FakeNode* file, uint64_t offset, Slice data) {
  if (data.empty()) {
    // pwrite of 0 bytes changes nothing, not even the size.
    return;
  }
  const uint64_t end = offset + data.size();
  if (file->data.size() < end) {
    file->data.resize(end, '\0');  // Zero-fills a hole before `offset`.
  }
  std::memcpy(file->data.data() + offset, data.data(), data.size());
}

size_t FakeFsState::ReadAt(const FakeNode& file, uint64_t offset, size_t n,
                           char* scratch) {
  if (offset >= file.data.size()) {
    return 0;
  }
  const size_t count =
      static_cast<size_t>(std::min<uint64_t>(n, file.data.size() - offset));
  std::memcpy(scratch, file.data.data() + offset, count);
  return count;
}

void FakeFsState::Resize(FakeNode* file, uint64_t size) {
  file->data.resize(size, '\0');
  // Pages wholly past the end go; a partial last page stays (its tail is
  // zeroed, which the content above already is).
  const uint64_t first_gone = RoundUpPages(size);
  file->pages.erase(file->pages.lower_bound(first_gone), file->pages.end());
}

FakeFsState::PageRange FakeFsState::Overlapping(uint64_t offset,
                                                uint64_t len) const {
  PageRange r;
  if (len == 0) {
    return r;
  }
  r.first = offset / options_.page_size;
  r.end = (offset + len - 1) / options_.page_size + 1;
  return r;
}

uint64_t FakeFsState::RoundUpPages(uint64_t bytes) const {
  return bytes / options_.page_size + (bytes % options_.page_size != 0);
}

void FakeFsState::Populate(FakeNode* file, uint64_t offset, uint64_t len,
                           bool dirty) {
  const PageRange r = Overlapping(offset, len);
  for (uint64_t page = r.first; page < r.end; ++page) {
    bool& page_dirty = file->pages[page];  // Inserted clean if absent.
    page_dirty = page_dirty || dirty;
  }
}

void FakeFsState::DropOverlapping(FakeNode* file, uint64_t offset,
                                  uint64_t len) {
  const PageRange r = Overlapping(offset, len);
  file->pages.erase(file->pages.lower_bound(r.first),
                    file->pages.lower_bound(r.end));
}

void FakeFsState::CleanOverlapping(FakeNode* file, uint64_t offset,
                                   uint64_t len) {
  const PageRange r = Overlapping(offset, len);
  for (auto it = file->pages.lower_bound(r.first);
       it != file->pages.end() && it->first < r.end; ++it) {
    it->second = false;
  }
}

void FakeFsState::DropClean(FakeNode* file, uint64_t offset, uint64_t len) {
  // Linux's generic_fadvise(POSIX_FADV_DONTNEED): only whole pages go; a
  // partial first page is kept, and so is a partial last page unless it
  // holds the end of the file.
  const uint64_t page_size = options_.page_size;
  const uint64_t size = file->data.size();
  const uint64_t end_byte =
      (len == 0 || offset + len < offset) ? UINT64_MAX : offset + len - 1;
  const uint64_t first = RoundUpPages(offset);
  uint64_t last = end_byte / page_size;
  if (end_byte % page_size != page_size - 1 && end_byte + 1 != size) {
    if (last == 0) {
      return;
    }
    --last;
  }
  for (auto it = file->pages.lower_bound(first);
       it != file->pages.end() && it->first <= last;) {
    it = it->second ? std::next(it) : file->pages.erase(it);
  }
}

void FakeFsState::Persist(FakeNode* file) {
  file->durable = file->data;
  for (auto& page : file->pages) {
    page.second = false;
  }
}

uint64_t FakeFsState::CachedBytes(const FakeNode& file, bool dirty_only) const {
  uint64_t pages = 0;
  for (const auto& page : file.pages) {
    pages += (!dirty_only || page.second) ? 1 : 0;
  }
  return std::min<uint64_t>(pages * options_.page_size, file.data.size());
}

void FakeFsState::DropAllCleanPages() {
  std::unordered_set<const FakeNode*> visited;
  std::vector<FakeNode*> stack = {root_.get()};
  while (!stack.empty()) {
    FakeNode* node = stack.back();
    stack.pop_back();
    if (!visited.insert(node).second) {
      continue;  // A file with several names.
    }
    for (auto& [name, child] : node->children) {
      stack.push_back(child.get());
    }
    for (auto it = node->pages.begin(); it != node->pages.end();) {
      it = it->second ? std::next(it) : node->pages.erase(it);
    }
  }
}

namespace {

// Turns `node` and everything reachable from it through durable entries
// into its durable form. `visited` holds the nodes done already: a file
// reached again (a hard link) keeps its entry; a directory reached again
// (only possible after directory renames fsynced in an order a journaling
// file system would not allow) loses the later entry, so the tree stays a
// tree. Entries are taken in name order, which makes seeded draws
// reproducible.
void RevertToDurable(FakeNode* node, std::mt19937_64* rng,
                     std::unordered_set<const FakeNode*>* visited) {
  if (!visited->insert(node).second) {
    return;
  }
  node->pages.clear();  // Power loss empties the page cache.
  if (node->is_dir) {
    auto& entries = node->durable_children;
    for (auto it = entries.begin(); it != entries.end();) {
      FakeNode* child = it->second.get();
      if (child->is_dir && visited->count(child) != 0) {
        it = entries.erase(it);
        continue;
      }
      RevertToDurable(child, rng, visited);
      ++it;
    }
    node->children = entries;
    return;
  }
  if (rng != nullptr && node->data.size() > node->durable.size()) {
    const uint64_t unsynced = node->data.size() - node->durable.size();
    const uint64_t keep = (*rng)() % (unsynced + 1);
    node->durable.append(node->data, node->durable.size(), keep);
  }
  node->data = node->durable;
}

}  // namespace

void FakeFsState::Crash(const uint64_t* seed) {
  ++generation_;
  locks_.clear();  // The process that held them is gone.
  std::mt19937_64 rng(seed != nullptr ? *seed : 0);
  std::unordered_set<const FakeNode*> visited;
  RevertToDurable(root_.get(), seed != nullptr ? &rng : nullptr, &visited);
}

bool FakeFsState::Lock(const std::string& key, uint64_t* id) {
  auto [it, inserted] = locks_.emplace(key, next_lock_id_);
  if (!inserted) {
    return false;
  }
  *id = next_lock_id_++;
  return true;
}

bool FakeFsState::Unlock(const std::string& key, uint64_t id) {
  auto it = locks_.find(key);
  if (it == locks_.end() || it->second != id) {
    return false;
  }
  locks_.erase(it);
  return true;
}

}  // namespace strata
