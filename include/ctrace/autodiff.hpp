// Reverse-mode differentiation of captured graphs: grad, value_and_grad, vjp,
// stop_gradient, checkpoint, gradcheck; custom functions and hooks are in
// api/custom.hpp (ctrace.hpp).
#pragma once

#include "ctrace/autodiff/checkpoint.hpp"
#include "ctrace/autodiff/grad.hpp"
#include "ctrace/autodiff/gradcheck.hpp"
