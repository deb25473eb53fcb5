#!/usr/bin/env bash
# Every public header compiles on its own, first in a translation unit, as
# C11 and as C++ (an embedder includes one header, not the umbrella), and
# the generated version.h matches project(VERSION). One line per header and
# language; the last line is "N passed, N failed".
set -u
: "${BUILD_DIR:?BUILD_DIR must point to the build directory}"
: "${SOURCE_DIR:?SOURCE_DIR must point to the source tree}"
. "$(dirname "$0")/lib.sh"
it_begin headers

CC=${CC:-cc}
CXX=${CXX:-g++}
CJSON_CFLAGS=$(pkg-config --cflags libcjson 2>/dev/null)
INC="-I$SOURCE_DIR/include -I$BUILD_DIR/include $CJSON_CFLAGS"
headers=$(cd "$SOURCE_DIR/include/mcp" && ls *.h; echo version.h)
[ -f "$BUILD_DIR/include/mcp/version.h" ] || die "generated include/mcp/version.h exists" "$BUILD_DIR/include/mcp/version.h"
for h in $headers; do
    printf '#include <mcp/%s>\n#include <mcp/%s>\nint main(void) { return 0; }\n' "$h" "$h" > "$TMP/one.c"
    out=$($CC -std=c11 -pedantic -Wall -Wextra -Werror $INC -c "$TMP/one.c" -o "$TMP/one.o" 2>&1)
    check "<mcp/$h> compiles alone as C11 (and twice: include guard)" $? "$(head -3 <<<"$out")"
    cp "$TMP/one.c" "$TMP/one.cpp"
    out=$($CXX -std=c++11 -Wall -Wextra -Werror $INC -c "$TMP/one.cpp" -o "$TMP/one.o" 2>&1)
    check "<mcp/$h> compiles alone as C++11" $? "$(head -3 <<<"$out")"
done

# The macros and the runtime query agree with CMake's project(VERSION).
want=$(sed -n 's/^project(libmcp VERSION \([0-9.]*\).*/\1/p' "$SOURCE_DIR/CMakeLists.txt")
cat > "$TMP/ver.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <mcp/mcp.h>
int main(void)
{
    char s[32];
    snprintf(s, sizeof s, "%d.%d.%d", MCP_VERSION_MAJOR, MCP_VERSION_MINOR, MCP_VERSION_PATCH);
    if (strcmp(s, MCP_VERSION) != 0 || strcmp(mcp_version_string(), MCP_VERSION) != 0)
        return 1;
    if (mcp_version() != MCP_VERSION_NUM || MCP_VERSION_NUM != ((MCP_VERSION_MAJOR << 16) | (MCP_VERSION_MINOR << 8) | MCP_VERSION_PATCH))
        return 2;
    printf("%s\n", mcp_version_string());
    return 0;
}
C
out=$($CC -std=c11 $INC "$TMP/ver.c" -o "$TMP/ver" -L"$BUILD_DIR/src" -Wl,-rpath,"$BUILD_DIR/src" -lmcp 2>&1) && got=$("$TMP/ver")
check "MCP_VERSION*, mcp_version() and mcp_version_string() say $want" $([ "${got:-}" = "$want" ]; echo $?) "${got:-$out}"

finish
