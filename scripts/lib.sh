# Shared by the scripts in this folder: paths, package set-up and the build.
# Sourced, not run.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=/usr/lib/postgresql/15/bin

# Debian packages the project needs to build, test and run.
PACKAGES=(build-essential cmake pkg-config clang tmux
	libncurses-dev libpq-dev libwebsockets-dev libcjson-dev libreadline-dev
	postgresql-15 postgresql-15-pgtap postgresql-contrib)

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Installs what is missing with apt-get when root; otherwise prints the exact
# command and stops.
ensure_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		say "missing Debian packages: ${missing[*]}"
		say "install them with:"
		say "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
		exit 1
	fi
	say "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >&2 || die "apt-get update failed"
	apt-get install -y -q "${missing[@]}" >&2 || die "apt-get install failed"
}

# build DIR [cmake options...]: configures once, then builds.
build() {
	local dir=$1
	shift
	if [ ! -f "$dir/CMakeCache.txt" ]; then
		cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >&2 ||
			die "cmake configure failed"
	fi
	cmake --build "$dir" -j "$(nproc)" >&2 || die "build failed"
}
