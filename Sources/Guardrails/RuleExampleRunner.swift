/// Runs every rule's must-fire and must-not-fire examples (`healthground rules test`).
public enum RuleExampleRunner {
    /// One example that did not behave as its rule says.
    public struct Failure: Hashable, Sendable, Codable {
        /// The rule.
        public var ruleID: String
        /// The example text (written by the rule's author, not health data of a person).
        public var example: String
        /// Whether the example should have fired.
        public var shouldFire: Bool
    }

    /// The result of a run.
    public struct Result: Hashable, Sendable, Codable {
        /// Examples run.
        public var examplesRun: Int
        /// Examples that misbehaved.
        public var failures: [Failure]
    }

    /// Triages each example alone and checks whether its rule fired.
    public static func run(_ guardrails: Guardrails) -> Result {
        var count = 0
        var failures: [Failure] = []
        for rule in guardrails.rules.rules {
            for (examples, shouldFire) in [(rule.examples.fire, true), (rule.examples.notFire, false)] {
                for example in examples {
                    count += 1
                    let fired = guardrails.triage(message: example).firedRules.contains { $0.ruleID == rule.id }
                    if fired != shouldFire {
                        failures.append(Failure(ruleID: rule.id, example: example, shouldFire: shouldFire))
                    }
                }
            }
        }
        return Result(examplesRun: count, failures: failures)
    }
}
