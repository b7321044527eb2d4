/// Which searches run for a query.
public enum SearchMode: String, Sendable, Codable, CaseIterable {
    /// Vector search only.
    case dense
    /// FTS5 BM25 only.
    case lexical
    /// Both, fused.
    case hybrid
}

/// How the dense search scans the vectors.
public enum ScanKind: String, Sendable, Codable, CaseIterable {
    /// Every float32 vector is scored (the default).
    case exact
    /// One byte per number, then the best candidates rescored in float32 (opt-in, approximate).
    case int8
    /// The space's stored PCA projection (``HealthSpace/buildProjection(components:)``), then the
    /// best candidates rescored in float32 (opt-in, approximate; exact when no projection is stored).
    case pca
}
