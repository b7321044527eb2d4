public import Foundation
public import HealthGround
import HealthRecords

/// Scores ``HealthSpace/context(for:budget:asOf:now:)`` on questions about a person's records:
/// whether the top evidence holds the records that answer each question, and whether the
/// sufficiency signal is right (answerable questions sufficient, unanswerable ones not).
public struct ContextEvaluation: Sendable {
    /// One question with its answer records.
    public struct Question: Sendable, Codable, Hashable {
        /// The query id.
        public var id: String
        /// The question.
        public var text: String
        /// The question's type (`latest`, `trend`, `medication`, `unanswerable`, …).
        public var type: String
        /// `any`: one relevant record answers; `all`: every one is needed.
        public var needs: String
        /// The record ids that answer it (empty when the records do not).
        public var relevant: [String]
        /// The person it is about (a ``Patient`` id), when the set covers several people.
        public var patient: String?
        /// The part it belongs to: `dev` (read while tuning) or `test` (held out).
        public var split: String
    }

    /// One person of a set that covers several: the record files (relative to the corpora folder) that
    /// make up their space.
    public struct Patient: Sendable, Codable, Hashable {
        /// The id questions name.
        public var id: String
        /// Files or folders, relative to the corpora folder.
        public var files: [String]
        /// For a bulk export of several people: the Patient resource id whose resources are kept.
        public var patient: String?
        /// The day the answers assume (`YYYY-MM-DD`): the reference date for "current" and "last".
        public var now: String?
        /// The part this person's questions belong to (the set is split by person, so that what is
        /// learned on one person's records is not measured on the same records).
        public var split: String?

        enum CodingKeys: String, CodingKey {
            case id = "_id"
            case files, patient, now, split
        }
    }

    /// One question's outcome.
    public struct Outcome: Sendable, Codable, Hashable {
        /// The question.
        public var question: Question
        /// Whether the top `k` evidence items hold the answer (per `needs`).
        public var answeredAtK: Bool
        /// Relevant records found in the top `k` ÷ relevant records.
        public var recallAtK: Double
        /// The sufficiency verdict.
        public var sufficient: Bool
        /// Whether the verdict matches the question being answerable.
        public var sufficiencyCorrect: Bool
        /// The record ids the top `k` evidence items cover.
        public var retrieved: [String]
        /// Whether the top `k` search hits (hybrid search, the question as the query) hold the answer.
        public var searchAnsweredAtK: Bool
        /// Whether the answer is in a cited line of the context's snapshot.
        public var inSnapshot: Bool
    }

    /// The figures over all questions.
    public struct Summary: Sendable, Codable {
        /// The `k` of the `@k` figures.
        public var k: Int
        /// Questions, and of them answerable.
        public var questions: Int
        /// Answerable questions.
        public var answerable: Int
        /// The part the figures cover: `dev`, `test` or `all`.
        public var split: String
        /// Share of answerable questions whose answer is in the top `k`.
        public var answeredAtK: Double
        /// Share of answerable questions whose answer is in the top `k` hits of plain search.
        public var searchAnsweredAtK: Double
        /// Share of answerable questions whose answer is in the top `k` evidence items or a cited
        /// snapshot line.
        public var answeredWithSnapshot: Double
        /// Mean recall@k over answerable questions.
        public var recallAtK: Double
        /// Share of all questions whose sufficiency verdict is right.
        public var sufficiencyAccuracy: Double
        /// Share of unanswerable questions judged insufficient.
        public var unanswerableDetected: Double
        /// Answered@k by question type.
        public var answeredByType: [String: Double]
        /// Every question's outcome.
        public var outcomes: [Outcome]
    }

    /// The questions.
    public var questions: [Question]
    /// The people, for a set over several (`patients.jsonl`); empty when the set is about one person
    /// whose records the caller gives.
    public var patients: [Patient]

