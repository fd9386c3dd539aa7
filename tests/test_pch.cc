// The translation unit that compiles the test suites' shared precompiled
// header (SILVERWORK_TEST_PCH in tests/CMakeLists.txt); it has no code.
