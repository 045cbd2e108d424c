#!/bin/sh
# The libraries cx links, built with musl from Debian's own source
# packages: make LIBC=musl runs this once per build folder.
#
#   sh mk/musl-deps.sh DIR
#
# DIR/apt      a private apt directory (a deb-src line, its lists): the
#              machine's apt configuration is not touched
# DIR/src      the source packages, as apt-get source fetched them
# DIR/work     each one unpacked (dpkg-source -x, Debian's patches on)
# DIR/kh       the kernel's headers musl-gcc needs (linux/, asm/...)
# DIR/prefix   what cx links: lib/*.a and include/
# DIR/musl.specs  musl-gcc's specs, with -static-pie as well
#
# Each library is configured with only what cx uses: libarchive reads
# and writes tar and pax, with gzip (zlib) and zstd, nothing else (no
# xml2, no ICU, no ACLs or xattrs: cx-overlay handles those itself);
# nettle gives the SHA-256 of the blobs, without its public-key half;
# libseccomp compiles an OCI bundle's linux.seccomp into BPF.
# Once DIR/prefix/.done exists nothing is fetched or built again, so
# make works offline from then on.
set -eu

DIR=$(realpath -m "$1")
PKGS="popt libcap2 zlib libzstd nettle libarchive jansson libseccomp"
# .done names what was built: a library added later builds them again.
[ "$(cat "$DIR/prefix/.done" 2>/dev/null)" = "$PKGS" ] && exit 0

need() {
	command -v "$1" >/dev/null 2>&1 ||
		{ echo "musl-deps: $1 is missing: install $2" >&2; exit 1; }
}
need musl-gcc musl-tools
need dpkg-source dpkg-dev
need m4 m4
need gperf gperf

mkdir -p "$DIR/apt/lists/partial" "$DIR/apt/cache/archives/partial" \
	"$DIR/apt/etc/sources.list.d" "$DIR/apt/etc/preferences.d" \
	"$DIR/src" "$DIR/work" "$DIR/prefix/lib" "$DIR/prefix/include" \
	"$DIR/kh" "$DIR/tmp"
export TMPDIR="$DIR/tmp"

# --- the sources ----------------------------------------------------------
missing=""
for p in $PKGS; do
	ls "$DIR/src/${p}_"*.dsc >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	. /etc/os-release
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian ${VERSION_CODENAME:-bookworm} main" \
		>"$DIR/apt/etc/sources.list"
	set -- -o "Dir::Etc=$DIR/apt/etc" \
		-o "Dir::Etc::SourceList=$DIR/apt/etc/sources.list" \
		-o "Dir::Etc::SourceParts=$DIR/apt/etc/sources.list.d" \
		-o "Dir::Etc::Preferences=$DIR/apt/etc/preferences" \
		-o "Dir::Etc::PreferencesParts=$DIR/apt/etc/preferences.d" \
		-o "Dir::State::Lists=$DIR/apt/lists" \
		-o "Dir::Cache=$DIR/apt/cache" \
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root
	apt-get "$@" -qq update
	# shellcheck disable=SC2086
	(cd "$DIR/src" && apt-get "$@" -qq source --download-only $missing)
fi

# --- unpacked afresh, with every file of one age ---------------------------
# Nothing of an earlier, interrupted build is reused.  dpkg-source
# dates what Debian's patches touch now, which would make make(1) run
# autotools again; one date for all keeps the shipped configure scripts.
rm -rf "$DIR/work" "$DIR/prefix"
mkdir -p "$DIR/work" "$DIR/prefix/lib" "$DIR/prefix/include"
for dsc in "$DIR/src/"*.dsc; do
	name=$(basename "$dsc" .dsc)
	dpkg-source --no-check -x "$dsc" "$DIR/work/$name" >/dev/null
	find "$DIR/work/$name" -exec touch -h -d '2024-01-01 00:00' {} +
done

# --- musl-gcc with the kernel's headers, and static-pie ------------------
ln -sfn /usr/include/linux "$DIR/kh/linux"
ln -sfn "/usr/include/$(gcc -print-multiarch)/asm" "$DIR/kh/asm"
ln -sfn /usr/include/asm-generic "$DIR/kh/asm-generic"
specs=$(sed -n 's/.*-specs "\([^"]*\)".*/\1/p' "$(command -v musl-gcc)")
[ -f "$specs" ] || { echo "musl-deps: no musl-gcc.specs found" >&2; exit 1; }
# Debian's specs know no -static-pie: rcrt1.o, and no dynamic linker.
sed -e 's|^%{!shared: \([^ }]*\)/Scrt1.o}|%{static-pie: \1/rcrt1.o; !shared: \1/Scrt1.o}|' \
    -e 's|^-dynamic-linker \([^ ]*\) -nostdlib|%{!static-pie:-dynamic-linker \1} -nostdlib %{static-pie:-static -pie --no-dynamic-linker -z text}|' \
	"$specs" >"$DIR/musl.specs"
