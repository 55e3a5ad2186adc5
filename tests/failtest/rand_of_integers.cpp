// expect: (constraints not satisfied|no matching function).*rand
// rand draws floating values only.
#include <ctrace/ctrace.hpp>
int main() {
  auto r = ctrace::rand<int, 3>();
  (void)r;
}
