public import Foundation
public import Guardrails
import HealthRecords
import RecordStore
import TextEmbedding

extension HealthSpace {
    /// Builds the context an assistant's model should see to answer a question from this person's
    /// records: the snapshot first, then numbered, cited evidence chosen by hybrid search, weighted for
    /// time (recency by kind, explicit periods, "as of"), diversified (MMR), and cut to a token budget;
    /// plus whether the records answer the question at all.
    ///
    /// ```swift
    /// let context = try await space.context(for: "how has my blood pressure changed since 2019?")
    /// print(context.renderedPrompt)      // snapshot + [1] … [n] evidence with citations
    /// if !context.sufficiency.isSufficient { print(context.sufficiency.guidance) }
    /// ```
    /// - Parameters:
    ///   - question: the person's question.
    ///   - conversation: earlier turns, oldest first: the guardrails triage the whole conversation, so
    ///     an emergency stated earlier is not forgotten.
    ///   - budget: tokens for the snapshot and the evidence together (counted with the chunker's counter).
    ///   - asOf: answer as of this date: later records are left out.
    ///   - now: the reference date for recency (defaults to `asOf`, else the current date).
    /// - Returns: the context. The reads it makes are one entry of the audit trail, `read.context`.
    public func context(
        for question: String,
        conversation: [ConversationTurn] = [],
        budget: Int = 1_500,
        asOf: Date? = nil,
        now: Date? = nil
    ) throws -> GroundedContext {
        try auditedAsOne("read.context") {
            try assembleContext(question, conversation: conversation, budget: budget, asOf: asOf, now: now)
        }
    }

    private func assembleContext(
        _ question: String,
        conversation: [ConversationTurn],
        budget: Int,
        asOf: Date?,
        now: Date?
    ) throws -> GroundedContext {
        let reference = now ?? asOf ?? Date()
        let analysis = QuestionAnalysis(question, now: reference)
        let filter = SearchFilter(to: asOf)
        let lexicalQuery = LayTerms.expandedQuery(question)
        let inputs = try retrievalInputs(
            question: question,
            analysis: analysis,
            lexicalQuery: lexicalQuery,
            filter: filter,
            depth: Self.poolDepth(k: 60, mode: .hybrid)
        )
        let queryVector = inputs.questionVector
        let (checkedTerms, absentTerms) = (inputs.checkedTerms, inputs.absentTerms)
        let pool = try kindAwareCandidates(
            question,
            analysis: analysis,
            k: 60,
            filter: filter,
            mode: .hybrid,
            fusion: ContextWeighting.fusion,
            scan: ContextWeighting.scan,
            queryVector: queryVector,
            lexicalHits: inputs.lexicalHits,
            lexicalQuery: lexicalQuery
        ).filter { $0.stored.chunk.role != .snapshot }

        // Time- and kind-aware weighting of the fused scores. A record replaced by a newer one in another
        // file of the space (a medication list re-exported later) counts as replaced, as within one file.
        let records = try self.records()
        let replaced = spaceSupersededIDs(records)
        var weighted = pool.map { candidate in
            var chunk = candidate.stored.chunk
            if !chunk.isSuperseded, chunk.role != .series, replaced.contains(chunk.recordID) {
                chunk.isSuperseded = true
            }
            return (candidate, candidate.fused.score * ContextWeighting.weight(chunk, analysis, reference))
        }
        weighted.sort { $0.1 > $1.1 }

        // Maximal marginal relevance over the chunk vectors, so near-identical readings do not crowd
        // out the rest. Each candidate's redundancy (its highest similarity to a chosen one, at least
        // 0) is updated when a candidate is chosen, so each pair's product is computed once.
        let chosen = maximalMarginalRelevance(weighted, limit: 20)

        // The budget: the snapshot first (at most half), then evidence by rank while it fits.
        let count = configuration.chunker.tokenCount
        let (snapshot, snapshotTokens) = fittedSnapshot(records: records, asOf: asOf, limit: budget / 2)
        var used = snapshotTokens
        var evidence: [GroundedContext.Evidence] = []
        for (candidate, score) in chosen {
            let chunk = candidate.stored.chunk
            let citation = Self.citation(for: chunk)
            let cost: Int
            if let known = derived.evidenceCosts[chunk.id] {
                cost = known
            } else {
                cost = count(chunk.text) + count(citation) + 2
                derived.evidenceCosts[chunk.id] = cost
            }
            guard used + cost <= budget else { continue }
            used += cost
            evidence.append(
                GroundedContext.Evidence(
                    number: evidence.count + 1,
                    text: chunk.text,
                    role: chunk.role,
                    kind: chunk.kind,
                    date: chunk.date,
                    recordID: chunk.recordID,
                    sourceRecordIDs: chunk.sourceRecordIDs,
                    citation: citation,
                    score: score,
                    isSuperseded: chunk.isSuperseded || (chunk.role != .series && replaced.contains(chunk.recordID))
                )
            )
        }
        // A question about a narrow kind is compared by meaning with candidates of that kind only.
        let scope = ContextWeighting.scopedKinds(analysis)
        let sufficiency = judgeSufficiency(
            analysis: analysis,
            checkedTerms: checkedTerms,
            absentTerms: Array(zip(absentTerms, inputs.absentVectors)),
            records: records,
            topDense: pool.compactMap { $0.fused.denseScore }.max() ?? 0,
            candidateRows: pool.filter { scope?.contains($0.stored.chunk.kind) ?? true }
                .prefix(ContextWeighting.meaningCandidates).compactMap(\.matrixRow),
            evidence: evidence
        )
        // The question's vector, already made for retrieval, serves the exemplar net too when the
        // guardrails embed with the same model (they embed sentence by sentence: a one-sentence
        // question is not embedded twice).
        let guardrails = configuration.guardrails
        let sameEmbedder = guardrails?.configuration.embedder?.identity == configuration.embedder.identity
        let triage = guardrails.map { guardrails in
            let prepared = derived.guardrailRecords ?? guardrails.prepare(records: records)
            derived.guardrailRecords = prepared
            return guardrails.triage(
                conversation: conversation + [.user(question)],
                prepared: prepared,
                now: reference,
                knownEmbeddings: sameEmbedder
                    ? [question.trimmingCharacters(in: .whitespacesAndNewlines): queryVector] : [:]
            )
        }
        return GroundedContext(
            question: question,
            asOf: asOf,
            analysis: analysis,
            snapshot: snapshot,
            evidence: evidence,
            sufficiency: sufficiency,
            triage: triage,
            budget: budget,
            tokensUsed: used
        )
    }

