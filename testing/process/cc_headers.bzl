"""public_headers: the headers a cc_library exports, as files.

Other packages' sources are not visible here, but their cc_library targets
are; this rule turns such a target into its public header files (the
include-path copies Bazel makes for strip_include_prefix included), so a
test can use them as data, e.g. to compile a hook the way a user does.
"""

def _public_headers_impl(ctx):
    headers = depset(transitive = [
        dep[CcInfo].compilation_context.headers
        for dep in ctx.attr.deps
    ])
    return [DefaultInfo(
        files = headers,
        runfiles = ctx.runfiles(transitive_files = headers),
    )]

public_headers = rule(
    implementation = _public_headers_impl,
    attrs = {
        "deps": attr.label_list(providers = [CcInfo]),
    },
)
