#include "annlab/index_io.h"

#include <cstring>

#include "annlab/binary_io.h"
#include "annlab/factory.h"
#include "annlab/io.h"
#include "annlab/vector_store.h"

namespace annlab {

Result<std::vector<uint8_t>> serialize_index(const Index& index, bool embed_base) {
  const Serializable* s = as_serializable(index);
  if (!s) return Status::error(cat(index.describe(), " cannot be saved"));
  IndexFileContext ctx;
  ctx.version = kIndexFormatVersion;
  ctx.embed_base = embed_base;
  BinaryWriter payload;
  payload.context = &ctx;
  s->save_payload(payload);
  const Refinable* rf = as_refinable(index);
  const bool refers = rf && rf->base_vectors().shared() && rf->base_vectors().size() > 0 && !embed_base;
  BinaryWriter w;
  w.bytes(kIndexMagic, 8);
  w.put<uint32_t>(kIndexFormatVersion);
  w.put<uint32_t>(refers ? kIndexFlagRefersToBase : 0);
  w.put<uint64_t>(index.dim());
  w.put<uint64_t>(index.size());
  w.string(index.describe());
  w.put<uint64_t>(payload.size());
  w.bytes(payload.buffer().data(), payload.size());
  w.put<uint32_t>(crc32(w.buffer().data(), w.size()));
  return std::move(w.buffer());
}

Result<std::unique_ptr<Index>> deserialize_index(std::string_view name, const uint8_t* data, size_t size,
                                                 std::shared_ptr<const VectorStore> base) {
  auto fail = [&](std::string_view what) { return Status::error(cat(name, ": ", what)); };
  if (size == 0) return fail("empty file (0 bytes): expected an annlab index");
  if (size < 8 || std::memcmp(data, kIndexMagic, 8) != 0) {
    if (size >= 8 && std::memcmp(data, "ANNLABDS", 8) == 0)
      return fail("offset 0: this is an annlab dataset file (.alds), not an index file");
    return fail("offset 0: not an annlab index file: expected the magic 'ANNLABIX'");
  }
  BinaryReader r(data, size);
  char magic[8];
  uint32_t version = 0, flags = 0;
  uint64_t dim = 0, n = 0, payload_size = 0;
  std::string description;
  ANNLAB_TRY(r.bytes(magic, 8, "magic").with_context(name));
  ANNLAB_TRY(r.get(&version, "format version").with_context(name));
  if (version > kIndexFormatVersion)
    return fail(cat("offset 8: format version ", version, " is newer than this build reads (", kIndexFormatVersion,
                    "): update annlab"));
  if (version == 0) return fail("offset 8: format version 0 is not valid");
  ANNLAB_TRY(r.get(&flags, "flags").with_context(name));
  if ((flags & ~kIndexFlagRefersToBase) != 0 || (version < 2 && flags != 0))
    return fail(cat("offset 12: unknown flags 0x", std::hex, flags));
  ANNLAB_TRY(r.get(&dim, "dimension").with_context(name));
  ANNLAB_TRY(r.get(&n, "vector count").with_context(name));
  ANNLAB_TRY(r.string(&description, "description", 256).with_context(name));
  ANNLAB_TRY(r.get(&payload_size, "payload size").with_context(name));
  const size_t payload_at = r.offset();
  if (payload_size > r.remaining() || r.remaining() - payload_size < 4)
    return fail(cat("offset ", payload_at, ": truncated: the header promises a ", payload_size,
                    "-byte payload and a 4-byte checksum, ", r.remaining(), " bytes left"));
  if (r.remaining() - payload_size > 4)
    return fail(cat("offset ", payload_at + payload_size + 4, ": ", r.remaining() - payload_size - 4,
                    " unexpected bytes after the checksum"));
  uint32_t stored;
  std::memcpy(&stored, data + size - 4, 4);
  const uint32_t computed = crc32(data, size - 4);
  if (stored != computed)
    return fail(cat("offset ", size - 4, ": checksum mismatch (stored 0x", std::hex, stored, ", computed 0x", computed,
                    "): the file is corrupted"));
  if (dim == 0 || dim > kMaxDim) return fail(cat("offset 16: dimension ", dim, " is outside 1..", kMaxDim));
  auto made = make_index(description, size_t(dim), BuildParams{});
  if (!made.is_ok()) return fail(cat("offset 32: ", made.message()));
  std::unique_ptr<Index> index = std::move(made).value();
  Serializable* s = as_serializable(*index);
  if (!s) return fail(cat(description, " cannot be loaded"));
  IndexFileContext ctx;
  ctx.version = version;
  ctx.base = std::move(base);
  BinaryReader pr(data + payload_at, payload_size, payload_at);
  pr.context = &ctx;
  ANNLAB_TRY(s->load_payload(pr).with_context(cat(name, ": ", description)));
  if (pr.remaining() != 0)
    return fail(cat("offset ", pr.offset(), ": ", pr.remaining(), " payload bytes left unread by ", description));
  if (index->size() != n)
    return fail(cat("offset 24: the header says ", n, " vectors, the payload holds ", index->size()));
  if (index->describe() != description)
    return fail(cat("offset 32: the header says '", description, "', the payload makes '", index->describe(), "'"));
  return index;
}

Status save_index(const Index& index, const std::string& path, bool embed_base) {
  ANNLAB_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, serialize_index(index, embed_base));
  return write_file(path, bytes.data(), bytes.size());
}

Result<std::unique_ptr<Index>> load_index(const std::string& path, std::shared_ptr<const VectorStore> base) {
  ANNLAB_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, read_file(path));
  return deserialize_index(path, bytes.data(), bytes.size(), std::move(base));
}

}  // namespace annlab
