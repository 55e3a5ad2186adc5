# The CUDA backend's build: on when a CUDA compiler is found (nvcc 13 on the
# project's machines), off otherwise with a message. Sets CTRACE_CUDA and,
# when on, the target ctrace_cuda_options: what every CUDA source of the
# project compiles with.
option(CTRACE_ENABLE_CUDA "Build the CUDA backend's tests and benchmarks when a CUDA compiler is found" ON)
set(CTRACE_CUDA OFF)
if(CTRACE_ENABLE_CUDA)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    # Hopper (sm_90) unless the caller chose; machine code only, no PTX to JIT.
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90-real)
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    set(CTRACE_CUDA ON)
    message(STATUS "ctrace: CUDA backend tests and benchmarks enabled (${CMAKE_CUDA_COMPILER}, sm ${CMAKE_CUDA_ARCHITECTURES})")
  else()
    message(STATUS "ctrace: no CUDA compiler found; the CUDA backend's tests and benchmarks are not built")
  endif()
endif()
