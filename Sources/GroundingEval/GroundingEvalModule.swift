/// The evaluation module: rubric scoring, graders, retrieval metrics and reports.
public enum GroundingEvalModule {
    /// The version written into every report as the HealthGround version.
    public static let version = "0.1.0"
}
