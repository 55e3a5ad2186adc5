// Everything ctrace offers on the CPU, in one include.
#pragma once

#include "ctrace/api/elementwise.hpp"
#include "ctrace/backend/cpu/assign.hpp"
#include "ctrace/core/shape.hpp"
#include "ctrace/graph/expr_text.hpp"
#include "ctrace/tensor/factories.hpp"
#include "ctrace/tensor/print.hpp"
#include "ctrace/tensor/tensor.hpp"
