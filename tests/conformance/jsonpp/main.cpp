// jsonpp: reads one JSON document from stdin and prints it with nlohmann/json
// (the PyPI package nlohmann-json), built with WebAssembly exceptions by
// scripts/fetch_conformance.sh. Every error is a C++ exception caught by type:
//   jsonpp [INDENT] [POINTER] [--string]   prints the document (or the value at
//   the JSON pointer), indented by INDENT spaces (default 2; -1: one line);
//   --string: the value must be a string, printed raw
// Exit codes: 1 parse error, 2 no value at the pointer, 3 other JSON errors,
// 4 a bad argument.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace {

// Unwinding through this frame runs its destructor (a cleanup pad).
struct Trace {
  const char *what;
  ~Trace() { std::fprintf(stderr, "jsonpp: leaving %s\n", what); }
};

// (Not std::stoi: Debian's libc++ for wasm32 is built without exceptions, so
// its out-of-line functions abort where they would throw.)
int indentFrom(const char *text) {
  char *end = nullptr;
  long indent = std::strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || indent < -1 || indent > 16) {
    throw std::invalid_argument(std::string("not an indent from -1 to 16: ") + text);
  }
  return static_cast<int>(indent);
}

std::string render(const std::string &input, int indent, const char *pointer, bool raw) {
  Trace trace{"render"};
  nlohmann::json document = nlohmann::json::parse(input);
  const nlohmann::json &value =
      pointer == nullptr ? document : document.at(nlohmann::json::json_pointer(pointer));
  return raw ? value.get<std::string>() : value.dump(indent); // get: a type_error if not a string
}

} // namespace

int main(int argc, char **argv) {
  std::string input{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  try {
    int indent = argc > 1 ? indentFrom(argv[1]) : 2;
    bool raw = argc > 3 && std::string(argv[3]) == "--string";
    std::cout << render(input, indent, argc > 2 ? argv[2] : nullptr, raw) << '\n';
    return 0;
  } catch (const nlohmann::json::parse_error &error) {
    std::cerr << "jsonpp: not JSON: " << error.what() << " (byte " << error.byte << ")\n";
    return 1;
  } catch (const nlohmann::json::out_of_range &error) {
    std::cerr << "jsonpp: no such value: " << error.what() << '\n';
    return 2;
  } catch (const nlohmann::json::exception &error) { // a base class of the thrown type
    std::cerr << "jsonpp: " << error.what() << " (id " << error.id << ")\n";
    return 3;
  } catch (const std::logic_error &error) {
    std::cerr << "jsonpp: bad indent: " << error.what() << '\n';
    return 4;
  } catch (...) {
    std::cerr << "jsonpp: unknown exception\n";
    return 5;
  }
}
