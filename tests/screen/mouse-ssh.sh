# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) 2026 the cityops authors; see LICENSE.
# The mouse over SSH (issue 14: "works in tmux and over SSH"): the console
# runs on the far side of an ssh -tt session to a throw-away sshd on a
# loopback port (its own host key, config, authorized key and pid file, all
# in a temporary folder), in tmux; the mouse reports tmux sends travel
# through ssh's terminal to the console, and the console's request for
# them travels back. The same checks as screen/mouse: a click selects, the
# wheel scrolls, a double-click opens, a click while typing types nothing.
# Skipped (77) only when Debian's sshd is not installed or will not start.
. "$(dirname "$0")/../lib.sh"
scratch_db
. "$(dirname "$0")/../screen-lib.sh"
. "$(dirname "$0")/../mouse-checks.sh"

SSHD=/usr/sbin/sshd
[ -x "$SSHD" ] || { echo "skipped: $SSHD not installed (Debian openssh-server)" >&2; exit 77; }
command -v ssh >/dev/null || { echo "skipped: ssh not installed (Debian openssh-client)" >&2; exit 77; }

SSH_DIR=$(mktemp -d)
sshd_pid=
ssh_cleanup() {
	[ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null
	rm -rf "$SSH_DIR"
	screen_cleanup
}
trap ssh_cleanup EXIT

ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$SSH_DIR/user_key"
cp "$SSH_DIR/user_key.pub" "$SSH_DIR/authorized_keys"
# sshd as root needs its privilege separation folder.
[ "$(id -u)" -ne 0 ] || mkdir -p /run/sshd
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$SSH_DIR/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $SSH_DIR/host_key
PidFile $SSH_DIR/sshd.pid
AuthorizedKeysFile $SSH_DIR/authorized_keys
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers $(id -un)
LogLevel INFO
CONF
"$SSHD" -t -f "$SSH_DIR/sshd_config" 2>"$SSH_DIR/sshd.err" ||
	{ echo "skipped: sshd refuses its config: $(cat "$SSH_DIR/sshd.err")" >&2; exit 77; }
"$SSHD" -D -e -f "$SSH_DIR/sshd_config" 2>>"$SSH_DIR/sshd.err" &
sshd_pid=$!

ssh_opts=(-F /dev/null -p "$port" -i "$SSH_DIR/user_key" -o StrictHostKeyChecking=no
	-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes)
end=$((SECONDS + 20))
until ssh "${ssh_opts[@]}" "$(id -un)@127.0.0.1" true 2>/dev/null; do
	if ! kill -0 "$sshd_pid" 2>/dev/null || [ $SECONDS -gt $end ]; then
		echo "skipped: sshd did not start: $(cat "$SSH_DIR/sshd.err")" >&2
		exit 77
	fi
	sleep 0.2
done

# The console as screen_start would run it, but through ssh -tt: the
# environment it was given (terminal, home, database, sanitizer options)
# is passed on the remote command line, as sshd starts a clean one.
wrapper=$SSH_DIR/cityops-over-ssh
{
	echo '#!/bin/bash'
	printf 'real=%q\n' "$CITYOPS"
	printf 'opts=(%s)\n' "$(printf '%q ' "${ssh_opts[@]}")"
	printf 'dest=%q\n' "$(id -un)@127.0.0.1"
	cat <<'WRAP'
envs=()
for v in LANG LC_ALL TERM HOME XDG_STATE_HOME XDG_CONFIG_HOME PGHOST PGPORT \
	PGDATABASE PGUSER PGTZ ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
	[ -n "${!v+x}" ] && envs+=("$v=${!v}")
done
exec ssh -tt "${opts[@]}" "$dest" "$(printf '%q ' env "${envs[@]}" "$real" "$@")"
WRAP
} >"$wrapper"
chmod +x "$wrapper"

CITYOPS=$wrapper mouse_checks
# The console's session was sshd's: a login after the probe's.
logins=$(grep -c 'Accepted publickey' "$SSH_DIR/sshd.err") || true
[ "$logins" -ge 2 ] || fail "the console did not run over ssh ($logins logins):
$(cat "$SSH_DIR/sshd.err")"
echo ok
