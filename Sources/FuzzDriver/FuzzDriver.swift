import CFuzzer
import Foundation

/// The `main` of every fuzz target. Built by `scripts/fuzz.sh` (libFuzzer linked in), it
/// hands the process's arguments to libFuzzer; in a plain `swift build` it replays files
/// instead — each argument a file or a directory of files — so that the seed corpus and every
/// input that once crashed run through the same check in ordinary tests:
///
/// ```
/// $ .build/debug/FuzzSpecLoader fixtures/fuzz/spec-loader
/// replayed 61 inputs from fixtures/fuzz/spec-loader
/// ```
///
/// A check reports a broken property with `FuzzDriver.violated`, which aborts: that is how a
/// fuzzer learns of a finding. Trapping here is the point; no user ever runs these binaries.
public enum FuzzDriver {
    /// The signature libFuzzer calls: the input's bytes and their count; returns 0.
    public typealias Check = accord_fuzz_callback

    /// Runs `check` under libFuzzer when it is linked in, else replays the files named by
    /// the arguments. Never returns.
    public static func main(_ check: Check) -> Never {
        if accord_fuzzer_linked() != 0 {
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(accord_fuzzer_run(&argc, &argv, check))
        }
        exit(replay(Array(CommandLine.arguments.dropFirst()), check))
    }

    /// Feeds every file under `paths` to `check`; returns the exit status (2 for bad usage).
    static func replay(_ paths: [String], _ check: Check) -> Int32 {
        guard !paths.isEmpty else {
            FileHandle.standardError.write(Data("usage: \(CommandLine.arguments.first ?? "fuzz-target") FILE|DIRECTORY…\n".utf8))
            return 2
        }
        var count = 0
        for path in paths {
            guard let files = inputFiles(path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                return 2
            }
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("cannot read \(file)\n".utf8))
                    return 2
                }
                let bytes = [UInt8](data)
                _ = bytes.withUnsafeBufferPointer { buffer in check(buffer.baseAddress, buffer.count) }
                count += 1
            }
        }
        print("replayed \(count) inputs from \(paths.joined(separator: " "))")
        return 0
    }

    /// `path` itself when it is a file, else the regular files below it, in name order.
    static func inputFiles(_ path: String) -> [String]? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        guard isDirectory.boolValue else { return [path] }
        guard let names = FileManager.default.enumerator(atPath: path)?.allObjects as? [String] else { return nil }
        return names.sorted().map { "\(path)/\($0)" }.filter { file in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    /// The bytes libFuzzer handed over, as an array (an empty input may come with no pointer).
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Reports a property the code under test broke for this input, and aborts (the fuzzer
    /// then saves the input as a crash artifact).
    public static func violated(_ property: String, input: [UInt8]) -> Never {
        let shown = String(decoding: input.prefix(512), as: UTF8.self)
        FileHandle.standardError.write(Data("property violated: \(property)\ninput (\(input.count) bytes): \(shown.debugDescription)\n".utf8))
        abort()
    }
}
