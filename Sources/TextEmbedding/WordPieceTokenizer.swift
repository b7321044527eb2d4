public import Foundation

/// BERT's uncased tokenizer, as the `BertNormalizer` + `BertPreTokenizer` + `WordPiece` pipeline of
/// the `tokenizer.json` that ships with all-MiniLM-L6-v2.
///
/// 1. Normalize (``normalizedScalars(_:)``): drop NUL, U+FFFD and control characters, turn white
///    space into spaces, put spaces around CJK ideographs, decompose (NFD) and drop non-spacing
///    marks, lower-case each scalar.
/// 2. Split on white space, and isolate each punctuation scalar (ASCII punctuation and Unicode `P*`).
/// 3. Split each word greedily into the longest vocabulary pieces, `##` marking a continuation; a
///    word longer than 100 scalars, or one that cannot be split, becomes `[UNK]`.
/// 4. Keep at most `maximumLength - 2` pieces and wrap them in `[CLS]` … `[SEP]`.
///
/// Vocabulary lookups compare UTF-8 bytes, not canonically-equivalent `String`s, as the reference
/// implementation does (Hangul syllables and their jamo are different keys).
///
/// ```swift
/// let tokenizer = try WordPieceTokenizer(vocabulary: folder.appendingPathComponent("vocab.txt"))
/// let ids = tokenizer.tokenIDs(for: "LDL-C")  // [CLS] ldl - c [SEP]
/// ```
public struct WordPieceTokenizer: Sendable {
    /// The id of `[CLS]`, which starts every sequence.
    public let classifierID: Int
    /// The id of `[SEP]`, which ends every sequence.
    public let separatorID: Int
    /// The id of `[UNK]`, for words the vocabulary cannot spell.
    public let unknownID: Int
    /// The most ids a sequence has, `[CLS]` and `[SEP]` included.
    public private(set) var maximumLength: Int
    /// How many entries the vocabulary has.
    public var vocabularySize: Int { ids.count }

    /// Words longer than this many Unicode scalars become `[UNK]`.
    static let maximumWordLength = 100
    private static let continuationPrefix: [UInt8] = Array("##".utf8)

    private let ids: [[UInt8]: Int]

    /// Reads a `vocab.txt` (one piece per line; the line number, from 0, is the id).
    /// - Parameters:
    ///   - vocabulary: the `vocab.txt` file.
    ///   - maximumLength: the longest sequence, specials included (the model's `max_seq_length`).
    /// - Throws: ``EmbeddingError`` when the file cannot be read or lacks `[CLS]`, `[SEP]` or `[UNK]`.
    public init(vocabulary: URL, maximumLength: Int = 256) throws {
        let data: Data
        do {
            data = try Data(contentsOf: vocabulary)
        } catch {
            throw EmbeddingError(.unreadable, file: vocabulary.lastPathComponent, underlying: error)
        }
        var ids: [[UInt8]: Int] = [:]
        var lineStart = data.startIndex
        var line = 0
        for index in data.indices where data[index] == UInt8(ascii: "\n") {
            var end = index
            if end > lineStart, data[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let piece = [UInt8](data[lineStart..<end])
            if ids[piece] == nil { ids[piece] = line }
            line += 1
            lineStart = index + 1
        }
        if lineStart < data.endIndex {
            let piece = [UInt8](data[lineStart..<data.endIndex])
            if ids[piece] == nil { ids[piece] = line }
        }
        func special(_ name: String) throws -> Int {
            guard let id = ids[Array(name.utf8)] else {
                throw EmbeddingError(.malformed, file: vocabulary.lastPathComponent, expected: "a \(name) entry")
            }
            return id
        }
        precondition(maximumLength >= 2, "a sequence holds at least [CLS] and [SEP]")
        self.ids = ids
        self.maximumLength = maximumLength
        classifierID = try special("[CLS]")
        separatorID = try special("[SEP]")
        unknownID = try special("[UNK]")
    }

    /// How many word pieces a text has, however long (no `[CLS]`/`[SEP]`, no truncation): what a
    /// chunker needs to cut text to the model's limit.
    public func pieceCount(_ text: String) -> Int {
        var unlimited = self
        unlimited.maximumLength = Int.max / 2
        return unlimited.tokenIDs(for: text).count - 2
    }

    /// The model's input ids for a text: `[CLS]`, at most `maximumLength - 2` pieces, `[SEP]`.
    public func tokenIDs(for text: String) -> [Int] {
        var result = [classifierID]
        let budget = maximumLength - 1
        var word: [Unicode.Scalar] = []
        var bytes: [UInt8] = []
        var candidate: [UInt8] = []
        var scalarOffsets: [Int] = []

        func flush() -> Bool {
            defer { word.removeAll(keepingCapacity: true) }
            guard !word.isEmpty else { return result.count < budget }
            appendPieces(of: word, to: &result, bytes: &bytes, candidate: &candidate, offsets: &scalarOffsets)
            return result.count < budget
        }

        scan: for scalar in Self.normalizedScalars(text) {
            if Self.isWhitespace(scalar) {
                if !flush() { break scan }
            } else if Self.isPunctuation(scalar) {
                if !flush() { break scan }
                word.append(scalar)
                if !flush() { break scan }
            } else {
                word.append(scalar)
            }
        }
        _ = flush()
        if result.count > budget { result.removeSubrange(budget...) }
        result.append(separatorID)
        return result
    }

    /// Greedy longest-match-first WordPiece for one word; `[UNK]` when it is too long or unspellable.
    private func appendPieces(
        of word: [Unicode.Scalar],
        to result: inout [Int],
        bytes: inout [UInt8],
        candidate: inout [UInt8],
        offsets: inout [Int]
    ) {
        guard word.count <= Self.maximumWordLength else {
            result.append(unknownID)
            return
        }
        bytes.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        for scalar in word {
            offsets.append(bytes.count)
            bytes.append(contentsOf: UTF8.encode(scalar)!)
        }
        offsets.append(bytes.count)
        let firstPiece = result.count
        var start = 0
        while start < word.count {
            var end = word.count
            var found: (id: Int, end: Int)?
            while end > start {
                candidate.removeAll(keepingCapacity: true)
                if start > 0 { candidate.append(contentsOf: Self.continuationPrefix) }
                candidate.append(contentsOf: bytes[offsets[start]..<offsets[end]])
                if let id = ids[candidate] {
                    found = (id, end)
                    break
                }
                end -= 1
            }
            guard let found else {
                result.removeSubrange(firstPiece...)
                result.append(unknownID)
                return
            }
            result.append(found.id)
            start = found.end
        }
    }
}
