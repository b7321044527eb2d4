import ArgumentParser
import Foundation
import Guardrails
import HealthGround

/// `healthground check --context FILE --answer FILE`: check a draft answer.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a draft answer: allow, revise (with reasons and text to add) or escalate."
    )

    @OptionGroup var guardrailOptions: GuardrailOptions
    @Option(help: "A JSON file: {\"level\": \"urgent\", \"evidence\": [{\"number\": 1, \"text\": \"…\"}]}.")
    var context: String
    @Option(help: "A text file with the draft answer.")
    var answer: String
    @Flag(help: "Print the verdict as JSON.") var json = false

    func run() async throws {
        let guardrails = try guardrailOptions.guardrails()
        let contextData = try Data(contentsOf: URL(fileURLWithPath: context))
        let evidence: EvidenceContext
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        if let plain = try? decoder.decode(EvidenceContext.self, from: contextData) {
            evidence = plain
        } else if let grounded = try? decoder.decode(GroundedContext.self, from: contextData) {
            // The output of `healthground context --json`.
            evidence = grounded.answerCheckContext
        } else {
            throw ValidationError(
                "\(context) is neither `healthground context --json` output nor an evidence context (level, evidence)"
            )
        }
        let text = try String(contentsOf: URL(fileURLWithPath: answer), encoding: .utf8)
        let verdict = guardrails.check(answer: text, context: evidence)
        if json {
            try printJSON(verdict)
        } else {
            print("decision: \(verdict.decision.rawValue)")
            for reason in verdict.reasons {
                print("  \(reason.check.rawValue) at \(reason.span): \(reason.detail)")
                if let add = reason.textToAdd { print("    add: \(add)") }
            }
            if let escalation = verdict.escalation { print("escalation: \(escalation)") }
            if let notice = verdict.reviewNotice { print("note: \(notice)") }
        }
        if verdict.decision != .allow { throw ExitCode(verdict.decision == .escalate ? 3 : 2) }
    }
}
