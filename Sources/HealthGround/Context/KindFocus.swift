import Foundation
import HealthRecords
import RecordStore
import TextEmbedding

extension HealthSpace {
    /// The kinds of record a question asks for, named ("my medications", "vacuna") or else implied by
    /// its form ("do I have …", "am I taking …"). Notes are left out: every kind of fact has notes about
    /// it, and a search of notes alone is no narrower than a search of everything.
    /// A kind the question names wins over one its form implies: "do I have any allergies?" asks for
    /// allergies, not conditions.
    static func focusKinds(_ analysis: QuestionAnalysis) -> Set<RecordKind> {
        let named = analysis.kinds.subtracting([.note])
        return named.isEmpty ? analysis.impliedKinds.subtracting([.note]) : named
    }

    /// Kinds whose records state whether they hold now (an active medication, problem or allergy).
    static let statusKinds: Set<RecordKind> = [.medication, .condition, .allergy]
    /// The statuses that mean "holds now".
    static let activeStatuses: Set<String> = ["active", "on-hold", "intended", "recurrence", "relapse"]

    /// Kind-aware retrieval: the candidates of a search over everything, merged with those of the same
    /// search restricted to the kinds the question asks for. A fused score is normalized within its
    /// own list, so the best condition for "do I have diabetes?" scores near the top of the merged list
    /// even when notes that mention diabetes outnumber it in the search over everything; a candidate
    /// found by both keeps its better score.
    ///
    /// For a question about the present, the kinds that have a status are searched among their active
    /// records only, and those come first (between 1.05 and 1.15 times the best score of the search over
    /// everything, in their own order) and are all kept: "what am I taking?" and "do I have any
    /// allergies?" are answered by the active medications and allergies, whatever their wording, not by
    /// the dozens of visit notes whose "Allergies" heading matches the question's words.
    /// - Parameters:
    ///   - question: the question.
    ///   - analysis: how it was read (the kinds it asks for, whether it asks about the present).
    ///   - queryVector: the question's vector, already made.
    ///   - lexicalHits: the lexical ranking of the search over everything, when already made.
    ///   - lexicalQuery: the lexical query (the question, perhaps with lay terms expanded).
    func kindAwareCandidates(
        _ question: String,
        analysis: QuestionAnalysis,
        k: Int,
        filter: SearchFilter,
        mode: SearchMode,
        fusion: FusionMethod,
        scan: ScanKind,
        queryVector: [Float]?,
        lexicalHits: [(rowID: Int64, score: Double)]? = nil,
        lexicalQuery: String
    ) throws -> [Candidate] {
        let general = try candidates(
            question,
            k: k,
            filter: filter,
            mode: mode,
            fusion: fusion,
            scan: scan,
            queryVector: queryVector,
            lexicalHits: lexicalHits
        )
        let kinds = Self.focusKinds(analysis)
        let present = analysis.wantsPresent
        guard !kinds.isEmpty, mode == .hybrid else { return general }
        let current = present ? kinds.intersection(Self.statusKinds) : []
        let plain = kinds.subtracting(current)
        var passes: [(filter: SearchFilter, tiered: Bool)] = []
        if !current.isEmpty {
            var focused = filter
            focused.kinds = filter.kinds.map { $0.intersection(current) } ?? current
            focused.statuses = filter.statuses.map { $0.intersection(Self.activeStatuses) } ?? Self.activeStatuses
            if focused.kinds?.isEmpty == false, focused.statuses?.isEmpty == false { passes.append((focused, true)) }
        }
        if !plain.isEmpty {
            var focused = filter
            focused.kinds = filter.kinds.map { $0.intersection(plain) } ?? plain
            if focused.kinds?.isEmpty == false, focused.kinds != filter.kinds { passes.append((focused, false)) }
        }
        guard !passes.isEmpty else { return general }
        let top = general.first?.fused.score ?? 1
        var best: [Int64: Candidate] = [:]
        var kept: Set<Int64> = []
        for candidate in general { best[candidate.fused.rowID] = candidate }
        for pass in passes {
            let found = try candidates(
                question,
                k: k,
                filter: pass.filter,
                mode: mode,
                fusion: fusion,
                scan: scan,
                queryVector: queryVector,
                lexicalHits: try store.lexicalSearch(
                    lexicalQuery,
                    filter: pass.filter,
                    limit: Self.poolDepth(k: k, mode: mode)
                )
            )
            for var candidate in found {
                if pass.tiered {
                    candidate.fused.score = top * (1.05 + 0.1 * candidate.fused.score)
                    kept.insert(candidate.fused.rowID)
                }
                if let known = best[candidate.fused.rowID], known.fused.score >= candidate.fused.score { continue }
                best[candidate.fused.rowID] = candidate
            }
        }
        let ranked = best.values.sorted {
            $0.fused.score != $1.fused.score ? $0.fused.score > $1.fused.score : $0.fused.rowID < $1.fused.rowID
        }
        return Array(ranked.prefix(max(k, kept.count)))
    }

    /// For a question about the latest or current state: within each group of candidates that are the
    /// same thing (same kind and code, else same kind and title: the yearly flu shots, the repeated
    /// prescriptions of one drug), the scores the group earned go to its members newest first. The
    /// ranking of everything else is unchanged.
    static func newestFirstWithinSameThing(_ candidates: [Candidate]) -> [Candidate] {
        var groups: [String: [Int]] = [:]
        for (index, candidate) in candidates.enumerated() {
            let chunk = candidate.stored.chunk
            guard chunk.role == .fact, chunk.date != nil else { continue }
            let key =
                chunk.codes.first.map { "\(chunk.kind.rawValue)|\($0.system.uri)|\($0.code)" }
                ?? "\(chunk.kind.rawValue)|\(chunk.title.lowercased())"
            groups[key, default: []].append(index)
        }
        var result = candidates
        for members in groups.values where members.count > 1 {
            let scores = members.map { candidates[$0].fused.score }.sorted(by: >)
            let newestFirst = members.sorted {
                (candidates[$0].stored.chunk.date ?? .distantPast) > (candidates[$1].stored.chunk.date ?? .distantPast)
            }
            for (member, score) in zip(newestFirst, scores) { result[member].fused.score = score }
        }
        return result.sorted {
            $0.fused.score != $1.fused.score ? $0.fused.score > $1.fused.score : $0.fused.rowID < $1.fused.rowID
        }
    }
}
