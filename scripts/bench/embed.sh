#!/usr/bin/env bash
# Benchmarks the Swift all-MiniLM-L6-v2 encoder (bfloat16 products where the processor has AVX-512
# BF16, and float32 products on BLAS) against sentence-transformers on PyTorch (CPU; float32, and
# under bfloat16 autocast) and, when it can run the model, ONNX Runtime, on the same texts with 1 and
# 2 threads, and prints a table: texts/s for ~200-token chunks in batches of 32, latency p50/p99 of
# ~16-token queries one at a time, and resident memory. Creates .bench-venv/ from PyPI on first use (a
# few minutes, ~5 GB), builds `healthground` in release mode, then runs for about 6–9 minutes on a
# 2-core machine.
#
#   scripts/bench/embed.sh            # threads 1 and 2
#   THREADS="1" scripts/bench/embed.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

MODEL_DIR="${HEALTHGROUND_MODEL_DIR:-$PWD/models/all-MiniLM-L6-v2}"
CORPUS="${HEALTHGROUND_SHARED:-$PWD/../shared}/corpora/synthea-bulk-ndjson/DocumentReference.000.ndjson"
THREADS="${THREADS:-1 2}"
VENV=.bench-venv
PY="$VENV/bin/python"
HELPER=scripts/bench/embed_bench.py
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

[ -f "$MODEL_DIR/model.safetensors" ] || { echo "no model in $MODEL_DIR: run scripts/setup.sh" >&2; exit 1; }
[ -f "$CORPUS" ] || { echo "no benchmark texts at $CORPUS (../shared/ beside the checkout)" >&2; exit 1; }

# The benchmark virtualenv. PyPI's Linux torch wheel is built against CUDA and does not import
# without its nvidia-* libraries (tried: `pip install --no-deps torch` fails on libcudart.so), so torch
# comes with its dependencies (about 4 GB; CUDA is never used: the runs are on the CPU).
if ! "$PY" -c 'import torch, sentence_transformers' 2>/dev/null; then
    echo "== creating $VENV (PyPI)" >&2
    python3 -m venv "$VENV"
    "$PY" -m pip install -q --upgrade pip
    "$PY" -m pip install -q torch sentence-transformers
fi
"$PY" -c 'import torch; torch.ones(2) @ torch.ones(2)'
ONNX=""
if "$PY" -c 'import onnxruntime, onnx' 2>/dev/null || "$PY" -m pip install -q onnxruntime onnx 2>/dev/null; then
    if "$PY" "$HELPER" export-onnx "$MODEL_DIR" "$WORK/model.onnx" >"$WORK/onnx-export.log" 2>&1; then
        ONNX="$WORK/model.onnx"
    else
        echo "== ONNX Runtime skipped: the ONNX export failed (see below)" >&2
        tail -3 "$WORK/onnx-export.log" >&2
    fi
else
    echo "== ONNX Runtime skipped: onnxruntime/onnx could not be installed" >&2
fi

echo "== building healthground (release)" >&2
swift build -c release --product healthground >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; exit 1; }
BIN="$(swift build -c release --show-bin-path)/healthground"

"$PY" "$HELPER" texts "$MODEL_DIR" "$CORPUS" "$WORK/texts.json"

for threads in $THREADS; do
    # The default products (bfloat16 where the processor has AVX-512 BF16), then float32 when the
    # default was not float32 already.
    echo "== threads $threads: swift" >&2
    OPENBLAS_NUM_THREADS="$threads" "$BIN" embed --model-dir "$MODEL_DIR" --threads "$threads" \
        --bench "$WORK/texts.json" >"$WORK/swift-$threads.json"
    if ! grep -q '"swift-float32"' "$WORK/swift-$threads.json"; then
        echo "== threads $threads: swift, float32 products" >&2
        OPENBLAS_NUM_THREADS="$threads" "$BIN" embed --model-dir "$MODEL_DIR" --threads "$threads" \
            --precision float32 --bench "$WORK/texts.json" >"$WORK/swift32-$threads.json"
    fi
    echo "== threads $threads: pytorch" >&2
    OMP_NUM_THREADS="$threads" "$PY" "$HELPER" torch "$MODEL_DIR" "$WORK/texts.json" "$threads" \
        >"$WORK/torch-$threads.json"
    # PyTorch under CPU autocast to bfloat16: the same kind of products as our default, for comparison.
    echo "== threads $threads: pytorch, bfloat16 autocast" >&2
    OMP_NUM_THREADS="$threads" "$PY" "$HELPER" torch "$MODEL_DIR" "$WORK/texts.json" "$threads" bfloat16 \
        >"$WORK/torchbf16-$threads.json"
    if [ -n "$ONNX" ]; then
        echo "== threads $threads: onnxruntime" >&2
        OMP_NUM_THREADS="$threads" "$PY" "$HELPER" onnx "$MODEL_DIR" "$WORK/texts.json" "$threads" "$ONNX" \
            >"$WORK/onnx-$threads.json"
    fi
done

echo
echo "host: $(nproc) cores, $(uname -m); BLAS: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)"
"$PY" "$HELPER" table "$WORK"/*-[0-9]*.json
