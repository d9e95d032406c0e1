#!/bin/sh
# install_test.sh BUILD_DIR SOURCE_DIR [EXTRA_CFLAGS]
# Installs the build into a temporary prefix, then builds install_hello.c
# against it three ways: pkg-config with the shared library, pkg-config
# with the static library, and a CMake project using find_package(lockstep).
# Each program must run and print "hello c.7".
set -eu
build=$1
src=$2
extra=${3:-}
prefix=$(mktemp -d "${TMPDIR:-/tmp}/lks_install.XXXXXX")
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" >/dev/null
pc=$(find "$prefix" -name lockstep.pc | head -n 1)
test -n "$pc" || { echo "no lockstep.pc installed"; exit 1; }
test -f "$prefix/include/lockstep.h" || { echo "no lockstep.h installed"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
ls "$libdir"/liblockstep.a "$libdir"/liblockstep.so >/dev/null
export PKG_CONFIG_PATH="$(dirname "$pc")"

# shared, through pkg-config: found at run time with no LD_LIBRARY_PATH
# and no ldconfig (the .pc file gives an rpath to the installed libdir)
cc $extra "$src/install_hello.c" $(pkg-config --cflags --libs lockstep) \
   -o "$prefix/hello_shared"
env -u LD_LIBRARY_PATH "$prefix/hello_shared" "$prefix/hello.trace"
grep -qx 'c.7' "$prefix/hello.trace" || { echo "trace lacks c.7"; exit 1; }

# static, through pkg-config
cc $extra "$src/install_hello.c" $(pkg-config --cflags lockstep) \
   "$libdir/liblockstep.a" $(pkg-config --libs-only-other lockstep) \
   -o "$prefix/hello_static"
"$prefix/hello_static"

# CMake: find_package(lockstep)
mkdir -p "$prefix/proj"
cp "$src/install_hello.c" "$prefix/proj/"
cat > "$prefix/proj/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.20)
project(hello C)
find_package(lockstep 0.1 REQUIRED)
add_executable(hello install_hello.c)
target_compile_options(hello PRIVATE $extra)
target_link_options(hello PRIVATE $extra)
target_link_libraries(hello PRIVATE lockstep::runtime)
add_executable(hello_shared install_hello.c)
target_compile_options(hello_shared PRIVATE $extra)
target_link_options(hello_shared PRIVATE $extra)
target_link_libraries(hello_shared PRIVATE lockstep::runtime_shared)
CMAKE
cmake -S "$prefix/proj" -B "$prefix/proj/build" \
      -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$prefix/proj/build" >/dev/null
"$prefix/proj/build/hello"
env -u LD_LIBRARY_PATH "$prefix/proj/build/hello_shared"
echo "install test: ok"
