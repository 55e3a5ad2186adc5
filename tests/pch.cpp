// The translation unit that builds the tests' precompiled header
// (tests/CMakeLists.txt: ctrace_test_pch); it has nothing of its own.
