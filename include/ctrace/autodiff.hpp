// Reverse-mode differentiation of captured graphs: grad, value_and_grad, vjp,
// stop_gradient, gradcheck.
#pragma once

#include "ctrace/autodiff/grad.hpp"
#include "ctrace/autodiff/gradcheck.hpp"
