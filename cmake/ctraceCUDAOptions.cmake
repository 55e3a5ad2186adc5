# Flags for the project's own CUDA sources (tests, benchmarks). CMake 3.25
# cannot select C++20 for CUDA itself, so -std=c++20 goes to nvcc directly;
# --expt-relaxed-constexpr lets device code call the library's constexpr
# functions (convert, numeric_limits); 186 ("pointless comparison of unsigned
# integer with zero") fires on rank-0 loops of generic code. Warnings of nvcc's
# front end and of the host compiler are errors, as for C++ sources. The CUDA
# runtime is linked statically: the programs run on machines whose toolkit
# paths differ from the build machine's. (The test presets set
# CMAKE_CUDA_FLAGS_RELEASE to -O0: nvcc's -O is the host compiler's level, which
# is most of a test source's compile time; device code is always optimized.)
add_library(ctrace_cuda_options INTERFACE)
target_compile_options(ctrace_cuda_options INTERFACE
  $<$<COMPILE_LANGUAGE:CUDA>:-std=c++20 --expt-relaxed-constexpr -diag-suppress=186 -Werror=all-warnings
    -Xcompiler=-Wall,-Wextra,-Werror>)
target_link_libraries(ctrace_cuda_options INTERFACE ctrace_project_options CUDA::cudart_static)
