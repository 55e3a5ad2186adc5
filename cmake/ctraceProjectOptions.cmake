# Flags for the project's own programs (not for users of the library):
# warnings are errors, and SIMD flags where the machine runs them.
include(CheckCXXSourceRuns)

# AVX2 + FMA (x86-64-v3) when this machine can run it. Not AVX-512: g++ 12's
# AVX-512 intrinsic headers warn inside Eigen, and on the cores we use AVX2 is
# as fast for this memory-bound work.
set(CTRACE_ARCH_FLAGS "" CACHE STRING "Instruction-set flags for tests, examples and benchmarks")
if(CTRACE_ARCH_FLAGS STREQUAL "" AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(CMAKE_REQUIRED_FLAGS "-march=x86-64-v3")
  check_cxx_source_runs([=[
    #include <immintrin.h>
    int main() { __m256 a = _mm256_set1_ps(1.f); a = _mm256_fmadd_ps(a, a, a); return _mm256_cvtss_f32(a) == 2.f ? 0 : 1; }
  ]=] CTRACE_CAN_RUN_X86_64_V3)
  unset(CMAKE_REQUIRED_FLAGS)
  if(CTRACE_CAN_RUN_X86_64_V3)
    set(CTRACE_ARCH_FLAGS "-march=x86-64-v3" CACHE STRING "" FORCE)
  endif()
endif()

add_library(ctrace_project_options INTERFACE)
target_compile_options(ctrace_project_options INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Werror ${CTRACE_ARCH_FLAGS}>)
target_link_libraries(ctrace_project_options INTERFACE ctrace::ctrace)
