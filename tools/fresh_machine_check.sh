#!/usr/bin/env bash
# Prove the README's two commands on a fresh, minimal Debian 12: a root filesystem with only python3, python3-venv,
# python3-pip, make, git and ca-certificates (mmdebstrap, variant minbase), the project copied in (tracked and
# untracked files, no .venv), then inside a chroot, exactly as the README says:
#   1. `make demo` with a display (an Xvfb of this machine, its socket bound into the chroot, as a desktop has):
#      passes when the demo's main window is mapped on that display; a screenshot is kept;
#   2. `make test` (PYTEST_ARGS from FRESH_PYTEST_ARGS when set: a subset, for a shared machine).
# Usage (as root): tools/fresh_machine_check.sh [WORKDIR]     (default: a new folder under /var/tmp)
# Env: FRESH_INCLUDE=a,b,… the packages of the new root filesystem (default above; python3,make,git,ca-certificates
#      shows the set-up asking for python3-venv too); FRESH_ROOTFS=DIR reuses a root filesystem built before (copied, never changed);
#      FRESH_PYTEST_ARGS="tests/ui/test_x.py …" runs that subset; FRESH_DEMO_TIMEOUT (s, default 1200);
#      FRESH_CLEAN=1 removes the root filesystem after a pass (the logs stay).
# Exit: 0 both commands worked, 1 one of them failed, 2 not root, 3 not proved: the Debian mirror or PyPI did not
# answer (building the root filesystem, this machine's tools, or an install inside).
# Needs: unshare; mmdebstrap, Xvfb and xwininfo (x11-utils) are installed with apt-get when absent;
# `import` (ImageMagick, optional: the screenshot). Leaves WORKDIR/log/{steps,demo.log,test.log}, demo.png.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /var/tmp/kuaidan-fresh.XXXXXX)}
root=$work/rootfs
logs=$work/log
mkdir -p "$logs"
[ "$(id -u)" -eq 0 ] || { echo "run as root (mmdebstrap, chroot)" >&2; exit 2; }

step() { echo "== $(date -u +%H:%M:%S) $*" | tee -a "$logs/steps"; }
start=$(date +%s)
elapsed() { echo "$(( $(date +%s) - start ))s"; }

# ---- this machine's tools (not the fresh one's)
need=()
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v Xvfb >/dev/null || need+=(xvfb)
command -v xwininfo >/dev/null || need+=(x11-utils)
if [ ${#need[@]} -gt 0 ]; then
  step "installing on this machine: ${need[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >"$logs/host-tools.log" 2>&1 ||
    { step "could not install ${need[*]}"; exit 3; }
fi

# ---- the minimal root filesystem
if [ -n "${FRESH_ROOTFS:-}" ]; then
  step "copying the root filesystem $FRESH_ROOTFS"
  cp -a "$FRESH_ROOTFS" "$root"
else
  include=${FRESH_INCLUDE:-python3,python3-venv,python3-pip,make,git,ca-certificates}
  step "mmdebstrap: bookworm minbase + $include"
  if ! mmdebstrap --variant=minbase --include="$include" \
    bookworm "$root" http://deb.debian.org/debian >"$logs/mmdebstrap.log" 2>&1; then
    step "could not build the root filesystem (the Debian mirror?): $(tail -1 "$logs/mmdebstrap.log")"
    exit 3
  fi
  # the same suites the host uses, so that `apt-get update` inside sees security updates too
  printf '%s\n' "deb http://deb.debian.org/debian bookworm main" \
    "deb http://deb.debian.org/debian bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main" >"$root/etc/apt/sources.list"
fi
# this machine's own certificate authorities (an egress proxy's): the network path, not a package the project needs
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null 2>&1
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
step "and lacks: $(for p in python3-venv python3-pip libgl1 libegl1 libdbus-1-3 libxcb-shape0 libxcb1 libfontconfig1 fonts-wqy-microhei xvfb; do
  chroot "$root" dpkg -s "$p" >/dev/null 2>&1 || printf '%s ' "$p"; done)"

# ---- the project, as a clone has it
mkdir -p "$root/root/kuaidan"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - 2>/dev/null) |
  tar -xf - -C "$root/root/kuaidan"
