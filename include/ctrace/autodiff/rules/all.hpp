// Every derivative rule: one header per node type.
#pragma once

#include "ctrace/autodiff/rules/binary.hpp"
#include "ctrace/autodiff/rules/cast.hpp"
#include "ctrace/autodiff/rules/matmul.hpp"
#include "ctrace/autodiff/rules/movement.hpp"
#include "ctrace/autodiff/rules/reduce.hpp"
#include "ctrace/autodiff/rules/softmax.hpp"
#include "ctrace/autodiff/rules/unary.hpp"
#include "ctrace/autodiff/rules/update.hpp"
#include "ctrace/autodiff/rules/where.hpp"
