// A minimal C++ exception runtime for WebAssembly exceptions (clang's
// -fwasm-exceptions), for jsonpp: Debian's libc++abi for wasm32 is built
// without exception support, so __cxa_throw and the personality are missing.
// It implements what clang emits calls to: throwing with the `throw`
// instruction (tag __cpp_exception, the payload a pointer to the exception's
// unwind header), and _Unwind_CallPersonality, which reads the function's
// LSDA (call sites indexed by landing pad) and stores the matching catch
// clause's type index in __wasm_lpad_context.selector. Catch clauses match
// the thrown class or a public non-virtual base (the Itanium ABI's class type
// infos); pointer catches and exception specifications never match.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <typeinfo>

namespace __cxxabiv1 { // The Itanium C++ ABI's class type infos (libc++abi defines them).
class __class_type_info : public std::type_info {
public:
  ~__class_type_info() override;
};
class __si_class_type_info : public __class_type_info {
public:
  ~__si_class_type_info() override;
  const __class_type_info *__base_type;
};
struct __base_class_type_info {
  const __class_type_info *__base_type;
  long __offset_flags; // offset << 8 | 2 (public) | 1 (virtual)
};
class __vmi_class_type_info : public __class_type_info {
public:
  ~__vmi_class_type_info() override;
  unsigned int __flags;
  unsigned int __base_count;
  __base_class_type_info __base_info[1];
};
} // namespace __cxxabiv1

