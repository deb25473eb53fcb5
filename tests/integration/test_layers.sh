#!/usr/bin/env bash
# The shape of src/ (shared/architecture.md section 1): the call graph read
# with nm from the object files has no cycle between .c files and no edge
# the layers forbid (base < schema < core < transport; store and auth use
# only base; never core -> transport, store -> core/transport), the
# protocol layer includes no transport library header, every file opens
# with its purpose comment and stays under 900 lines. The checker itself is
# tried on a planted cycle and a planted upward call first, so it cannot
# pass by seeing nothing. The last line is "N passed, N failed".
set -u
: "${BUILD_DIR:?BUILD_DIR must point to the build directory}"
: "${SOURCE_DIR:?SOURCE_DIR must point to the source tree}"
. "$(dirname "$0")/lib.sh"
it_begin layers
LAYERS="python3 $(dirname "$0")/layers.py"
OBJ=$BUILD_DIR/src/CMakeFiles/mcp_objects.dir
SRC=$SOURCE_DIR/src

# 1. The checker finds what it must find.
mkdir -p "$TMP/src/core" "$TMP/src/transport" "$TMP/obj/core" "$TMP/obj/transport"
printf 'int mcp__b(void);\nint mcp__a(void) { return mcp__b(); }\nint mcp__up(void);\nint mcp__c(void) { return mcp__up(); }\n' > "$TMP/src/core/a.c"
printf 'int mcp__a(void);\nint mcp__b(void) { return mcp__a(); }\n' > "$TMP/src/core/b.c"
printf 'int mcp__up(void) { return 1; }\n' > "$TMP/src/transport/t.c"
for f in core/a core/b transport/t; do ${CC:-cc} -c "$TMP/src/$f.c" -o "$TMP/obj/$f.c.o" || die "planted objects compile"; done
out=$($LAYERS "$TMP/obj" "$TMP/src")
rc=$?
check "the checker reports a planted cycle and a planted core -> transport call" \
    $([ $rc = 1 ] && grep -q '^cycle: core/a.c core/b.c' <<<"$out" && grep -q '^forbidden core->transport' <<<"$out"; echo $?) "$out"

# 2. libmcp itself.
[ -d "$OBJ" ] || die "object files of mcp_objects exist" "$OBJ"
out=$($LAYERS "$OBJ" "$SRC")
rc=$?
check "no call cycle between the .c files of src/" $(! grep -q '^cycle' <<<"$out"; echo $?) "$(grep '^cycle' <<<"$out" | head -3)"
check "no call the layer rules forbid" $(! grep -q '^forbidden' <<<"$out"; echo $?) "$(grep '^forbidden' <<<"$out" | head -3)"
check "the checker ran over every object of src/ ($(tail -1 <<<"$out"))" \
    $([ $rc = 0 ] && [ "$(tail -1 <<<"$out" | cut -d' ' -f1)" -ge "$(find "$SRC" -name '*.c' | wc -l)" ]; echo $?) "$out"

# 3. Protocol apart from transport: core and base include no HTTP, Redis,
# curl or OpenSSL header (core's one crypto use is nettle).
bad=$(grep -lE '#include <(microhttpd|hiredis/|curl/|openssl/)' "$SRC"/core/* "$SRC"/base/* "$SRC"/store/store.* 2>/dev/null | head -3)
check "src/core, src/base and the store interface include no transport or crypto library header" \
    $([ -z "$bad" ]; echo $?) "$bad"

# 4. Files with one concern: a purpose comment first, at most 900 lines.
long=""
nocomment=""
for f in $(cd "$SRC" && find . -name '*.[ch]' | sed 's#^\./##' | sort); do
    n=$(wc -l < "$SRC/$f")
    [ "$n" -gt 900 ] && long="$long $f:$n"
    head -c 2 "$SRC/$f" | grep -q '^/\*' || nocomment="$nocomment $f"
done
check "no file in src/ over 900 lines" $([ -z "$long" ]; echo $?) "$long"
check "every file in src/ opens with its purpose comment" $([ -z "$nocomment" ]; echo $?) "$nocomment"

finish
