// Everything ctrace offers on the CPU, in one include: tensors and factories,
// every op, and the CPU backend that runs them. (Eigen interop is separate:
// ctrace/tensor/eigen.hpp brings Eigen's Tensor module, a heavy include.)
#pragma once

// The ops users call.
#include "ctrace/api/custom.hpp"
#include "ctrace/api/elementwise.hpp"
#include "ctrace/api/indexing.hpp"
#include "ctrace/api/inplace.hpp"
#include "ctrace/api/join.hpp"
#include "ctrace/api/linalg.hpp"
#include "ctrace/api/movement.hpp"
#include "ctrace/api/nn.hpp"
#include "ctrace/api/random.hpp"
#include "ctrace/api/reduce.hpp"
#include "ctrace/api/scan.hpp"
#include "ctrace/api/scatter.hpp"
#include "ctrace/api/sizes.hpp"
#include "ctrace/api/sort.hpp"

// Graph capture: trace(), specs, structured inputs, guards, printing.
#include "ctrace/graph/control.hpp"
#include "ctrace/graph/graph.hpp"

// Tensors, factories, printing.
#include "ctrace/core/shape.hpp"
#include "ctrace/graph/expr_text.hpp"
#include "ctrace/tensor/factories.hpp"
#include "ctrace/tensor/print.hpp"
#include "ctrace/tensor/tensor.hpp"

// The CPU backend: evaluators and kernels for every node.
#include "ctrace/backend/cpu/accumulate.hpp"
#include "ctrace/backend/cpu/assign.hpp"
#include "ctrace/backend/cpu/control.hpp"
#include "ctrace/backend/cpu/custom.hpp"
#include "ctrace/backend/cpu/diag_embed.hpp"
#include "ctrace/backend/cpu/indexing.hpp"
#include "ctrace/backend/cpu/join.hpp"
#include "ctrace/backend/cpu/matmul.hpp"
#include "ctrace/backend/cpu/movement.hpp"
#include "ctrace/backend/cpu/normalization.hpp"
#include "ctrace/backend/cpu/reduce.hpp"
#include "ctrace/backend/cpu/scan.hpp"
#include "ctrace/backend/cpu/sort.hpp"
#include "ctrace/backend/cpu/update.hpp"
