/// The guardrails module: message triage and answer checks driven by a reviewed rules file.
///
/// Not built yet (issue 7); this namespace is where it lands.
public enum GuardrailsModule {
    /// The module's version.
    public static let version = "0.0.0"
}
