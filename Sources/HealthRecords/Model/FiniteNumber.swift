/// Numbers read from text: only finite ones. `Double("nan")`, `Double("inf")` and `Double("1e400")`
/// (infinity) would otherwise reach a record, where no answer can use them and encoding the record
/// fails far from the file that held them.
public enum FiniteNumber {
    /// The number a text writes, when it is finite; nil for text that is not a number, NaN or infinity.
    public static func parse(_ text: String) -> Double? {
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }
}
