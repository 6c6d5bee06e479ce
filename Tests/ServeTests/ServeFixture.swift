import Foundation
import Logging
import Pipeline
import RasterCore
import RasterIO
import Serve
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// One run of the repository's pipeline.yaml (with `outputs.rgb: true`) over SampleTiles/ (made through Pipeline, which only the tests
/// import) and one in-process `TileServer` over it on 127.0.0.1 with an ephemeral port, shared by the Serve tests.
enum ServeFixture {
    struct Served: @unchecked Sendable {
        var run: URL
        var port: Int
        var server: TileServer
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: Served?

    /// The shared run and server (made on first use; skips when SampleTiles/ is absent).
    static func shared() throws -> Served {
        try lock.withLock {
            if let cached { return cached }
            let root = TestData.packageRoot
            guard FileManager.default.fileExists(atPath: root.appendingPathComponent("SampleTiles/flood").path) else {
                throw Skip.because("SampleTiles/ absent")
            }
            let dir = try TestData.temporaryDirectory("serve-sampletiles")
            var c = try PipelineConfig.load(path: root.appendingPathComponent("pipeline.yaml").path)
            for i in c.inputs.indices where !c.inputs[i].path.hasPrefix("/") {
                c.inputs[i].path = root.appendingPathComponent(c.inputs[i].path).path
            }
            c.outputs.directory = dir.path
            c.outputs.rgb = true   // the true-colour picture per tile, and so the map's `rgb` layer
            _ = try PipelineRunner.run(config: c, options: RunOptions(jobs: 2, toolVersion: "test"), logger: PipelineRunner.silentLogger)
            // Hostile entries inside the run: symlinks to a file and a folder outside it.
            try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("stac/passwd.json").path, withDestinationPath: "/etc/passwd")
            try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("stac/etc").path, withDestinationPath: "/etc")
            try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("outside.geojson").path, withDestinationPath: "/etc/passwd")
            let server = try TileServer(root: dir.path, options: .init(port: 0, version: "test"), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
            let port = try start(server)
            let s = Served(run: dir, port: port, server: server)
            cached = s
            return s
        }
    }

    /// Starts `server` in a task and waits (at most 30 s) for its port.
    static func start(_ server: TileServer) throws -> Int {
        final class Box: @unchecked Sendable { var port = 0; var error: (any Error)? }
        let box = Box()
        let ready = DispatchSemaphore(value: 0)
        Task.detached {
            do {
                try await server.run(onListening: { port in box.port = port; ready.signal() }, signals: false)
            } catch {
                box.error = error
                ready.signal()
            }
        }
        guard ready.wait(timeout: .now() + 30) == .success, box.port > 0 else {
            throw Skip.because("the server did not start: \(box.error.map { "\($0)" } ?? "timeout")")
        }
        return box.port
    }
}

/// A minimal HTTP/1.1 client over a POSIX socket, so requests go out byte for byte (no path normalisation,
/// no percent-decoding) — what an attacker would send.
enum RawHTTP {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends `GET target` to 127.0.0.1:`port` with `headers`, reads the whole reply (Connection: close).
    static func get(_ target: String, port: Int, headers: [String: String] = [:]) throws -> Reply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var tv = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
        var request = "GET \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (k, v) in headers { request += "\(k): \(v)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        guard let split = data.firstRange(of: Array("\r\n\r\n".utf8)) else { throw POSIXError(.EBADMSG) }
        let head = String(decoding: data[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(head[0].split(separator: " ").dropFirst().first ?? "") ?? 0
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(data[split.upperBound...])
        if fields["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return Reply(status: status, headers: fields, body: body)
    }

    static func dechunk(_ raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [], i = 0
        while i < raw.count {
            guard let eol = raw[i...].firstRange(of: Array("\r\n".utf8)) else { break }
            let size = Int(String(decoding: raw[i..<eol.lowerBound], as: UTF8.self).split(separator: ";")[0], radix: 16) ?? 0
            if size == 0 { break }
            out += raw[eol.upperBound..<min(raw.count, eol.upperBound + size)]
            i = eol.upperBound + size + 2
        }
        return out
    }

    /// Decodes a PNG reply body (through a temporary file: RasterIO reads PNG files).
    static func png(_ body: [UInt8]) throws -> PNGImage.Image {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString).png").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        FileManager.default.createFile(atPath: path, contents: Data(body))
        return try PNGImage.read(path: path)
    }
}
