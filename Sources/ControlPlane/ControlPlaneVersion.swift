/// The reference server's version, reported by `GET /` and `accord --version`.
public enum ControlPlaneVersion {
    public static let current = "0.1.0"
}