rm -rf "$root/root/kuaidan/.venv"

# run a command in the chroot: its own mounts (proc, dev, the X socket), a clean environment like a login
in_root() {
  unshare --mount --fork bash -c '
    r=$1; shift
    mount -t proc proc "$r/proc"; mount --rbind /dev "$r/dev"; mount -t tmpfs tmpfs "$r/tmp"
    mkdir -p "$r/tmp/.X11-unix"; [ -d /tmp/.X11-unix ] && mount --bind /tmp/.X11-unix "$r/tmp/.X11-unix"
    exec chroot "$r" env -i HOME=/root USER=root LANG=C.UTF-8 TERM=dumb PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      ${DISPLAY:+DISPLAY=$DISPLAY} PIP_DEFAULT_TIMEOUT=180 bash -c "cd /root/kuaidan && $*"
  ' _ "$root" "$@"
}

# ---- 1. make demo, on a display
n=90; while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
display=:$n
Xvfb "$display" -screen 0 1440x900x24 -nolisten tcp >"$logs/xvfb.log" 2>&1 &
xvfb=$!
trap 'kill "$xvfb" 2>/dev/null || true' EXIT
sleep 1
step "1. make demo (DISPLAY=$display)"
DISPLAY=$display setsid bash -c "$(declare -f in_root); root='$root'; in_root 'make demo'" >"$logs/demo.log" 2>&1 &
demo=$!
demo_ok=no
deadline=$(( $(date +%s) + ${FRESH_DEMO_TIMEOUT:-1200} ))
while [ "$(date +%s)" -lt "$deadline" ] && kill -0 "$demo" 2>/dev/null; do
  if xwininfo -display "$display" -root -tree 2>/dev/null | grep -q '快单\|Kuaidan'; then
    sleep 10  # let it draw the orders
    kill -0 "$demo" 2>/dev/null && demo_ok=yes
    command -v import >/dev/null && import -display "$display" -window root "$work/demo.png" 2>/dev/null || true
    break
  fi
  sleep 2
done
kill -- -"$demo" 2>/dev/null || true
wait "$demo" 2>/dev/null || true
step "1. make demo: main window shown: $demo_ok ($(elapsed)); the set-up said:"
sed -n '/lacks system packages/,/^+ apt-get -q -o Dpkg::Use-Pty=0 update/p' "$logs/demo.log" | tee -a "$logs/steps"

# ---- 2. make test
step "2. make test ${FRESH_PYTEST_ARGS:+(PYTEST_ARGS=$FRESH_PYTEST_ARGS)}"
set +e
in_root "make test ${FRESH_PYTEST_ARGS:+PYTEST_ARGS='$FRESH_PYTEST_ARGS'}" >"$logs/test.log" 2>&1
test_rc=$?
set -e
step "2. make test: exit $test_rc ($(elapsed))"
echo "   pytest said: $(tail -1 "$logs/test.log")" >>"$logs/steps"  # not on stdout: CI reads pytest's last line there

# ---- 3. the set-up again: nothing missing, nothing run
t0=$(date +%s%N)
in_root 'make system-tests' >"$logs/again.log" 2>&1
step "3. set-up again: $(( ($(date +%s%N) - t0) / 1000000 )) ms, said: $(grep -c . "$logs/again.log") lines"

if [ "$demo_ok" = yes ] && [ "$test_rc" -eq 0 ]; then
  step "PASS ($work)"
  [ -z "${FRESH_CLEAN:-}" ] || rm -rf "$root"
  exit 0
fi
if grep -qE "Temporary failure resolving|Failed to fetch|Could not resolve|ReadTimeoutError|ConnectTimeoutError|No matching distribution found" \
  "$logs/demo.log" "$logs/test.log" 2>/dev/null; then
  step "NOT PROVED ($work): a package registry did not answer (see $logs)"
  exit 3
fi
step "FAIL ($work): the logs are in $logs"
exit 1
