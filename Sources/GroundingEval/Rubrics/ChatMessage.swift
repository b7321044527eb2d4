/// One turn of a conversation, as HealthBench and the chat-completions protocol write it.
public struct ChatMessage: Sendable, Codable, Hashable {
    /// `system`, `user` or `assistant`.
    public var role: String
    /// The text of the turn.
    public var content: String

    /// Creates a message.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}
