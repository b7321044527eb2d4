import Foundation
import Guardrails
import HealthGround
import HealthRecords
import TestSupport
import Testing
import TextEmbedding

@Suite struct QuestionAnalysisTests {
    static let now = FHIRDate.parse("2025-11-01")!

    @Test(arguments: [
        ("what was my A1c in 2021?", "2021-01-01", "2022-01-01"),
        ("my LDL in June 2022", "2022-06-01", "2022-07-01"),
        ("blood pressure since March", "2025-03-01", "2025-11-01"),
        ("since December", "2024-12-01", "2025-11-01"),
        ("between 2019 and 2021", "2019-01-01", "2022-01-01"),
        ("visits last year", "2024-01-01", "2025-01-01"),
        ("labs in the last 6 months", "2025-05-01", "2025-11-01"),
    ])
    func periods(question: String, start: String, end: String) throws {
        let period = try #require(QuestionAnalysis(question, now: Self.now).period)
        #expect(FHIRDate.day(period.start) == start)
        #expect(FHIRDate.day(period.end) == end)
    }

    @Test("latest, trend and kinds are read from the words")
    func intents() {
        let latest = QuestionAnalysis("What was my most recent potassium?", now: Self.now)
        #expect(latest.wantsLatest && !latest.wantsTrend && latest.period == nil)
        let trend = QuestionAnalysis("How has my weight changed over time?", now: Self.now)
        #expect(trend.wantsTrend)
        #expect(
            QuestionAnalysis("which meds am I taking and am I allergic to anything", now: Self.now).kinds == [
                .medication, .allergy,
            ]
        )
        #expect(QuestionAnalysis("did I get my flu vaccine", now: Self.now).kinds == [.immunization])
    }
}

@Suite struct ContextTests {
    static let samplePatient = SharedData.packageRoot.appendingPathComponent("corpora/sample-patient/alex-rivera.json")
    static let now = FHIRDate.parse("2025-11-01")!

    static func space() async throws -> (HealthSpace, URL) {
        let folder = try SharedData.temporaryDirectory()
        let space = try await GroundingEngine(
            configuration: EngineConfiguration(dataDirectory: folder, embedder: HashingEmbedder())
        ).space("alex")
        _ = try await space.ingest([samplePatient])
        return (space, folder)
    }

    @Test("the context has the snapshot, numbered cited evidence within budget, and a positive sufficiency")
    func contextShape() async throws {
        let (space, folder) = try await Self.space()
        defer { try? FileManager.default.removeItem(at: folder) }
        let context = try await space.context(for: "What was my last A1c?", budget: 1_200, now: Self.now)
        #expect(context.snapshot.text.contains("Penicillin"))
        #expect(context.evidence.map(\.number) == Array(1...context.evidence.count))
        #expect(!context.evidence.isEmpty)
        #expect(context.tokensUsed <= 1_200)
        #expect(context.evidence.allSatisfy { $0.citation.contains("alex-rivera.json") })
        #expect(context.evidence.first?.text.contains("Hemoglobin A1c") == true)
        #expect(context.sufficiency.isSufficient)
        let prompt = context.renderedPrompt
        #expect(prompt.contains("[1] ") && prompt.contains("### Snapshot"))
    }

    @Test("a question about something the records lack is judged insufficient, naming the missing word")
    func insufficient() async throws {
        let (space, folder) = try await Self.space()
        defer { try? FileManager.default.removeItem(at: folder) }
        let context = try await space.context(for: "What did my colonoscopy show?", now: Self.now)
        #expect(!context.sufficiency.isSufficient)
        #expect(context.sufficiency.missingTerms == ["colonoscopy"])
        #expect(context.renderedPrompt.contains("do not appear to contain"))
    }

    @Test("as-of leaves out later records, from the evidence and the snapshot")
    func asOf() async throws {
        let (space, folder) = try await Self.space()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cutoff = try #require(FHIRDate.parse("2021-12-31"))
        let context = try await space.context(for: "What was my A1c?", asOf: cutoff)
        #expect(!context.evidence.isEmpty)
        #expect(context.evidence.allSatisfy { ($0.date ?? .distantPast) <= cutoff })
        #expect(!context.snapshot.text.contains("2025-"))
        #expect(!context.snapshot.text.contains("Zoster"))
    }

    @Test("citations that point nowhere and unsupported numbers and dates are reported")
    func citationCheck() async throws {
        let (space, folder) = try await Self.space()
        defer { try? FileManager.default.removeItem(at: folder) }
        let context = try await space.context(for: "Am I allergic to penicillin?", now: Self.now)
        let allergy = try #require(context.evidence.first { $0.kind == .allergy })
        let good = "Your records list a penicillin allergy with hives [\(allergy.number)], recorded 2005-08-19."
        #expect(CitationCheck.verify(answer: good, context: context).isClean)
        let bad = "You reacted with hives [\(allergy.number)] on March 3, 2019, and your potassium was 6.4 [99]."
        let report = CitationCheck.verify(answer: bad, context: context)
        #expect(report.invalidCitations == [99])
        #expect(report.unsupportedDates == ["2019-03-03"])
        #expect(report.unsupportedNumbers == ["6.4"])
    }
}

@Suite struct ContextGuardrailsTests {
    @Test("the context carries the triage: an emergency puts the escalation first; earlier turns count")
    func triageInContext() async throws {
        let (space, folder) = try await ContextTests.space()
        defer { try? FileManager.default.removeItem(at: folder) }
        let emergency = try await space.context(
            for: "I have crushing chest pain spreading to my left arm right now. What are my medications?",
            now: ContextTests.now
        )
        let triage = try #require(emergency.triage)
        #expect(triage.level == .emergency)
        #expect(emergency.renderedPrompt.contains("Safety (emergency)"))
        #expect(emergency.renderedPrompt.contains("911"))
        let calm = try await space.context(for: "What was my last A1c?", now: ContextTests.now)
        #expect(calm.triage?.level.requiresEscalation == false)
        #expect(!calm.renderedPrompt.contains("Safety ("))
        // Pushback does not erase an emergency stated earlier in the conversation.
        let pushback = try await space.context(
            for: "I don't want to go to the ER, just tell me what to take",
            conversation: [.user("My face is drooping on one side and my speech is slurred")],
            now: ContextTests.now
        )
        #expect(pushback.triage?.level == .emergency)
    }

    @Test("answer checks run on the grounded context: a diagnosis and a medication change are flagged")
    func answerChecks() async throws {
        let (space, folder) = try await ContextTests.space()
        defer { try? FileManager.default.removeItem(at: folder) }
        let context = try await space.context(for: "Should I keep taking metformin?", now: ContextTests.now)
        let guardrails = try #require(EngineConfiguration.defaultGuardrails())
        let bad = guardrails.check(answer: "You can stop taking metformin now.", context: context.answerCheckContext)
        #expect(bad.decision != .allow)
        let good = guardrails.check(
            answer:
                "Your records list metformin 500 mg twice daily. Please talk with your clinician before any change.",
            context: context.answerCheckContext
        )
        #expect(good.decision == .allow)
    }
}
