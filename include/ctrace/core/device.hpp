// Device tags: where a tensor's memory lives; part of the tensor's type.
#pragma once

#include <string_view>
#include <type_traits>

namespace ctrace {

struct cpu {
  static constexpr std::string_view name = "cpu";
};
struct cuda {
  static constexpr std::string_view name = "cuda";
};

template <class D>
concept device_tag = std::is_same_v<D, cpu> || std::is_same_v<D, cuda>;

}  // namespace ctrace
