import AccordSpec
import Foundation
import Testing

@Suite("Spec discovery")
struct SpecDiscoveryTests {
    /// A directory laid out as Kubernetes mounts a ConfigMap: each key a link into `..data`,
    /// itself a link to a timestamped hidden directory holding the files. Each spec is found
    /// once, by the name the ConfigMap gives it.
    @Test("A ConfigMap volume's hidden copies are not loaded twice")
    func configMapLayout() throws {
        let manager = FileManager.default
        let root = manager.temporaryDirectory.appendingPathComponent("accord-discovery-\(UUID().uuidString)")
        defer { try? manager.removeItem(at: root) }
        let stamped = root.appendingPathComponent("..2026_12_08_00_00_00.123456789")
        try manager.createDirectory(at: stamped, withIntermediateDirectories: true)
        for name in ["load.yaml", "health.yaml", "schema.json"] {
            try Data("suite: x\n".utf8).write(to: stamped.appendingPathComponent(name))
        }
        try manager.createSymbolicLink(atPath: root.appendingPathComponent("..data").path, withDestinationPath: stamped.lastPathComponent)
        for name in ["load.yaml", "health.yaml", "schema.json"] {
            try manager.createSymbolicLink(atPath: root.appendingPathComponent(name).path, withDestinationPath: "..data/\(name)")
        }
        try manager.createDirectory(at: root.appendingPathComponent("nested"), withIntermediateDirectories: true)
        try Data("suite: y\n".utf8).write(to: root.appendingPathComponent("nested/cases.yml"))
        try Data("suite: z\n".utf8).write(to: root.appendingPathComponent("nested/.hidden.yaml"))

        let (files, missing) = SpecFiles.discover([root.path])
        #expect(missing.isEmpty)
        #expect(files == ["health.yaml", "load.yaml", "nested/cases.yml"].map { "\(root.path)/\($0)" })
    }
}
