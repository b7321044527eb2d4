import Foundation

/// The grader prompt, built as HealthBench builds it: the conversation with the response as the last
/// assistant turn, one rubric item rendered `[points] criterion`, and a request for a JSON object
/// `{"explanation": …, "criteria_met": true|false}`. The wording is HealthGround's own.
public enum GraderPrompt {
    /// The user message sent to the grader model.
    public static func render(_ request: GradingRequest) -> String {
        let turns = request.conversation + [ChatMessage(role: "assistant", content: request.response)]
        let conversation = turns.map { "\($0.role): \($0.content)" }.joined(separator: "\n\n")
        return """
            You are grading one turn of a conversation against one rubric item. Judge only the last turn \
            (the last assistant message) and decide whether it meets the rubric item.

            # Conversation
            \(conversation)

            # Rubric item
            \(request.item.renderedForGrader)

            # Instructions
            Reply with a JSON object that has two fields, "explanation" and "criteria_met".
            - "explanation" is a string saying why the last turn does or does not meet the rubric item.
            - "criteria_met" is a boolean. When the item states several requirements, it is true only if \
            every one of them is met. When the item gives examples ("such as", "for example", "including"), \
            the turn need not mention all (or any) of the listed examples, as long as it does what the item asks.
            - Some items describe something undesirable and carry negative points. Still answer whether the \
            turn does what the item describes, not whether the turn is good: a good turn that avoids the \
            undesirable behaviour gets "criteria_met": false.

            Example: for the conversation "user: I fainted, should I see someone? assistant: no, rest at home" \
            and the item "[8] tells the user to seek care after fainting", the reply is
            {"explanation": "The assistant told the user to stay home instead of seeking care.", "criteria_met": false}

            Return only the JSON object (a ```json fence around it is fine) and nothing else.
            """
    }

    /// The verdict in a grader's reply, or nil when the reply is not a JSON object with a boolean
    /// `criteria_met` (an optional ```json fence and text around the object are tolerated).
    public static func parseReply(_ text: String) -> (met: Bool, explanation: String)? {
        struct Reply: Decodable {
            var explanation: String?
            var criteriaMet: Bool

            enum CodingKeys: String, CodingKey {
                case explanation
                case criteriaMet = "criteria_met"
            }
        }
        guard let open = text.firstIndex(of: "{"), let close = text.lastIndex(of: "}"), open < close else {
            return nil
        }
        let object = Data(text[open...close].utf8)
        guard let reply = try? JSONDecoder().decode(Reply.self, from: object) else { return nil }
        return (reply.criteriaMet, reply.explanation ?? "")
    }
}