    static func citation(for chunk: Chunk) -> String {
        var parts = [chunk.provenance.sourceFile]
        switch chunk.role {
        case .series:
            parts.append("series of \(chunk.sourceRecordIDs.count) results")
        case .snapshot:
            parts.append("summary")
        case .fact, .narrative:
            if let type = chunk.provenance.resourceType, let id = chunk.provenance.resourceID {
                parts.append("\(type)/\(id)")
            } else {
                parts.append(chunk.recordID.rawValue)
            }
        }
        if let date = chunk.date { parts.append(FHIRDate.day(date)) }
        return parts.joined(separator: " · ")
    }

    /// What retrieval needs besides the dense scan, in two halves run at once on two threads (each
    /// about 5–8 ms on a 20,000-chunk space): the question's embedding on one; on the other, the
    /// question's words the records lack (FTS lookups), the lexical ranking, and the lacking words'
    /// embeddings. Each half uses one core (the embedder without its helper threads), so neither
    /// waits for the other's core. The reads count in the caller's audit entry.
    private func retrievalInputs(
        question: String,
        analysis: QuestionAnalysis,
        lexicalQuery: String,
        filter: SearchFilter,
        depth: Int
    ) throws -> RetrievalInputs {
        let store = self.store
        let embedder = configuration.embedder
        let scope = SpaceStore.currentAuditScope
        let halves = RetrievalHalves()
        DispatchQueue.concurrentPerform(iterations: 2) { half in
            if half == 0 {
                halves.question = Result { try embedder.embedOnCallingThread([question])[0] }
                return
            }
            halves.lexical = Result {
                try SpaceStore.withAuditScope(scope) {
                    let (checked, absent) = try Self.lexicallyAbsentTerms(analysis, store: store)
                    let hits = try store.lexicalSearch(lexicalQuery, filter: filter, limit: depth)
                    let vectors = absent.isEmpty ? [] : try embedder.embedOnCallingThread(absent)
                    return (checked, absent, vectors, hits)
                }
            }
        }
        guard let question = halves.question, let lexical = halves.lexical else {
            preconditionFailure("both halves ran")
        }
        let (checked, absent, vectors, hits) = try lexical.get()
        return RetrievalInputs(
            questionVector: try question.get(),
            checkedTerms: checked,
            absentTerms: absent,
            absentVectors: vectors,
            lexicalHits: hits
        )
    }

