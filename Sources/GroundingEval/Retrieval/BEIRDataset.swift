public import Foundation

/// A retrieval benchmark in BEIR's layout: `corpus.jsonl` (`_id`, `title`, `text`), `queries.jsonl`
/// (`_id`, `text`, optional `metadata`), and `qrels/<split>.tsv` (`query-id`, `corpus-id`, `score`, with
/// a header line). Only the queries that have judgments in the split are kept.
public struct BEIRDataset: Sendable {
    /// One corpus document.
    public struct Document: Sendable, Hashable, Decodable {
        /// The document id.
        public var id: String
        /// The title (may be empty).
        public var title: String
        /// The text.
        public var text: String

        enum CodingKeys: String, CodingKey {
            case id = "_id"
            case title, text
        }

        /// Creates a document.
        public init(id: String, title: String, text: String) {
            self.id = id
            self.title = title
            self.text = text
        }

        /// Decodes a corpus line (a missing title is empty).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            title = try container.decodeIfPresent(String.self, forKey: .title) ?? ""
            text = try container.decode(String.self, forKey: .text)
        }
    }

    /// One query.
    public struct Query: Sendable, Hashable, Decodable {
        /// The query id.
        public var id: String
        /// The query text.
        public var text: String
        /// The query type, from `type`, `metadata.type` or `metadata.query_type` when the line has one.
        public var type: String?

        enum CodingKeys: String, CodingKey {
            case id = "_id"
            case text, metadata, type
        }

        /// Creates a query.
        public init(id: String, text: String, type: String? = nil) {
            self.id = id
            self.text = text
            self.type = type
        }

        /// Decodes a queries line.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            text = try container.decode(String.self, forKey: .text)
            let metadata = try? container.decodeIfPresent([String: String].self, forKey: .metadata)
            let topLevel = try? container.decodeIfPresent(String.self, forKey: .type)
            type = topLevel ?? metadata?["type"] ?? metadata?["query_type"]
        }
    }

    /// The corpus.
    public var documents: [Document]
    /// The judged queries, in file order.
    public var queries: [Query]
    /// Graded relevance by query id and document id (0 = judged not relevant).
    public var judgments: [String: [String: Int]]

    /// Creates a dataset from parts.
    public init(documents: [Document], queries: [Query], judgments: [String: [String: Int]]) {
        self.documents = documents
        self.queries = queries
        self.judgments = judgments
    }

    /// Reads a BEIR folder.
    /// - Parameters:
    ///   - folder: the folder with `corpus.jsonl`, `queries.jsonl` and `qrels/`.
    ///   - split: the qrels file name without `.tsv`.
    /// - Throws: ``EvalError`` naming the file and line that cannot be read.
    public static func load(from folder: URL, split: String = "test") throws -> BEIRDataset {
        let documents = try JSONLines.decode(
            Document.self,
            from: InputFiles.contents(of: folder.appendingPathComponent("corpus.jsonl")),
            file: "corpus.jsonl"
        )
        let allQueries = try JSONLines.decode(
            Query.self,
            from: InputFiles.contents(of: folder.appendingPathComponent("queries.jsonl")),
            file: "queries.jsonl"
        )
        let qrelsName = "qrels/\(split).tsv"
        let judgments = try parseQrels(
            InputFiles.contents(of: folder.appendingPathComponent(qrelsName)),
            file: qrelsName
        )
        return BEIRDataset(
            documents: documents,
            queries: allQueries.filter { judgments[$0.id] != nil },
            judgments: judgments
        )
    }

    /// Parses a qrels TSV (`query-id`, `corpus-id`, `score`), skipping a header line.
    static func parseQrels(_ data: Data, file: String) throws -> [String: [String: Int]] {
        var judgments: [String: [String: Int]] = [:]
        let text = String(decoding: data, as: UTF8.self)
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " || $0 == "\r" })
            if fields.isEmpty { continue }
            if index == 0 && fields.first == "query-id" { continue }
            guard fields.count >= 3, let score = Int(fields[2]) else {
                throw EvalError(.invalidInput, "\(file) line \(index + 1): expected query-id, corpus-id, score")
            }
            judgments[String(fields[0]), default: [:]][String(fields[1])] = score
        }
        return judgments
    }
}
