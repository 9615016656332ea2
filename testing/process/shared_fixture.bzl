"""shared_fixture: a test shared object a program links against.

Makes the shared object `so_name` from `srcs` (testonly, kept out of the
ASan configuration like every whole-process fixture) and a cc_import `name`
of it, so a cc_binary can list `name` in its deps and load the object at
run time as a normal DT_NEEDED library.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_import")

def shared_fixture(name, so_name, srcs, copts, deps = []):
    cc_binary(
        name = so_name,
        testonly = True,
        tags = ["no_asan"],
        srcs = srcs,
        copts = copts,
        linkshared = True,
        deps = deps,
    )
    cc_import(
        name = name,
        testonly = True,
        tags = ["no_asan"],
        shared_library = ":" + so_name,
    )