    /// Reads a BEIR-layout folder: `queries.jsonl` (with optional `type`, `needs`, `patient`, `split`),
    /// `qrels/test.tsv`, and, for a set over several people, `patients.jsonl`. Unlike a retrieval
    /// benchmark, questions without judgments are kept: they are the unanswerable ones. A question with
    /// no `split` is `dev`.
    /// - Throws: ``EvalError`` naming the file and line that cannot be read.
    public init(folder: URL) throws {
        struct Line: Decodable {
            var id: String
            var text: String
            var type: String?
            var needs: String?
            var patient: String?
            var split: String?

            enum CodingKeys: String, CodingKey {
                case id = "_id"
                case text, type, needs, patient, split
            }
        }
        let judgments = try BEIRDataset.parseQrels(
            InputFiles.contents(of: folder.appendingPathComponent("qrels/test.tsv")),
            file: "qrels/test.tsv"
        )
        let lines = try JSONLines.decode(
            Line.self,
            from: InputFiles.contents(of: folder.appendingPathComponent("queries.jsonl")),
            file: "queries.jsonl"
        )
        questions = lines.map { line in
            Question(
                id: line.id,
                text: line.text,
                type: line.type ?? "other",
                needs: line.needs ?? "any",
                relevant: (judgments[line.id] ?? [:]).filter { $0.value > 0 }.keys.sorted(),
                patient: line.patient,
                split: line.split ?? "dev"
            )
        }
        let patientsFile = folder.appendingPathComponent("patients.jsonl")
        patients =
            FileManager.default.fileExists(atPath: patientsFile.path)
            ? try JSONLines.decode(Patient.self, from: InputFiles.contents(of: patientsFile), file: "patients.jsonl")
            : []
        let known = Set(patients.map(\.id))
        for (index, question) in questions.enumerated() {
            if let patient = question.patient, !known.contains(patient) {
                throw EvalError(
                    .invalidInput,
                    "queries.jsonl line \(index + 1): question \(question.id) names patient \(patient), "
                        + "which patients.jsonl does not list"
                )
            }
            if !["dev", "test"].contains(question.split) {
                throw EvalError(
                    .invalidInput,
                    "queries.jsonl line \(index + 1): split is dev or test, not \(question.split)"
                )
            }
        }
    }

