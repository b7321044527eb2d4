"""Helper for scripts/bench/embed.sh: makes the benchmark texts, runs all-MiniLM-L6-v2 under
sentence-transformers/PyTorch or ONNX Runtime with the same measurements as
`healthground embed --bench`, and prints the comparison table.

    embed_bench.py texts MODEL_DIR CORPUS_NDJSON OUT.json
    embed_bench.py torch MODEL_DIR TEXTS.json THREADS
    embed_bench.py onnx MODEL_DIR TEXTS.json THREADS ONNX_FILE
    embed_bench.py table RESULT.json...
"""

import base64
import json
import os
import resource
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

CHUNK_TOKENS = 200  # [CLS] and [SEP] included
QUERY_TOKENS = 16
CHUNKS = 128
QUERIES = 200


def memory(key):
    """A /proc/self/status memory line (VmRSS, VmHWM) in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def make_texts(model_dir, corpus, out):
    """Cuts the Synthea clinical notes into ~200-token chunks and ~16-token queries."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()  # tokenizer.json pads to 128
    words = []
    with open(corpus) as lines:
        for line in lines:
            resource_ = json.loads(line)
            for content in resource_.get("content", []):
                data = content.get("attachment", {}).get("data")
                if data:
                    words.extend(base64.b64decode(data).decode("utf-8", "replace").split())
            if len(words) > 200_000:
                break

    def windows(target, count, step):
        texts, start = [], 0
        while len(texts) < count and start < len(words):
            end = start + 1
            while end < len(words) and len(tokenizer.encode(" ".join(words[start:end + 1])).ids) <= target:
                end += 1
            texts.append(" ".join(words[start:end]))
            start = end + step
        return texts

    chunks = windows(CHUNK_TOKENS, CHUNKS, 0)
    queries = windows(QUERY_TOKENS, QUERIES, 37)
    with open(out, "w") as file:
        json.dump({"chunks": chunks, "queries": queries}, file)


def measure(engine, threads, load_seconds, resident_after_load, embed, texts, count_tokens):
    embed(texts["queries"][:4] + texts["chunks"][:4])  # warm-up
    start = time.perf_counter()
    for index in range(0, len(texts["chunks"]), 32):
        embed(texts["chunks"][index:index + 32])
    chunk_seconds = time.perf_counter() - start
    latencies = []
    for query in texts["queries"]:
        start = time.perf_counter()
        embed([query])
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()

    def percentile(p):
        import math

        return latencies[min(len(latencies) - 1, math.ceil(p * len(latencies)) - 1)]

    def mean_tokens(items):
        return sum(count_tokens(item) for item in items) / len(items)

    print(json.dumps({
        "engine": engine,
        "threads": threads,
        "loadSeconds": load_seconds,
        "chunks": len(texts["chunks"]),
        "chunkTokensMean": mean_tokens(texts["chunks"]),
        "chunksPerSecond": len(texts["chunks"]) / chunk_seconds,
        "queries": len(texts["queries"]),
        "queryTokensMean": mean_tokens(texts["queries"]),
        "queryMillisecondsP50": percentile(0.5),
        "queryMillisecondsP99": percentile(0.99),
        "residentMegabytesAfterLoad": resident_after_load,
        "peakResidentMegabytes": memory("VmHWM"),
    }))


def run_torch(model_dir, texts_file, threads, precision="float32"):
    """PyTorch as sentence-transformers runs it (float32), or under CPU autocast to bfloat16."""
    import contextlib

    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    texts = json.load(open(texts_file))
    start = time.perf_counter()
    model = SentenceTransformer(model_dir, device="cpu", local_files_only=True)
    load_seconds = time.perf_counter() - start
    resident = memory("VmRSS")
    tokenizer = model.tokenizer

    def embed(batch):
        autocast = (torch.autocast("cpu", dtype=torch.bfloat16) if precision == "bfloat16"
                    else contextlib.nullcontext())
        with torch.inference_mode(), autocast:
            return model.encode(batch, batch_size=32, convert_to_tensor=True).float().numpy()

    measure("pytorch" if precision == "float32" else "pytorch-bf16", threads, load_seconds, resident, embed, texts,
            lambda text: len(tokenizer(text, truncation=True, max_length=256)["input_ids"]))


def export_onnx(model_dir, path):
    """Exports the BERT encoder (token embeddings out) to ONNX with the legacy exporter."""
    import torch
    from transformers import AutoModel

    class Encoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = AutoModel.from_pretrained(
                model_dir, local_files_only=True, attn_implementation="eager").eval()

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    ids = torch.ones((2, 8), dtype=torch.long)
    torch.onnx.export(
        Encoder().eval(), (ids, ids, torch.zeros_like(ids)), path,
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["last_hidden_state"],
        dynamic_axes={name: {0: "batch", 1: "sequence"} for name in
                      ["input_ids", "attention_mask", "token_type_ids", "last_hidden_state"]},
        opset_version=17, dynamo=False,
    )
    check_onnx(model_dir, path)


