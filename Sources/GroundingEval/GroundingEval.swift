/// The evaluation module: rubric scoring, graders, retrieval, triage and grounding metrics, reports.
///
/// Not built yet (issue 8); this namespace is where it lands.
public enum GroundingEvalModule {
    /// The module's version.
    public static let version = "0.0.0"
}
