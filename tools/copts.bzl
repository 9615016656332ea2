"""The one source of compiler flags for the project."""

# Project C code: C99, every warning an error, hidden visibility (the final
# .so exports only what its version script lists; tests link statically). Third-party headers come in
# through `includes` (-isystem), so their warnings never trip -Werror.
C_COPTS = [
    "-std=c99",
    "-D_GNU_SOURCE",
    "-fvisibility=hidden",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wmissing-prototypes",
    "-Wstrict-prototypes",
    "-Wold-style-definition",
    "-Wshadow",
    "-Wsign-compare",
    "-Wpointer-arith",
    "-Wvla",
]

# Assembly sources (preprocessed .S).
ASM_COPTS = [
    "-Wa,--noexecstack",
]

# C++ tests and tools: warnings on, relaxed where gtest idioms trip them.
TEST_COPTS = [
    "-std=c++17",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wno-sign-compare",
    "-Wno-missing-field-initializers",
]
