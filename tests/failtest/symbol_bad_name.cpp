// expect: symbol_name_must_be_1_to_15_identifier_characters
// Symbol names are identifiers of at most 15 characters.
#include <ctrace/ctrace.hpp>
constexpr auto bad = ctrace::sym<"2nd batch">;
int main() { ctrace::Tensor<float, bad> t; (void)t; }
