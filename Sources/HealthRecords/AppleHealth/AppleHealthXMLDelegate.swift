import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `XMLParser` events of an export.xml, turned into ``AppleHealthExport`` state element by element.
final class AppleHealthXMLDelegate: NSObject, XMLParserDelegate {
    var export: AppleHealthExport
    var failure: IngestError?
    var sawRoot = false
    private(set) var stack: [String] = []
    private var workout: AppleHealthWorkout?
    private var correlationDepth = 0

    init(file: String) {
        export = AppleHealthExport(file: file)
    }

    func parser(
        _ parser: XMLParser,
        didStartElement elementName: String,
        namespaceURI: String?,
        qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        guard stack.count < XMLTree.maximumDepth else {
            failure = XMLFailure.tooDeep(file: export.file, line: parser.lineNumber)
            parser.abortParsing()
            return
        }
        defer { stack.append(elementName) }
        if stack.isEmpty {
            guard elementName == "HealthData" else {
                failure = IngestError(
                    .unsupportedFormat,
                    file: export.file,
                    location: "the root element, line \(parser.lineNumber)",
                    expected: "an Apple Health export (<HealthData>)"
                )
                parser.abortParsing()
                return
            }
            sawRoot = true
            return
        }
        switch elementName {
        case "Record":
            // Records inside a Correlation (blood pressure) are also exported at the top level.
            guard correlationDepth == 0 else { return }
            export.addSample(attributes, line: parser.lineNumber)
        case "Correlation":
            correlationDepth += 1
        case "Workout":
            workout = AppleHealthWorkout(attributes: attributes, location: "line \(parser.lineNumber)")
        case "WorkoutStatistics":
            workout?.addStatistics(attributes)
        case "MetadataEntry":
            if stack.last == "Workout", let key = attributes["key"], let value = attributes["value"] {
                workout?.addMetadata(key: key, value: value)
            }
        case "ActivitySummary":
            export.addActivitySummary(attributes, line: parser.lineNumber)
        case "Me":
            export.addProfile(attributes, line: parser.lineNumber)
        case "ClinicalRecord":
            export.addClinicalRecordReference(attributes)
        case "ExportDate", "WorkoutRoute", "Location", "FileReference", "WorkoutEvent",
            "HeartRateVariabilityMetadataList",
            "InstantaneousBeatsPerMinute", "Audiogram", "SensitivityPoint", "VisionPrescription", "Prescription",
            "RightEye", "LeftEye", "Attachment":
            break
        default:
            if stack.count == 1 { export.skip(elementName) }
        }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard failure == nil, !stack.isEmpty else { return }
        stack.removeLast()
        switch elementName {
        case "Correlation": correlationDepth -= 1
        case "Workout":
            if let workout { export.addWorkout(workout) }
            workout = nil
        default: break
        }
    }
}
