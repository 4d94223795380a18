#pragma once
// EnumTable: an enum's names in one place (common/, shared by the simulator and chaos-agent).
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spotsim {

// A table of an enum's names, the one place where names and values meet: the name of a value
// (for reports), the value of a name, and every name (for "is not one of: ..." errors).
//
//   constexpr auto kQueues = enum_table<QueueDiscipline>({{"fifo", QueueDiscipline::kFifo},
//                                                         {"priority", QueueDiscipline::kPriority}});
//   kQueues.name(QueueDiscipline::kFifo) == "fifo";  kQueues.find("priority") == kPriority
template <class E>
struct EnumName {
  const char* name;
  E value;
};

template <class E, size_t N>
class EnumTable {
 public:
  constexpr explicit EnumTable(const EnumName<E> (&entries)[N]) {
    for (size_t i = 0; i < N; ++i) entries_[i] = entries[i];
  }
  // The name of `v` ("?" for a value the table does not list).
  constexpr const char* name(E v) const {
    for (const auto& e : entries_) {
      if (e.value == v) return e.name;
    }
    return "?";
  }
  // The value named `n`, or nullopt.
  constexpr std::optional<E> find(std::string_view n) const {
    for (const auto& e : entries_) {
      if (n == e.name) return e.value;
    }
    return std::nullopt;
  }
  // Every name, in table order.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.emplace_back(e.name);
    return out;
  }
  static constexpr size_t size() { return N; }
  constexpr const std::array<EnumName<E>, N>& entries() const { return entries_; }

 private:
  std::array<EnumName<E>, N> entries_{};
};

// enum_table<E>({{"name", E::kValue}, ...}): the size is counted from the list.
template <class E, size_t N>
constexpr EnumTable<E, N> enum_table(const EnumName<E> (&entries)[N]) {
  return EnumTable<E, N>(entries);
}

}  // namespace spotsim