def check_onnx(model_dir, path):
    """Fails unless the exported graph matches sentence-transformers on a padded mixed-length batch."""
    import numpy as np
    import onnxruntime
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

    texts = ["LDL-C", "What was my last cholesterol result?",
             "Metformin 500 mg tablet, take one twice daily with meals. " * 12]
    expected = SentenceTransformer(model_dir, device="cpu", local_files_only=True).encode(texts)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tokenizer.enable_truncation(256)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    actual = onnx_embed(session, tokenizer, texts)
    cosines = (actual * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    print("onnx check: cosines", cosines, file=sys.stderr)
    if cosines.min() < 0.9999:
        sys.exit("the ONNX export does not match sentence-transformers")


def onnx_embed(session, tokenizer, batch):
    import numpy as np

    encodings = tokenizer.encode_batch(batch)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    hidden = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
    summed = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
    return summed / np.linalg.norm(summed, axis=1, keepdims=True)


def run_onnx(model_dir, texts_file, threads, onnx_file):
    import onnxruntime
    from tokenizers import Tokenizer

    texts = json.load(open(texts_file))
    start = time.perf_counter()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(onnx_file, options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tokenizer.enable_truncation(256)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    load_seconds = time.perf_counter() - start
    resident = memory("VmRSS")

    def embed(batch):
        return onnx_embed(session, tokenizer, batch)

    tokenizer_plain = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tokenizer_plain.enable_truncation(256)
    tokenizer_plain.no_padding()
    measure("onnxruntime", threads, load_seconds, resident, embed, texts,
            lambda text: len(tokenizer_plain.encode(text).ids))


def table(files):
    rows = []
    for name in files:
        with open(name) as file:
            rows.append(json.load(file))
    rows.sort(key=lambda row: (row["threads"] or 0, row["engine"]))
    print("| engine | threads | chunks/s (batch 32, ~%d tok) | query p50 ms | query p99 ms (~%d tok) | RSS after load MiB | peak RSS MiB | load s |"
          % (round(rows[0]["chunkTokensMean"]), round(rows[0]["queryTokensMean"])))
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print("| %s | %s | %.1f | %.2f | %.2f | %.0f | %.0f | %.2f |" % (
            row["engine"], row["threads"], row["chunksPerSecond"], row["queryMillisecondsP50"],
            row["queryMillisecondsP99"], row["residentMegabytesAfterLoad"], row["peakResidentMegabytes"],
            row["loadSeconds"]))
    by_threads = {}
    for row in rows:
        by_threads.setdefault(row["threads"], {})[row["engine"]] = row
    for threads, engines in sorted(by_threads.items()):
        for engine in ("swift-bfloat16", "swift-float32"):
            if engine not in engines or "pytorch" not in engines:
                continue
            swift = engines[engine]
            ratio = swift["chunksPerSecond"] / engines["pytorch"]["chunksPerSecond"]
            print("\nthreads %s: %s/PyTorch chunk throughput %.2f×" % (threads, engine, ratio), end="")
            if "pytorch-bf16" in engines:
                print(" (%.2f× PyTorch under bfloat16 autocast)"
                      % (swift["chunksPerSecond"] / engines["pytorch-bf16"]["chunksPerSecond"]), end="")
            if swift.get("chunksPerSecondAtSGEMMRate"):
                print("; 1.5× PyTorch is %.1f chunks/s; the whole forward pass (%.2f GFLOP per chunk) at "
                      "OpenBLAS' best sgemm rate on %s thread(s) (%.1f GFLOP/s) would be %.1f chunks/s"
                      % (1.5 * engines["pytorch"]["chunksPerSecond"], swift["chunkGigaflops"], threads,
                         swift["sgemmGigaflops"], swift["chunksPerSecondAtSGEMMRate"]), end="")
            if engine == "swift-bfloat16" and swift.get("chunksPerSecondAtBFloat16Rate"):
                print("; at our bfloat16 product's rate on one thread (%.1f GFLOP/s) %.1f chunks/s per thread"
                      % (swift["bfloat16Gigaflops"], swift["chunksPerSecondAtBFloat16Rate"]), end="")
    print()


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    if command == "texts":
        make_texts(*arguments)
    elif command == "torch":
        run_torch(arguments[0], arguments[1], int(arguments[2]), *arguments[3:])
    elif command == "export-onnx":
        export_onnx(*arguments)
    elif command == "onnx":
        run_onnx(arguments[0], arguments[1], int(arguments[2]), arguments[3])
    elif command == "table":
        table(arguments)
    else:
        sys.exit("unknown command " + command)
