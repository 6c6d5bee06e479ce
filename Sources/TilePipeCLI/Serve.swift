import ArgumentParser
import Dispatch
import Foundation
import Logging
import Pipeline
import Serve

/// `tilepipe serve RUN_DIR`: a web map of a run, tiled on the fly from its COGs (read-only, localhost by default).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a run folder as a web map: Web Mercator tiles from the COGs, a Leaflet page, the STAC, report and GeoJSON.",
        discussion: """
        Open http://HOST:PORT/ in a browser. Tiles: /tiles/{layer}/{date}/{z}/{x}/{y}.png[?rescale=min,max]. \
        Stops cleanly on SIGINT or SIGTERM. Port 0 picks a free port (printed on stdout). Exit status 2 when the \
        run folder cannot be served or the address cannot be bound.
        """)

    @Argument(help: "The run output folder.") var runDirectory: String
    @Option(help: "Address to listen on.") var host: String = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port).") var port: Int = 8080
    @Option(name: .customLong("cache-mb"), help: "Megabytes of rendered tiles kept in memory.") var cacheMB: Int = 64
    @Option(name: .customLong("log-format"), help: "Access log format on stderr: text or json.") var logFormat: Run.LogFormat = .text

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0…65535") }
        guard TileCache.bytes(megabytes: cacheMB) != nil else {
            throw ValidationError("--cache-mb must be in 0…\(TileCache.maximumMegabytes) (MiB of rendered tiles kept in memory), got \(cacheMB)")
        }
    }

    func run() throws {
        let format = logFormat
        var logger = Logger(label: "tilepipe.serve") { label in
            format == .json ? AnyLogHandler(JSONLogHandler(label: label)) : AnyLogHandler(TextLogHandler())
        }
        logger.logLevel = .info
        let server: TileServer
        do {
            server = try TileServer(root: runDirectory, options: .init(host: host, port: port, cacheBytes: TileCache.bytes(megabytes: cacheMB) ?? 0,
                                                                       version: TilePipeVersion.string), logger: logger)
        } catch {
            fail("\(error)", code: 2)
        }
        let host = self.host
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: (any Error)?
        Task {
            do {
                try await server.run(onListening: { port in
                    FileHandle.standardOutput.write(Data("tilepipe: serving \(server.run.layers.count) layer(s) at http://\(host):\(port)/\n".utf8))
                })
            } catch { failure = error }
            done.signal()
        }
        done.wait()
        if let failure { fail("serve: \(failure)", code: 2) }
        logger.info("stopped")
    }
}