namespace {

struct UnwindException { // _Unwind_Exception's layout
  std::uint64_t exception_class;
  void (*cleanup)(int, UnwindException *);
  std::uintptr_t private_1, private_2;
};

// Destructors return `this` on WebAssembly.
using Destructor = void *(*)(void *);

struct alignas(16) Header {
  const std::type_info *type;
  Destructor destroy;
  void *adjusted;  // the object as the matching catch clause sees it
  Header *next;    // the next caught exception
  int handlers;    // catch blocks that hold it
  bool rethrown;
  UnwindException unwind;
};

Header *caught = nullptr; // the innermost caught exception first

Header *headerOf(void *object) { return static_cast<Header *>(object) - 1; }
Header *headerOfUnwind(void *unwind) {
  return reinterpret_cast<Header *>(static_cast<char *>(unwind) - offsetof(Header, unwind));
}

// Whether `thrown` (at `object`) is `target` or has it as a public
// non-virtual base; `object` becomes that base subobject.
bool matches(const std::type_info *target, const std::type_info *thrown, void *&object) {
  if (*target == *thrown) return true;
  if (auto si = dynamic_cast<const __cxxabiv1::__si_class_type_info *>(thrown)) {
    return matches(target, si->__base_type, object);
  }
  if (auto vmi = dynamic_cast<const __cxxabiv1::__vmi_class_type_info *>(thrown)) {
    for (unsigned i = 0; i < vmi->__base_count; i++) {
      long flags = vmi->__base_info[i].__offset_flags;
      if ((flags & 3) != 2) continue; // not public, or virtual
      void *base = static_cast<char *>(object) + (flags >> 8);
      if (matches(target, vmi->__base_info[i].__base_type, base)) {
        object = base;
        return true;
      }
    }
  }
  return false;
}

std::uintptr_t uleb128(const std::uint8_t *&p) {
  std::uintptr_t value = 0;
  unsigned shift = 0;
  std::uint8_t byte;
  do {
    byte = *p++;
    value |= std::uintptr_t(byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return value;
}

std::intptr_t sleb128(const std::uint8_t *&p) {
  std::uintptr_t value = 0;
  unsigned shift = 0;
  std::uint8_t byte;
  do {
    byte = *p++;
    value |= std::uintptr_t(byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  if (shift < 8 * sizeof value && (byte & 0x40)) value |= ~std::uintptr_t(0) << shift;
  return static_cast<std::intptr_t>(value);
}

constexpr std::uint8_t OMIT = 0xff;

} // namespace

extern "C" {

struct LandingPadContext {
  std::uintptr_t lpad_index; // set by the landing pad
  std::uintptr_t lsda;       // set by the landing pad
  std::uintptr_t selector;   // the matching clause's type index, or 0
};
thread_local LandingPadContext __wasm_lpad_context;

void *__cxa_allocate_exception(std::size_t size) noexcept {
  void *memory = std::calloc(1, sizeof(Header) + size);
  if (memory == nullptr) std::terminate();
  return static_cast<Header *>(memory) + 1;
}

void __cxa_free_exception(void *object) noexcept { std::free(headerOf(object)); }

[[noreturn]] void __cxa_throw(void *object, std::type_info *type, Destructor destroy) {
  Header *header = headerOf(object);
  header->type = type;
  header->destroy = destroy;
  header->adjusted = object;
  header->unwind.exception_class = 0x434c4e47432b2b00; // "CLNGC++\0"
  __builtin_wasm_throw(0, &header->unwind);
}

void *__cxa_begin_catch(void *unwind) noexcept {
  Header *header = headerOfUnwind(unwind);
  if (header->handlers++ == 0) {
    header->next = caught;
    caught = header;
  }
  header->rethrown = false;
  return header->adjusted;
}

void __cxa_end_catch() {
  Header *header = caught;
  if (header == nullptr || --header->handlers > 0) return;
  caught = header->next;
  if (header->rethrown) return; // still in flight
  void *object = header + 1;
  if (header->destroy != nullptr) header->destroy(object);
  __cxa_free_exception(object);
}

[[noreturn]] void __cxa_rethrow() {
  Header *header = caught;
  if (header == nullptr) std::terminate();
  header->rethrown = true;
  header->adjusted = header + 1;
  __builtin_wasm_throw(0, &header->unwind);
}


// Called by a landing pad with typed catch clauses: finds the first clause
// of landing pad `lpad_index` that matches, as the LSDA lists them.
int _Unwind_CallPersonality(void *unwind) {
  LandingPadContext &context = __wasm_lpad_context;
  context.selector = 0;
  Header *header = headerOfUnwind(unwind);
  const auto *p = reinterpret_cast<const std::uint8_t *>(context.lsda);
  if (*p++ != OMIT) std::abort(); // a landing pad base: clang emits none
  std::uint8_t typeEncoding = *p++;
  const std::uint8_t *types = nullptr;
  if (typeEncoding != OMIT) {
    std::uintptr_t offset = uleb128(p);
    types = p + offset;
  }
  p++; // call site encoding: uleb128 for wasm
  std::uintptr_t length = uleb128(p);
  const std::uint8_t *actions = p + length;
  std::uintptr_t action = 0;
  for (std::uintptr_t index = 0; p < actions; index++) {
    uleb128(p); // the landing pad's index
    std::uintptr_t entry = uleb128(p);
    if (index == context.lpad_index) action = entry;
  }
  if (action == 0) return 8; // cleanup only: _URC_CONTINUE_UNWIND
  const std::uint8_t *record = actions + (action - 1);
  for (;;) {
    std::intptr_t typeIndex = sleb128(record);
    if (typeIndex > 0) {
      if (types == nullptr || (typeEncoding & 0x0f) > 3) std::abort();
      const std::type_info *type;
      std::memcpy(&type, types - typeIndex * 4, 4); // absptr/udata4 on wasm32
      void *object = header + 1;
      if (type == nullptr || matches(type, header->type, object)) {
        header->adjusted = object;
        context.selector = static_cast<std::uintptr_t>(typeIndex);
        return 6; // _URC_HANDLER_FOUND
      }
    }
    const std::uint8_t *here = record;
    std::intptr_t next = sleb128(record);
    if (next == 0) return 8;
    record = here + next;
  }
}

// The personality clang names for each function; the LSDA walk above does its work.
int __gxx_wasm_personality_v0() { return 0; }

} // extern "C"
