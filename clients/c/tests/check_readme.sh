#!/bin/sh
# make check-readme: README.md's example is examples/crawler.c, verbatim, and the two
# compile lines the README shows for it work exactly as written:
#   - the uninstalled one (PKG_CONFIG_PATH=clients/c/build ...), run from a directory
#     whose clients/ is this repository's (so it behaves as from the repository root
#     but writes its output under build/);
#   - the one for after `make install`, against an install into build/prefix.
# Each built program must run and fail cleanly on a socket where no brain listens.
#
# usage: check_readme.sh ROOT BUILD MAKE   (ROOT = clients/c, BUILD = its build dir)
set -u
root=$1 build=$2 make=$3
readme=$root/README.md
work=$build/readme-check
fail() { echo "check-readme: $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work/repo" || fail "cannot create $work"

# 1. The program between the markers (inside a ```c fence) is examples/crawler.c.
awk '/^<!-- end examples\/crawler\.c/ { inside = 0 }
     inside { print }
     /^<!-- begin examples\/crawler\.c/ { inside = 1 }' "$readme" >"$work/block"
head -n 1 "$work/block" | grep -qx '```c' || fail "README.md: no \`\`\`c block after the '<!-- begin examples/crawler.c' marker"
tail -n 1 "$work/block" | grep -qx '```' || fail "README.md: the crawler.c block does not end with \`\`\` before its end marker"
sed '1d;$d' "$work/block" >"$work/readme-crawler.c"
if ! cmp -s "$work/readme-crawler.c" "$root/examples/crawler.c"; then
    diff -u "$root/examples/crawler.c" "$work/readme-crawler.c" >&2
    fail "README.md's program differs from examples/crawler.c (diff above: - file, + README)"
fi

# 2. The compile lines: exactly one with PKG_CONFIG_PATH=clients/c/build, one without.
lines=$(grep -E '^cc .*clients/c/examples/crawler\.c' "$readme")
uninstalled=$(printf '%s\n' "$lines" | grep -F 'PKG_CONFIG_PATH=clients/c/build ')
installed=$(printf '%s\n' "$lines" | grep -vF 'PKG_CONFIG_PATH=')
[ "$(printf '%s\n' "$uninstalled" | grep -c .)" = 1 ] ||
    fail "README.md needs exactly one 'cc ... clients/c/examples/crawler.c \$(PKG_CONFIG_PATH=clients/c/build pkg-config ...)' line"
[ "$(printf '%s\n' "$installed" | grep -c .)" = 1 ] ||
    fail "README.md needs exactly one 'cc ... clients/c/examples/crawler.c \$(pkg-config ...)' line (after make install)"

# runs PROGRAM [env...]: it must start, find no brain at a fresh socket path and say so.
runs() {
    prog=$1
    shift
    sock=$work/no-brain.sock
    env "$@" BRAIN_SOCKET="$sock" "$prog" >"$work/out" 2>"$work/err"
    status=$?
    if [ $status != 1 ] || ! grep -qF "crawler: cannot connect to the brain at $sock" "$work/err"; then
        cat "$work/err" >&2
        fail "$prog: exit status $status (want 1 and 'crawler: cannot connect to the brain at $sock')"
    fi
}

# The uninstalled line, from a stand-in repository root.
ln -s "$(cd "$root/../.." && pwd)/clients" "$work/repo/clients" || fail "symlink"
(cd "$work/repo" && sh -ec "$uninstalled") >"$work/cc.log" 2>&1 || {
    cat "$work/cc.log" >&2
    fail "the README's uninstalled compile line failed in $work/repo: $uninstalled"
}
prog=$(cd "$work/repo" && ls crawler 2>/dev/null) || fail "the uninstalled compile line made no ./crawler"
runs "$work/repo/$prog"

# After `make install` (into build/prefix; the .pc there is found through PKG_CONFIG_PATH,
# the shared library through LD_LIBRARY_PATH, as for any prefix outside the defaults).
prefix=$build/prefix
$make -s -C "$root" install PREFIX="$prefix" >"$work/install.log" 2>&1 || {
    cat "$work/install.log" >&2
    fail "make install PREFIX=$prefix failed"
}
mkdir -p "$work/installed"
(cd "$work/installed" && ln -s ../repo/clients clients &&
    PKG_CONFIG_PATH=$prefix/lib/pkgconfig sh -ec "$installed") >"$work/cc.log" 2>&1 || {
    cat "$work/cc.log" >&2
    fail "the README's post-install compile line failed against $prefix: $installed"
}
runs "$work/installed/crawler" LD_LIBRARY_PATH="$prefix/lib"
echo "check-readme: README.md's program is examples/crawler.c; both compile lines build it"
