#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Job ids: random (version 4) UUIDs in lower-case text.
public enum JobID {
    /// A new random id, e.g. `3f2b8c1e-9a4d-4e6f-8b1a-2c3d4e5f6a7b`. Every request that
    /// brings no request id gets one, so this is on the hot path of every route.
    public static func random() -> String {
        var bytes = EntropyPool.shared.take16()
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        let hex = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The canonical (lower-case) form of `text` when it is a UUID in 8-4-4-4-12 hex form,
    /// else nil: anything else cannot name a job and is answered 404 without a lookup.
    public static func canonical(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return nil }
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return nil }
            } else {
                let isHex = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
                guard isHex else { return nil }
            }
        }
        return text.lowercased()
    }
}

/// Kernel randomness fetched 4 KiB at a time: one read of /dev/urandom per 256 ids instead of
/// one per byte (the standard generator makes a system call for every 8 bytes, and
/// `UInt8.random` uses a whole call per byte) — at 20,000 requests a second, the calls alone
/// took a tenth of the server's CPU. The bytes are the kernel's CSPRNG output all the same,
/// each handed out once.
final class EntropyPool: Sendable {
    static let shared = EntropyPool()

    private struct State: ~Copyable {
        var bytes = [UInt8](repeating: 0, count: 4096)
        var next = 4096
    }

    private let state = Mutex(State())

    func take16() -> [UInt8] {
        state.withLock { state in
            if state.next + 16 > state.bytes.count {
                Self.refill(&state.bytes)
                state.next = 0
            }
            defer { state.next += 16 }
            return Array(state.bytes[state.next..<state.next + 16])
        }
    }

    private static func refill(_ bytes: inout [UInt8]) {
        var filled = 0
        #if canImport(Glibc)
        let descriptor = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        if descriptor >= 0 {
            bytes.withUnsafeMutableBytes { buffer in
                while filled < buffer.count, let base = buffer.baseAddress {
                    let count = read(descriptor, base + filled, buffer.count - filled)
                    if count <= 0 { break }
                    filled += count
                }
            }
            close(descriptor)
        }
        #endif
        if filled < bytes.count {
            // getrandom failed (it should not): the standard generator, 8 bytes per call.
            var generator = SystemRandomNumberGenerator()
            for index in filled..<bytes.count { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        }
    }
}
