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
  # CMake 3.25's check_language(CUDA) probes nvcc in a project of its own,
  # which does not see this cache, and brings back that project's host
  # compiler as a normal variable: empty, it hides a CMAKE_CUDA_HOST_COMPILER
  # given in the cache (the clang preset's clang++), and enable_language then
  # passes no -ccbin (nvcc uses g++). Dropping that variable lets the cache's
  # value through; without one in the cache, nothing changes.
  if(DEFINED CACHE{CMAKE_CUDA_HOST_COMPILER})
    unset(CMAKE_CUDA_HOST_COMPILER)
  endif()
  if(CMAKE_CUDA_COMPILER)
    # Hopper (sm_90a: sm_90 with wgmma, which the bf16/f16 GEMM uses) unless the
    # caller chose; machine code only, no PTX to JIT.
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90a-real)
    endif()
    enable_language(CUDA)
    # CMake 3.25 knows no C++20 for nvcc. The project asks for C++20
    # (ctrace's cxx_std_20, which CUDA sources follow), so CMake falls back to
    # the newest standard it knows, 17, and passes -std=c++17 after the
    # target's own -std=c++20 whenever the host compiler's default is older
    # (clang++ 14's is C++14; g++ 12's is 17, so nothing is added there). Told
    # how nvcc spells C++20, CMake passes that instead.
    if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
      set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_COMPILE_FEATURES cuda_std_20)
      list(APPEND CMAKE_CUDA_COMPILE_FEATURES cuda_std_20)
    endif()
    find_package(CUDAToolkit REQUIRED)
    set(CTRACE_CUDA ON)
    message(STATUS "ctrace: CUDA backend tests and benchmarks enabled (${CMAKE_CUDA_COMPILER}, sm ${CMAKE_CUDA_ARCHITECTURES})")
  else()
    message(STATUS "ctrace: no CUDA compiler found; the CUDA backend's tests and benchmarks are not built")
  endif()
else()
  message(STATUS "ctrace: CTRACE_ENABLE_CUDA is off; the CUDA backend's tests and benchmarks are not built")
endif()