    /// The question's specific words the records lack as written and as every lay-term alternative
    /// (FTS lookups that stop at the first match), and how many words were checked.
    private static func lexicallyAbsentTerms(
        _ analysis: QuestionAnalysis,
        store: SpaceStore
    ) throws -> (checked: Int, absent: [String]) {
        var absent: [String] = []
        var checked = 0
        // A question that names a narrow kind ("the COVID vaccine", "an inhaler prescribed") is answered
        // only by a record of that kind: its words are looked for there.
        let scope = ContextWeighting.scopedKinds(analysis)
        for term in analysis.terms where term.count >= 3 && !ContextWeighting.genericWords.contains(term) {
            if QuestionAnalysis.kindWords[term] != nil { continue }
            if QuestionAnalysis.kindPrefixes.contains(where: { term.hasPrefix($0.0) }) { continue }
            checked += 1
            if try store.containsLexicalMatch(term, kinds: scope) { continue }
            if try LayTerms.alternatives(for: term).contains(where: { try store.containsLexicalMatch($0, kinds: scope) }
            ) {
                continue
            }
            absent.append(term)
        }
        return (checked, absent)
    }

    /// Sufficient when the evidence is not empty, every kind the question names exists in the records,
    /// and the question's specific words are found in the records — as written (FTS), or close in
    /// meaning to one of the best candidate chunks (each missing word embedded alone) — or when the
    /// dense match is strong.
    /// - Parameters:
    ///   - checkedTerms: how many of the question's words were looked up.
    ///   - absentTerms: those the records lack as written, with their vectors.
    private func judgeSufficiency(
        analysis: QuestionAnalysis,
        checkedTerms checked: Int,
        absentTerms absent: [(String, [Float])],
        records: [ClinicalRecord],
        topDense: Float,
        candidateRows: [Int],
        evidence: [GroundedContext.Evidence]
    ) -> GroundedContext.Sufficiency {
        // Once per change of the records, through a buffer pointer so that no record is copied (a
        // copy retains every field it holds).
        let presentKinds =
            derived.presentKinds
            ?? records.withUnsafeBufferPointer { buffer in
                var kinds: Set<RecordKind> = []
                for index in buffer.indices where buffer[index].assertion == .present {
                    kinds.insert(buffer[index].kind)
                }
                return kinds
            }
        derived.presentKinds = presentKinds
        let missingKinds = analysis.kinds.subtracting(presentKinds).subtracting([.observation])
        var missing: [String] = []
        var byMeaning: [String] = []
        for (term, vector) in absent {
            var best: Float = -1
            for row in candidateRows {
                guard let chunkVector = self.vector(atRow: row) else { continue }
                best = max(best, Self.dot(vector[...], chunkVector))
            }
            if best >= ContextWeighting.termMeaningMatch { byMeaning.append(term) } else { missing.append(term) }
        }
        let coverage = checked == 0 ? 1 : Double(checked - missing.count) / Double(checked)
        var confidence = coverage
        if topDense >= ContextWeighting.strongDenseMatch { confidence = max(confidence, 0.75) }
        if !missingKinds.isEmpty || evidence.isEmpty { confidence = min(confidence, 0.2) }
        let sufficient = confidence >= ContextWeighting.sufficiencyThreshold
        return GroundedContext.Sufficiency(
            isSufficient: sufficient,
            confidence: confidence,
            missingTerms: missing,
            matchedByMeaning: byMeaning,
            topSimilarity: Double(topDense),
            guidance: sufficient
                ? "The records contain information related to this question."
                : "The person's records do not appear to contain this: say so plainly instead of guessing, "
                    + "and suggest asking their clinician."
        )
    }
}

/// What a fitted snapshot depends on besides the records.
struct SnapshotKey: Hashable {
    var asOf: Date?
    var limit: Int
}

/// What context assembly derives from a space's records, computed on first use and dropped, all
/// together, whenever the records change.
struct RecordDerived {
    /// The patient snapshot by "as of" date (nil: now), fitted to half a budget, with its tokens:
    /// building it reads every record, and fitting it counts tokens line by line.
    var snapshots: [SnapshotKey: (snapshot: ContextSnapshot, tokens: Int)] = [:]
    /// The tokens an evidence item costs (its text and citation), by chunk: counting word pieces
    /// dominates assembly otherwise.
    var evidenceCosts: [ChunkID: Int] = [:]
    /// The records as the guardrails' record rules see them.
    var guardrailRecords: PreparedRecords?
    /// The kinds of record the person has (asserted present), for the sufficiency judgement.
    var presentKinds: Set<RecordKind>?
    /// The records that newer ones replace, over the whole space (ingest marks them within one file).
    var supersededIDs: Set<RecordID>?
}

