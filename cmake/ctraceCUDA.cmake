# The CUDA backend's build: on when a CUDA compiler is found (nvcc 13 on the
# project's machines), off otherwise with a message. Sets CTRACE_CUDA; when it
# is on, ctraceCUDAOptions.cmake defines what the project's CUDA sources
# compile with. The asan preset turns CTRACE_ENABLE_CUDA off: its linker flags
# reach CMake's probe of nvcc's host linker, which then adds g++'s sanitizer
# runtimes to CUDA programs linked by clang (two ASan runtimes in one program).
option(CTRACE_ENABLE_CUDA "Build the CUDA backend's tests and benchmarks when a CUDA compiler is found" ON)
set(CTRACE_CUDA OFF)
if(CTRACE_ENABLE_CUDA)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    # Hopper (sm_90a: sm_90 with wgmma, which the bf16/f16 GEMM uses) unless the
    # caller chose; machine code only, no PTX to JIT.
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90a-real)
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    set(CTRACE_CUDA ON)
    message(STATUS "ctrace: CUDA backend tests and benchmarks enabled (${CMAKE_CUDA_COMPILER}, sm ${CMAKE_CUDA_ARCHITECTURES})")
  else()
    message(STATUS "ctrace: no CUDA compiler found; the CUDA backend's tests and benchmarks are not built")
  endif()
else()
  message(STATUS "ctrace: CTRACE_ENABLE_CUDA is off; the CUDA backend's tests and benchmarks are not built")
endif()
