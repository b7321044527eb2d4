public import Foundation

/// Cuts records into clinically structured chunks.
///
/// Per source file: a fact card per record (``RecordRenderer``) and, for notes and reports, narrative
/// chunks split by their headings and then to at most ``maximumTokens`` tokens with overlap. Over
/// all of a person's records: a series chunk per test, vital sign or metric (``SeriesSummarizer``)
/// and the patient snapshot (``PatientSnapshot``). Records replaced by newer ones are marked.
public struct RecordChunker: Sendable {
    /// Counts tokens as the embedder does; the default approximates WordPiece (a word ≈ 1.3 pieces).
    public var tokenCount: @Sendable (String) -> Int
    /// The most tokens in one narrative chunk (MiniLM reads 256 word pieces, 2 of them special).
    public var maximumTokens: Int
    /// Tokens repeated between consecutive pieces of a long section.
    public var overlapTokens: Int

    /// Creates a chunker.
    public init(
        tokenCount: @escaping @Sendable (String) -> Int = RecordChunker.approximateTokenCount,
        maximumTokens: Int = 254,
        overlapTokens: Int = 32
    ) {
        self.tokenCount = tokenCount
        self.maximumTokens = maximumTokens
        self.overlapTokens = overlapTokens
    }

    /// About 1.3 word pieces per word plus one per punctuation mark.
    public static let approximateTokenCount: @Sendable (String) -> Int = { text in
        var words = 0
        var punctuation = 0
        var inWord = false
        for character in text {
            if character.isLetter || character.isNumber {
                if !inWord { words += 1 }
                inWord = true
            } else {
                inWord = false
                if !character.isWhitespace { punctuation += 1 }
            }
        }
        return (words * 13 + 9) / 10 + punctuation
    }

    /// The chunks of one file's records, in record order: fact cards, then narrative pieces for long text.
    public func chunks(for records: [ClinicalRecord]) -> [Chunk] {
        let superseded = Supersession.supersededIDs(in: records)
        var chunks: [Chunk] = []
        for record in records {
            let isSuperseded = superseded.contains(record.id)
            if let text = record.text, record.kind == .note || record.kind == .diagnosticReport,
                tokenCount(text) > maximumTokens / 2
            {
                chunks.append(contentsOf: narrativeChunks(for: record, text: text, superseded: isSuperseded))
            } else {
                chunks.append(factCard(for: record, superseded: isSuperseded))
            }
        }
        return chunks
    }

    /// The chunks derived from all of a person's records: one series per measured code, and the snapshot.
    public func derivedChunks(for records: [ClinicalRecord], asOf: Date? = nil) -> [Chunk] {
        var chunks = SeriesSummarizer.series(in: records).map(\.chunk)
        if let snapshot = PatientSnapshot(records: records, asOf: asOf).chunk { chunks.append(snapshot) }
        return chunks
    }

    func factCard(for record: ClinicalRecord, superseded: Bool) -> Chunk {
        var text = RecordRenderer.text(for: record)
        if superseded { text = "[replaced by a newer record] " + text }
        return Chunk(
            recordID: record.id,
            kind: record.kind,
            role: .fact,
            isSuperseded: superseded,
            category: record.category,
            status: record.status,
            title: record.title,
            text: text,
            date: record.date,
            endDate: record.endDate,
            codes: record.codes,
            provenance: record.provenance
        )
    }

    /// A note's sections (split at headings), each cut to the token limit with overlap, each piece
    /// prefixed with the note's title, date and the section heading so that it stands alone.
    func narrativeChunks(for record: ClinicalRecord, text: String, superseded: Bool) -> [Chunk] {
        let day = record.date.map { " (\(FHIRDate.day($0)))" } ?? ""
        var chunks: [Chunk] = []
        for section in NarrativeSections.split(text) {
            let header =
                "\(RecordRenderer.heading(for: record)): \(record.title)\(day)"
                + (section.heading.map { " — \($0)" } ?? "")
            let budget = max(16, maximumTokens - tokenCount(header) - 1)
            for piece in pieces(of: section.body, budget: budget) {
                chunks.append(
                    Chunk(
                        recordID: record.id,
                        kind: record.kind,
                        role: .narrative,
                        isSuperseded: superseded,
                        category: record.category,
                        status: record.status,
                        title: section.heading.map { "\(record.title) — \($0)" } ?? record.title,
                        text: header + "\n" + piece,
                        date: record.date,
                        endDate: record.endDate,
                        codes: record.codes,
                        provenance: record.provenance
                    )
                )
            }
        }
        return chunks.isEmpty ? [factCard(for: record, superseded: superseded)] : chunks
    }

    /// Word runs of at most `budget` tokens, consecutive runs sharing about ``overlapTokens`` tokens.
    func pieces(of body: String, budget: Int) -> [String] {
        let words = body.split(whereSeparator: \.isWhitespace).map(String.init)
        guard !words.isEmpty else { return [] }
        var pieces: [String] = []
        var start = 0
        while start < words.count {
            var end = start
            var used = 0
            while end < words.count {
                let cost = tokenCount(words[end])
                if used + cost > budget && end > start { break }
                used += cost
                end += 1
            }
            pieces.append(words[start..<end].joined(separator: " "))
            if end >= words.count { break }
            var back = end
            var overlap = 0
            while back > start + 1 && overlap < overlapTokens {
                back -= 1
                overlap += tokenCount(words[back])
            }
            start = max(start + 1, back)
        }
        return pieces
    }
}