extension HealthSpace {
    /// Picks up to `limit` candidates by maximal marginal relevance: each step takes the one with the
    /// best `λ·score/maxScore − (1−λ)·redundancy`, where redundancy is its highest vector similarity
    /// (at least 0) to those already chosen; the first of equals wins, and a candidate whose text
    /// repeats a chosen one's is dropped.
    /// - Parameter weighted: candidates with their weighted scores, best first.
    func maximalMarginalRelevance(_ weighted: [(Candidate, Double)], limit: Int) -> [(Candidate, Double)] {
        let maxScore = weighted.first?.1 ?? 1
        let lambda = ContextWeighting.mmrLambda
        let vectors = weighted.map { candidate in candidate.0.matrixRow.flatMap { vector(atRow: $0) } }
        var redundancy = [Double](repeating: 0, count: weighted.count)
        var remaining = Array(weighted.indices)
        var chosen: [(Candidate, Double)] = []
        var seenTexts: Set<String> = []
        while !remaining.isEmpty && chosen.count < limit {
            var bestPosition = 0
            var bestValue = -Double.infinity
            for (position, index) in remaining.enumerated() {
                let value = lambda * (weighted[index].1 / maxScore) - (1 - lambda) * redundancy[index]
                if value > bestValue {
                    bestValue = value
                    bestPosition = position
                }
            }
            let picked = remaining.remove(at: bestPosition)
            guard seenTexts.insert(weighted[picked].0.stored.chunk.text).inserted else { continue }
            chosen.append(weighted[picked])
            guard let pickedVector = vectors[picked] else { continue }
            for index in remaining {
                guard let vector = vectors[index] else { continue }
                redundancy[index] = max(redundancy[index], Double(Self.dot(vector, pickedVector)))
            }
        }
        return chosen
    }

    /// The dot product of two rows, summed in order.
    static func dot(_ lhs: ArraySlice<Float>, _ rhs: ArraySlice<Float>) -> Float {
        lhs.withUnsafeBufferPointer { left in
            rhs.withUnsafeBufferPointer { right in
                var sum: Float = 0
                for index in 0..<min(left.count, right.count) { sum += left[index] * right[index] }
                return sum
            }
        }
    }

    /// The records that newer ones replace across every file of the space: ``Supersession`` over all
    /// records, cached until the records change.
    func spaceSupersededIDs(_ records: [ClinicalRecord]) -> Set<RecordID> {
        if let known = derived.supersededIDs { return known }
        let found = Supersession.supersededIDs(in: records)
        derived.supersededIDs = found
        return found
    }

    /// The patient snapshot, cut to `limit` tokens line by line (a section none of whose lines fit is
    /// left out), with its token count; cached until the records change. WordPiece splits at
    /// whitespace, so the lines' token counts add up to the whole text's, and each line is counted once.
    func fittedSnapshot(
        records: [ClinicalRecord],
        asOf: Date?,
        limit: Int
    ) -> (snapshot: ContextSnapshot, tokens: Int) {
        let key = SnapshotKey(asOf: asOf, limit: limit)
        if let cached = derived.snapshots[key] { return cached }
        let count = configuration.chunker.tokenCount
        let byID = Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let snapshot = ContextSnapshot(
            PatientSnapshot(records: records, asOf: asOf),
            records: byID,
            limit: limit,
            count: count
        )
        let fitted = (snapshot: snapshot, tokens: count(snapshot.text))
        derived.snapshots[key] = fitted
        return fitted
    }
}

/// The constants of context assembly, in one place so that calibration changes one file.
enum ContextWeighting {
    /// The fusion of the candidate pool: search's default. On `eval/patient-questions` (MiniLM,
    /// 2026-11-23) the answer was in the top 5 for 56 of 56 answerable questions with it, 53 with RRF.
    static let fusion = FusionMethod.standard

    /// The dense scan of the candidate pool.
    static let scan = ScanKind.int8

    /// MMR trade-off: 1 is pure relevance.
    static let mmrLambda = 0.75
    /// Confidence at or above which the records are judged to answer the question.
    static let sufficiencyThreshold = 0.5
    /// A dense similarity that counts as a strong match on its own.
    static let strongDenseMatch: Float = 0.6
    /// How close (cosine) a missing word must be to a candidate chunk to count as found by meaning.
    static let termMeaningMatch: Float = 0.4
    /// How many of the best candidates a missing word is compared with.
    static let meaningCandidates = 10

