import Foundation
import GroundingEval
import HealthGround
import HealthRecords
import TestSupport
import Testing
import TextEmbedding

/// The snapshot is citable, present-tense questions are answered by active records, and kind-aware
/// retrieval reaches the record of the asked kind (the project's sample patient, a real SQLite space).
@Suite struct FaithfulContextTests {
    static let now = FHIRDate.parse("2025-11-01")!

    @Test("snapshot lines carry labels, record ids and citations, and the prompt shows the labels")
    func citableSnapshot() async throws {
        let (space, folder) = try await ContextTests.space()
        defer { try? FileManager.default.removeItem(at: folder) }
        let context = try await space.context(for: "What am I taking?", now: Self.now)
        let medications = try #require(context.snapshot.sections.first { $0.title == "Active medications" })
        #expect(medications.lines.count == 3)
        for line in medications.lines {
            let label = try #require(line.label)
            #expect(line.recordIDs.count == 1)
            #expect(line.citation?.contains(line.recordIDs[0].rawValue) == true)
            #expect(context.renderedPrompt.contains("[\(label)] \(line.text)"))
            #expect(context.snapshot.line(labelled: label) == line)
        }
        #expect(!medications.lines.contains { $0.text.lowercased().contains("amoxicillin") })
        // JSON round trip: the structure survives.
        let decoded = try JSONDecoder().decode(GroundedContext.self, from: JSONEncoder().encode(context))
        #expect(decoded.snapshot == context.snapshot)
    }

    @Test("CitationCheck verifies [Sn] citations: a known label supports its numbers, an unknown one is reported")
    func snapshotCitationsChecked() async throws {
        let (space, folder) = try await ContextTests.space()
        defer { try? FileManager.default.removeItem(at: folder) }
        let context = try await space.context(for: "What am I taking?", now: Self.now)
        let line = try #require(context.snapshot.lines.first { $0.text.hasPrefix("lisinopril") })
        let label = try #require(line.label)
        let good = CitationCheck.verify(answer: "You take lisinopril 10 MG daily [\(label)].", context: context)
        #expect(good.isClean, "\(good)")
        let wrongNumber = CitationCheck.verify(answer: "You take lisinopril 40 MG [\(label)].", context: context)
        #expect(wrongNumber.unsupportedNumbers == ["40"])
        let unknown = CitationCheck.verify(answer: "You take lisinopril [S999].", context: context)
        #expect(unknown.invalidSnapshotCitations == ["S999"])
        #expect(!unknown.isClean)
        #expect(CitationCheck.citationCount(in: "lisinopril [1, \(label)] and [S2]") == 3)
    }

    @Test("a present-tense question ranks the active records of its kind first, in context and in search")
    func presentTense() async throws {
        let (space, folder) = try await ContextTests.space()
        defer { try? FileManager.default.removeItem(at: folder) }
        let active: Set<String> = [
            "MedicationRequest/med-lisinopril", "MedicationRequest/med-metformin", "MedicationRequest/med-atorvastatin",
        ]
        for question in [
            "What medications am I currently taking?", "¿Qué medicamentos tomo actualmente?",
            "Quels médicaments est-ce que je prends en ce moment ?",
        ] {
            let analysis = QuestionAnalysis(question, now: Self.now)
            #expect(analysis.wantsPresent, "\(question)")
            let context = try await space.context(for: question, now: Self.now)
            #expect(Set(context.evidence.prefix(3).map(\.recordID.rawValue)) == active, "\(question)")
            let hits = try await space.search(question, k: 3)
            #expect(Set(hits.map(\.chunk.recordID.rawValue)) == active, "\(question)")
        }
    }

    @Test("'when was my last …' puts the newest of a repeated record first in search")
    func newestOfRepeated() async throws {
        let (space, folder) = try await ContextTests.space()
        defer { try? FileManager.default.removeItem(at: folder) }
        let hits = try await space.search("When was my last flu shot?", k: 5)
        let flu = hits.filter { $0.chunk.title.hasPrefix("Influenza") }
        #expect(flu.first?.chunk.recordID.rawValue == "Immunization/imm-flu-2025")
    }

    @Test("a word found only in records of another kind does not answer a question about a narrow kind")
    func kindScopedSufficiency() async throws {
        let (space, folder) = try await ContextTests.space()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Sinusitis is a condition of this patient, not a vaccine or a medication.
        let condition = try await space.context(for: "Did I have sinusitis?", now: Self.now)
        #expect(condition.sufficiency.isSufficient)
        let vaccine = try await space.context(for: "Did I get a sinusitis vaccine?", now: Self.now)
        #expect(!vaccine.sufficiency.isSufficient)
        #expect(vaccine.sufficiency.missingTerms.contains("sinusitis"))
    }

    @Test("question forms imply kinds; a named kind wins")
    func impliedKinds() {
        #expect(QuestionAnalysis("Do I have diabetes?", now: Self.now).impliedKinds == [.condition])
        #expect(QuestionAnalysis("Is there anything I take for my blood pressure?").impliedKinds.contains(.medication))
        let allergies = QuestionAnalysis("Do I have any allergies?", now: Self.now)
        #expect(allergies.kinds == [.allergy] && allergies.wantsPresent)
        #expect(!QuestionAnalysis("Have I ever had chickenpox?", now: Self.now).wantsPresent)
        #expect(QuestionAnalysis("¿Tengo alergias?", now: Self.now).kinds == [.allergy])
    }

    @Test(
        "the held-out question set reads: patients, parts by person, and a bulk patient's own records only",
        .enabled(if: SharedData.isAvailable, "needs ../shared/corpora")
    )
    func recordQuestionSet() throws {
        let evaluation = try ContextEvaluation(
            folder: SharedData.packageRoot.appendingPathComponent("eval/record-questions")
        )
        #expect(evaluation.questions.count >= 60)
        #expect(Set(evaluation.questions.map(\.split)) == ["dev", "test"])
        for patient in evaluation.patients {
            let parts = Set(evaluation.questions.filter { $0.patient == patient.id }.map(\.split))
            #expect(parts.count <= 1, "\(patient.id)'s questions are in one part")
        }
        let bulk = try #require(evaluation.patients.first { $0.patient != nil })
        let folder = try SharedData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let patientID = try #require(bulk.patient)
        let files = try ContextEvaluation.materialize(
            bulk,
            corpora: SharedData.root.appendingPathComponent("corpora"),
            into: folder
        )
        let conditions = try String(
            contentsOf: try #require(files.first).appendingPathComponent("Condition.000.ndjson"),
            encoding: .utf8
        )
        let lines = conditions.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.contains(patientID) })
    }
}