    /// Writes a person's record files into `folder`: the files as they are, or, for a person of a bulk
    /// export (``Patient/patient``), only the NDJSON lines that name their Patient id (a resource about
    /// them references it; resources of other people never contain it).
    /// - Returns: the files or folders to ingest.
    public static func materialize(_ patient: Patient, corpora: URL, into folder: URL) throws -> [URL] {
        let sources = patient.files.map { corpora.appendingPathComponent($0) }
        guard let id = patient.patient else { return sources }
        let manager = FileManager.default
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        var files: [URL] = []
        for source in sources {
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: source.path, isDirectory: &isFolder) else {
                throw EvalError(.unreadableInput, "no such file or folder: \(source.path)")
            }
            files +=
                isFolder.boolValue
                ? try manager.contentsOfDirectory(at: source, includingPropertiesForKeys: nil)
                    .filter { $0.pathExtension == "ndjson" }.sorted { $0.path < $1.path }
                : [source]
        }
        for file in files {
            let text = String(decoding: try InputFiles.contents(of: file), as: UTF8.self)
            let kept = text.split(separator: "\n").filter { $0.contains(id) }
            guard !kept.isEmpty else { continue }
            try (kept.joined(separator: "\n") + "\n").write(
                to: folder.appendingPathComponent(file.lastPathComponent),
                atomically: true,
                encoding: .utf8
            )
        }
        return [folder]
    }

    /// Runs every question (or those `selected`) against a space.
    /// - Parameters:
    ///   - space: the space holding the person's records.
    ///   - selected: which questions to run; all by default.
    ///   - k: how many evidence items count.
    ///   - budget: the context's token budget.
    ///   - now: the reference date for recency.
    public func run(
        on space: HealthSpace,
        selected: (Question) -> Bool = { _ in true },
        k: Int = 5,
        budget: Int = 1_500,
        now: Date? = nil
    ) async throws -> Summary {
        Self.summarize(try await outcomes(on: space, selected: selected, k: k, budget: budget, now: now), k: k)
    }

    /// Each selected question's outcome against a space.
    public func outcomes(
        on space: HealthSpace,
        selected: (Question) -> Bool = { _ in true },
        k: Int = 5,
        budget: Int = 1_500,
        now: Date? = nil
    ) async throws -> [Outcome] {
        let records = try await space.records()
        var dayOfRecord: [String: String] = [:]
        for record in records {
            if let date = record.date { dayOfRecord[record.id.rawValue] = FHIRDate.day(date) }
        }
        var outcomes: [Outcome] = []
        for question in questions where selected(question) {
            let context = try await space.context(for: question.text, budget: budget, now: now)
            var covered: [String] = []
            for item in context.evidence.prefix(k) {
                covered.append(item.recordID.rawValue)
                // A series shows some of its values (first, last, extremes, the most recent): it covers
                // the records whose day appears in its text.
                for source in item.sourceRecordIDs where item.role == .series {
                    if let day = dayOfRecord[source.rawValue], item.text.contains(day) {
                        covered.append(source.rawValue)
                    }
                }
            }
            let coveredSet = Set(covered)
            let found = question.relevant.filter { coveredSet.contains($0) }
            let answerable = !question.relevant.isEmpty
            let hits = try await space.search(question.text, k: k)
            var searched: Set<String> = []
            for hit in hits {
                searched.insert(hit.chunk.recordID.rawValue)
                for source in hit.chunk.sourceRecordIDs where hit.chunk.role == .series {
                    if let day = dayOfRecord[source.rawValue], hit.chunk.text.contains(day) {
                        searched.insert(source.rawValue)
                    }
                }
            }
            let searchFound = question.relevant.filter { searched.contains($0) }
            let snapshotIDs = Set(context.snapshot.lines.flatMap(\.recordIDs).map(\.rawValue))
            let withSnapshot = question.relevant.filter { coveredSet.contains($0) || snapshotIDs.contains($0) }
            func complete(_ found: [String]) -> Bool {
                answerable && (question.needs == "all" ? found.count == question.relevant.count : !found.isEmpty)
            }
            outcomes.append(
                Outcome(
                    question: question,
                    answeredAtK: complete(found),
                    recallAtK: answerable ? Double(found.count) / Double(question.relevant.count) : 0,
                    sufficient: context.sufficiency.isSufficient,
                    sufficiencyCorrect: context.sufficiency.isSufficient == answerable,
                    retrieved: covered,
                    searchAnsweredAtK: complete(searchFound),
                    inSnapshot: complete(withSnapshot)
                )
            )
        }
        return outcomes
    }

    /// The figures over some outcomes.
    public static func summarize(_ outcomes: [Outcome], k: Int, split: String = "all") -> Summary {
        let answerable = outcomes.filter { !$0.question.relevant.isEmpty }
        let unanswerable = outcomes.filter { $0.question.relevant.isEmpty }
        func share(_ items: [Outcome], _ test: (Outcome) -> Bool) -> Double {
            items.isEmpty ? 0 : Double(items.filter(test).count) / Double(items.count)
        }
        var byType: [String: Double] = [:]
        for type in Set(answerable.map(\.question.type)) {
            byType[type] = share(answerable.filter { $0.question.type == type }) { $0.answeredAtK }
        }
        return Summary(
            k: k,
            questions: outcomes.count,
            answerable: answerable.count,
            split: split,
            answeredAtK: share(answerable) { $0.answeredAtK },
            searchAnsweredAtK: share(answerable) { $0.searchAnsweredAtK },
            answeredWithSnapshot: share(answerable) { $0.inSnapshot },
            recallAtK: answerable.isEmpty ? 0 : answerable.map(\.recallAtK).reduce(0, +) / Double(answerable.count),
            sufficiencyAccuracy: share(outcomes) { $0.sufficiencyCorrect },
            unanswerableDetected: share(unanswerable) { !$0.sufficient },
            answeredByType: byType,
            outcomes: outcomes
        )
    }
}