grep -q rcrt1 "$DIR/musl.specs" ||
	{ echo "musl-deps: cannot add -static-pie to $specs" >&2; exit 1; }

P=$DIR/prefix
export CC="gcc -specs $DIR/musl.specs -isystem $DIR/kh"
export CFLAGS="-O2 -fPIE -ffunction-sections -fdata-sections"
w() { cd "$DIR/work/$(basename "$DIR/src/$1"_*.dsc .dsc)"; }
q() { "$@" >"$DIR/tmp/log" 2>&1 || { cat "$DIR/tmp/log" >&2; exit 1; }; }

echo "musl-deps: zlib" >&2
w zlib
q ./configure --static --prefix="$P"
q make -j2 libz.a
cp libz.a "$P/lib/" && cp zlib.h zconf.h "$P/include/"

echo "musl-deps: zstd" >&2
w libzstd
q make -C lib -j2 libzstd.a ZSTD_LIB_DEPRECATED=0 ZSTD_LIB_DICTBUILDER=0 \
	ZSTD_LEGACY_SUPPORT=0
cp lib/libzstd.a "$P/lib/" && cp lib/zstd.h lib/zstd_errors.h "$P/include/"

echo "musl-deps: popt" >&2
w popt
# No iconv: popt would convert its help text to the locale, and
# musl's iconv tables are half the size of a tool.
q ./configure --prefix="$P" --disable-shared --enable-static --disable-nls \
	ac_cv_func_iconv=no am_cv_func_iconv=no
q make -j2 -C src
q make -C src install

echo "musl-deps: libcap" >&2
w libcap2
q make -C libcap CC="$CC" BUILD_CC=gcc libcap.a
mkdir -p "$P/include/sys"
cp libcap/libcap.a "$P/lib/" && cp libcap/include/sys/capability.h "$P/include/sys/"

echo "musl-deps: nettle" >&2
w nettle
q ./configure --prefix="$P" --libdir="$P/lib" --disable-shared \
	--enable-static --disable-public-key --disable-documentation \
	--disable-openssl
q make -j2 libnettle.a
q make install-headers
cp libnettle.a "$P/lib/"

echo "musl-deps: libarchive" >&2
w libarchive
q ./configure --prefix="$P" --disable-shared --enable-static \
	--without-xml2 --without-expat --without-openssl --without-nettle \
	--without-lz4 --without-lzma --without-bz2lib --without-libb2 \
	--without-iconv --without-cng --without-mbedtls --disable-acl \
	--disable-xattr --disable-bsdtar --disable-bsdcpio --disable-bsdcat \
	--with-zlib --with-zstd CPPFLAGS="-I$P/include" LDFLAGS="-L$P/lib"
q make -j2 libarchive.la
q make install-libLTLIBRARIES install-includeHEADERS

echo "musl-deps: jansson" >&2
w jansson
# Debian's source has no configure script, only configure.ac and CMake:
# its dozen files are built here directly, with the configuration
# header's few answers for Linux.
sed -e 's/@json_inline@/inline/' -e 's/@json_have_long_long@/1/' \
    -e 's/@json_have_localeconv@/1/' -e 's/@json_have_atomic_builtins@/1/' \
    -e 's/@json_have_sync_builtins@/1/' src/jansson_config.h.in >src/jansson_config.h
for d in STDINT_H UNISTD_H FCNTL_H SYS_STAT_H SYS_TYPES_H SYS_TIME_H \
	 SCHED_H GETPID OPEN READ CLOSE GETTIMEOFDAY SCHED_YIELD LOCALECONV \
	 ATOMIC_BUILTINS SYNC_BUILTINS; do
	echo "#define HAVE_$d 1"
done >src/jansson_private_config.h
for c in src/*.c; do
	# shellcheck disable=SC2086
	q $CC $CFLAGS -DHAVE_CONFIG_H=1 -Isrc -c -o "${c%.c}.o" "$c"
done
q ar rcs "$P/lib/libjansson.a" src/*.o
cp src/jansson.h src/jansson_config.h "$P/include/"

echo "musl-deps: libseccomp" >&2
w libseccomp
q ./configure --prefix="$P" --disable-shared --enable-static --disable-python
q make -j2 -C src libseccomp.la
cp src/.libs/libseccomp.a "$P/lib/" && cp include/seccomp.h include/seccomp-syscalls.h "$P/include/"

echo "$PKGS" >"$P/.done"
