// expect: missing_key<boost::hana::string<'s', 'c', 'a', 'l', 'e'> ?>
// A keyed argument that lacks a key the graph was traced with.
#include <ctrace/ctrace.hpp>
using namespace ctrace;
int main() {
  auto g = trace([](auto in) { return in[key<"x">] * in[key<"scale">]; },
                 kwargs(arg<"x">(spec<float, 2>{}), arg<"scale">(spec<float, 1>{})));
  Tensor<float, 2> x;
  auto r = g(kwargs(arg<"x">(x)));
  (void)r;
}