    /// Words too general to show that a topic is (or is not) in the records.
    static let genericWords: Set<String> = [
        "doctor", "health", "healthy", "normal", "good", "high", "higher", "lower", "okay", "worry",
        "worried", "mean", "means", "check", "checked", "blood", "body", "feel", "feeling", "take", "taking",
        "started", "start", "stopped", "stop", "better", "worse", "results", "result", "tests", "test", "level",
        "levels", "anything", "something", "everything", "summary", "summarize", "overview", "list", "give",
        "doing", "happened", "look", "looks", "like", "does", "status", "history", "ready", "cardiology",
        "appointment", "upcoming", "next", "need", "know", "there", "what", "which", "times",
        "active", "actifs", "actives", "activos", "activas", "santé", "salud", "problems", "issues",
    ]

    /// The narrow kinds a question names (immunizations, medications, procedures, allergies), within
    /// which its words must be found for the records to answer it; nil when it names none.
    static func scopedKinds(_ analysis: QuestionAnalysis) -> Set<RecordKind>? {
        let scoped = analysis.kinds.intersection([.immunization, .medication, .procedure, .allergy])
        return scoped.isEmpty ? nil : scoped
    }

    /// Half-lives in days for recency weighting, by kind; nil means no decay.
    static func halfLife(_ chunk: Chunk) -> Double? {
        switch chunk.kind {
        case .allergy, .patient, .familyHistory: return nil
        case .condition: return chunk.status == "active" || chunk.status == nil ? nil : 3 * 365
        case .medication: return chunk.status == "active" ? nil : 2 * 365
        case .immunization: return 5 * 365
        case .observation, .activity, .nutrition, .workout: return 365
        case .encounter, .note, .diagnosticReport, .procedure, .carePlan, .goal: return 2 * 365
        }
    }

    /// The multiplier of a chunk's fused score for a question.
    static func weight(_ chunk: Chunk, _ analysis: QuestionAnalysis, _ reference: Date) -> Double {
        var weight = 1.0
        if chunk.isSuperseded { weight *= 0.5 }
        if analysis.kinds.contains(chunk.kind) { weight *= 1.25 }
        if chunk.role == .series { weight *= analysis.wantsTrend ? 1.6 : 1.1 }
        if analysis.wantsPresent { weight *= presentWeight(chunk) }
        if let period = analysis.period, chunk.role != .series {
            if let date = chunk.date, !period.contains(date) { weight *= 0.35 }
        } else if let date = chunk.date, var halfLife = halfLife(chunk), chunk.role != .series {
            if analysis.wantsLatest || analysis.wantsPresent { halfLife /= 3 }
            let age = max(0, reference.timeIntervalSince(date) / 86_400)
            // For the present, an old note or visit says little: its floor is lower (a 1973 note that
            // says "no active medications" must not answer "what am I taking now?").
            let floor = analysis.wantsPresent && (chunk.kind == .note || chunk.kind == .encounter) ? 0.1 : 0.35
            weight *= floor + (1 - floor) * pow(0.5, age / halfLife)
        }
        return weight
    }

    /// How a record's status bears on a question about the present: active medications, problems and
    /// allergies state the present; stopped, completed, resolved and refuted ones state the past.
    static func presentWeight(_ chunk: Chunk) -> Double {
        let status = chunk.status?.lowercased()
        switch chunk.kind {
        case .medication:
            switch status {
            case "active", "on-hold", "intended": return 1.5
            case "stopped", "completed", "cancelled", "entered-in-error", "not-taken", "ended": return 0.7
            default: return 1
            }
        case .condition:
            switch status {
            case nil, "active", "recurrence", "relapse": return 1.3
            case "resolved", "inactive", "remission", "refuted", "entered-in-error": return 0.7
            default: return 1
            }
        case .allergy:
            return status == "inactive" || status == "resolved" || status == "refuted" ? 0.7 : 1.2
        default:
            return 1
        }
    }
}

/// The results of ``HealthSpace/retrievalInputs``.
private struct RetrievalInputs {
    let questionVector: [Float]
    let checkedTerms: Int
    let absentTerms: [String]
    let absentVectors: [[Float]]
    let lexicalHits: [(rowID: Int64, score: Double)]
}

/// The two halves' results; each half writes only its own, and both are read after both finished.
private final class RetrievalHalves: @unchecked Sendable {
    var question: Result<[Float], any Error>?
    var lexical: Result<(Int, [String], [[Float]], [(rowID: Int64, score: Double)]), any Error>?
}
