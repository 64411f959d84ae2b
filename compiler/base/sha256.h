// SHA-256 (FIPS 180-4): the hashes of an artefact (its checksum, its
// sources) and of a coding schema.
#ifndef CALDICOTT_COMPILER_BASE_SHA256_H_
#define CALDICOTT_COMPILER_BASE_SHA256_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace caldicott::base {

// SHA-256 of `data` as lowercase hex.
std::string Sha256Hex(std::string_view data);

// An incremental SHA-256, for hashing many inputs in turn.
class Sha256 {
 public:
  Sha256();
  void Update(std::string_view data);
  std::string HexDigest();  // finishes; the object is then spent
  // The raw 32 bytes; finishes likewise (calling either again gives the
  // same digest; Update after finishing is ignored).
  std::array<unsigned char, 32> Digest();

 private:
  uint32_t state_[8];
  uint64_t length_ = 0;
  unsigned char buffer_[64];
  size_t buffered_ = 0;
  bool done_ = false;
  void Block(const unsigned char* block);
};

}  // namespace caldicott::base

#endif  // CALDICOTT_COMPILER_BASE_SHA256_H_
