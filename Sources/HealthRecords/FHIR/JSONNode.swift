import Foundation

/// A JSON value read with `JSONSerialization`, carrying its JSON path so that errors can say where.
struct JSONNode {
    let value: Any
    let path: String

    subscript(key: String) -> JSONNode? {
        guard let object = value as? [String: Any], let child = object[key], !(child is NSNull) else { return nil }
        return JSONNode(value: child, path: "\(path).\(key)")
    }

    var array: [JSONNode] {
        guard let items = value as? [Any] else { return [] }
        return items.enumerated().map { JSONNode(value: $1, path: "\(path)[\($0)]") }
    }

    var isObject: Bool { value is [String: Any] }
    var string: String? { value as? String }

    /// The number, when it is one and finite.
    var double: Double? {
        let number: Double?
        if let value = value as? NSNumber, !(self.value is Bool) {
            number = value.doubleValue
        } else if let value = value as? Double {
            number = value
        } else if let value = value as? Int {
            number = Double(value)
        } else {
            number = nil
        }
        return number.flatMap { $0.isFinite ? $0 : nil }
    }

    var bool: Bool? { value as? Bool }

    /// The keys of an object that start with a prefix (for `value[x]`, `onset[x]`, `effective[x]`).
    func firstKey(withPrefix prefix: String) -> (suffix: String, node: JSONNode)? {
        guard let object = value as? [String: Any] else { return nil }
        for key in object.keys.sorted() where key.hasPrefix(prefix) && key.count > prefix.count {
            let suffix = String(key.dropFirst(prefix.count))
            guard suffix.first?.isUppercase == true, let node = self[key] else { continue }
            return (suffix, node)
        }
        return nil
    }
}
