import VectorSearch

/// The command line of `search-bench`.
struct BenchOptions {
    /// The base vectors (float32, N×d).
    var vectors = ""
    /// The queries (float32, Q×d).
    var queries = ""
    /// The ground truth (int32, Q×k' with k' ≥ k), optional.
    var truth: String?
    /// The dataset's name, copied to the output.
    var name = ""
    /// The vectors' dimension.
    var dimension = 0
    /// BLAS threads (and threads for the bandwidth read).
    var threads = 1
    /// Queries timed one by one.
    var single = 200
    /// Queries run before timing.
    var warmup = 10
    /// Milliseconds of sleep before each timed single query (`--gap-ms`): 0 times back-to-back
    /// queries; a gap past 0.2 ms times isolated ones, whose helper threads have gone to sleep.
    var gapMilliseconds = 0.0
    /// Hits per query.
    var k = 10
    /// Batch sizes not to run.
    var skipBatch: Set<Int> = []
    /// Rows per sgemm tile in the batched search.
    var tileRows: Int?
    /// Size of the buffer read to measure the memory bandwidth.
    var bandwidthMiB = 1_024
    /// Rounds in which exact and int8 single queries alternate (`--rounds`).
    var rounds = 5
    /// Candidates the int8 scan keeps per wanted row (`QuantizedSearch`'s `rescoreFactor`).
    var rescoreFactor = QuantizedSearch.defaultRescoreFactor
    /// How batches compute their first scores (`--batch-products bfloat16|float32`), by default the
    /// fastest the processor has.
    var batchProducts = ExactSearch.BatchProducts.fastest

    static let usage = """
        usage: search-bench --vectors FILE --queries FILE --dim D [--truth FILE] [--name NAME] [--threads T]
                            [--single N] [--warmup N] [--rounds R] [--gap-ms MS] [--k K] [--skip-batch 64|1024]
                            [--tile-rows R] [--bandwidth-mib M] [--batch-products bfloat16|float32]
                            [--rescore-factor F]
        Files are little-endian float32, N×d row-major; the truth file is little-endian int32, one row of
        at least k best row indices per query. Prints one JSON object (see docs/benchmarks.md).
        """

    /// Parses `--name value` pairs.
    init(arguments: [String]) throws {
        var index = 0
        func value() throws -> String {
            index += 1
            guard index < arguments.count else { throw BenchError("\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        func number() throws -> Int {
            let text = try value()
            guard let number = Int(text) else { throw BenchError("\(arguments[index - 1]) needs a whole number") }
            return number
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--vectors": vectors = try value()
            case "--queries": queries = try value()
            case "--truth": truth = try value()
            case "--name": name = try value()
            case "--dim": dimension = try number()
            case "--threads": threads = try number()
            case "--single": single = try number()
            case "--warmup": warmup = try number()
            case "--gap-ms":
                guard let gap = Double(try value()), gap >= 0 else {
                    throw BenchError("--gap-ms needs a number of milliseconds, 0 or more")
                }
                gapMilliseconds = gap
            case "--k": k = try number()
            case "--skip-batch": skipBatch.insert(try number())
            case "--tile-rows": tileRows = try number()
            case "--bandwidth-mib": bandwidthMiB = try number()
            case "--rescore-factor": rescoreFactor = try number()
            case "--rounds": rounds = try number()
            case "--batch-products":
                guard let products = ExactSearch.BatchProducts(rawValue: try value()) else {
                    throw BenchError("--batch-products is bfloat16 or float32")
                }
                batchProducts = products
            default: throw BenchError("unknown option \(arguments[index])")
            }
            index += 1
        }
        guard !vectors.isEmpty, !queries.isEmpty, dimension > 0 else {
            throw BenchError("--vectors, --queries and --dim are required")
        }
        guard threads >= 1, k >= 1, (tileRows ?? 1) >= 1, rescoreFactor >= 1, rounds >= 1 else {
            throw BenchError("threads, k, tile rows, the rescore factor and rounds must be positive")
        }
    }
}
