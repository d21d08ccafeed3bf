import AccordSpec
import Foundation
import Testing

/// `fixtures/levels/cases.txt` gives every case of `specs/` its level and a reason: the specs
/// must agree with it case by case, and the original build's failures must split by level as
/// its header says — so moving a case to another level is a reviewed change of both.
@Suite("Conformance levels of specs/ (golden)")
struct LevelGoldenTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Entry: Hashable {
        var file: String
        var name: String
    }

    static func golden() throws -> (levels: [Entry: String], header: [String]) {
        let text = try String(contentsOf: root.appendingPathComponent("fixtures/levels/cases.txt"), encoding: .utf8)
        var levels: [Entry: String] = [:]
        var header: [String] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("#") {
                header.append(String(line))
                continue
            }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            #expect(fields.count == 4 && !fields[3].isEmpty, "a golden line needs level, file, case and a reason: \(line)")
            guard fields.count == 4 else { continue }
            levels[Entry(file: fields[1], name: fields[2])] = fields[0]
        }
        return (levels, header)
    }

    static func specs() -> [SpecFile] {
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(root.path)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        let files = SpecFiles.discover(["specs"]).files
        let loaded = SpecFiles.load(files, externalVariables: [])
        #expect(loaded.problems.isEmpty)
        return loaded.specs
    }

    @Test func everyCaseHasTheLevelTheGoldenFileGivesIt() throws {
        let golden = try Self.golden().levels
        var seen: Set<Entry> = []
        for spec in Self.specs() {
            for specCase in spec.cases {
                let entry = Entry(file: spec.path, name: specCase.name.value)
                seen.insert(entry)
                #expect(golden[entry] == spec.level(of: specCase).rawValue, "\(spec.path): '\(entry.name)' is \(spec.level(of: specCase).rawValue)")
            }
        }
        #expect(seen.count > 250)
        #expect(Set(golden.keys).subtracting(seen).isEmpty, "golden cases no spec has: \(Set(golden.keys).subtracting(seen))")
    }

    @Test func theOriginalBuildsFailuresSplitByLevelAsTheGoldenFileSays() throws {
        let (golden, header) = try Self.golden()
        let results = try String(contentsOf: Self.root.appendingPathComponent("fixtures/levels/original-check-results.txt"), encoding: .utf8)
        var failures: [String: Int] = [:]
        var cases = 0
        for line in results.split(separator: "\n") where !line.hasPrefix("#") {
            // outcome, file:line:col, name — separated by runs of spaces.
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let rest = parts[1].drop { $0 == " " }
            let location = rest.prefix { $0 != " " }
            let name = rest.dropFirst(location.count).drop { $0 == " " }
            var file = location.split(separator: ":").dropLast(2).joined(separator: ":")
            if file.isEmpty { file = String(location) }
            let level = try #require(golden[Entry(file: file, name: String(name))], "the original's case \(location) '\(name)' is not in the golden file")
            cases += 1
            if parts[0] == "failed" || parts[0] == "error" { failures[level, default: 0] += 1 }
        }
        #expect(cases == 262)
        let stated = try #require(header.first { $0.hasPrefix("# original failures by level: ") })
        let computed = "# original failures by level: " + ConformanceLevel.names.map { "\($0) \(failures[$0, default: 0])" }.joined(separator: ", ")
        #expect(stated == computed)
        // The split the reports lead with: most of what the original breaks is strict, and its
        // own documented API fails a few cases too.
        #expect(failures["core", default: 0] > 0 && failures["strict", default: 0] > failures["extended", default: 0])
    }
}
