/// One HealthBench example: a conversation, its rubric, its tags, and optionally the physicians' ideal
/// completion and the HealthGround space whose records ground it.
public struct RubricExample: Sendable, Codable, Hashable {
    /// HealthBench's `prompt_id`.
    public var promptID: String
    /// The conversation up to the turn to answer.
    public var prompt: [ChatMessage]
    /// The criteria the answer is graded on.
    public var rubrics: [RubricItem]
    /// Example-level tags: `theme:*`, `physician_agreed_category:*`.
    public var exampleTags: [String]
    /// The physicians' ideal completion, when the example has one.
    public var idealCompletion: String?
    /// Our extension: the space (one person) whose records ground this example.
    public var space: String?

    /// Creates an example.
    public init(
        promptID: String,
        prompt: [ChatMessage],
        rubrics: [RubricItem],
        exampleTags: [String] = [],
        idealCompletion: String? = nil,
        space: String? = nil
    ) {
        self.promptID = promptID
        self.prompt = prompt
        self.rubrics = rubrics
        self.exampleTags = exampleTags
        self.idealCompletion = idealCompletion
        self.space = space
    }

    private enum CodingKeys: String, CodingKey {
        case promptID = "prompt_id"
        case prompt
        case rubrics
        case exampleTags = "example_tags"
        case idealCompletionsData = "ideal_completions_data"
        case space = "healthground_space"
    }

    private enum IdealKeys: String, CodingKey {
        case idealCompletion = "ideal_completion"
    }

    /// Decodes HealthBench's layout (`ideal_completions_data.ideal_completion`, `healthground_space`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        promptID = try container.decode(String.self, forKey: .promptID)
        prompt = try container.decode([ChatMessage].self, forKey: .prompt)
        rubrics = try container.decode([RubricItem].self, forKey: .rubrics)
        exampleTags = try container.decodeIfPresent([String].self, forKey: .exampleTags) ?? []
        if container.contains(.idealCompletionsData), try !container.decodeNil(forKey: .idealCompletionsData) {
            let ideal = try container.nestedContainer(keyedBy: IdealKeys.self, forKey: .idealCompletionsData)
            idealCompletion = try ideal.decodeIfPresent(String.self, forKey: .idealCompletion)
        } else {
            idealCompletion = nil
        }
        space = try container.decodeIfPresent(String.self, forKey: .space)
    }

    /// Encodes in HealthBench's layout.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(promptID, forKey: .promptID)
        try container.encode(prompt, forKey: .prompt)
        try container.encode(rubrics, forKey: .rubrics)
        try container.encode(exampleTags, forKey: .exampleTags)
        if let idealCompletion {
            var ideal = container.nestedContainer(keyedBy: IdealKeys.self, forKey: .idealCompletionsData)
            try ideal.encode(idealCompletion, forKey: .idealCompletion)
        }
        try container.encodeIfPresent(space, forKey: .space)
    }
}
