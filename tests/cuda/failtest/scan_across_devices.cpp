// expect: live on different devices \(cpu and cuda\)
// A scan whose init carry is on the host and whose xs are on the device: the
// body would run on one device and read the other's memory.
#include <ctrace/graph/control.hpp>
#include <ctrace/tensor/tensor.hpp>

#include <utility>
using namespace ctrace;
void f(const tensor<float, shape_of<3>, cpu>& init, const tensor<float, shape_of<4, 3>, cuda>& xs) {
  scan([](auto c, auto x) { return std::make_pair(c + x, c); }, init, xs);
}
int main() {}
