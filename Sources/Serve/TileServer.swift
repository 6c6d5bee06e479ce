import Foundation
import Hummingbird
import Logging
import RasterCore
import RasterIO
import Products

/// `tilepipe serve`: a read-only HTTP server over one run folder.
///
/// - `GET /` the map page (Leaflet from Debian's libjs-leaflet, served under `/leaflet/`, no CDN);
/// - `GET /layers.json` the layers, dates and footprint; `GET /legend/{layer}.svg` a layer's legend;
/// - `GET /tiles/{layer}/{date}/{z}/{x}/{y}.png[?rescale=min,max]` Web Mercator tiles rendered from the COGs;
/// - `GET /stac/…`, `/tiles/{tile}/{file}`, `/pairs/{kind}/{file}`, `/affected.geojson`, `/report.html`,
///   `/report.json`: the run's files, confined to the run (`RunFiles`).
///
/// Malformed tile addresses answer 400, anything unknown or outside the run 404. Tiles carry a strong ETag and
/// Last-Modified and answer `If-None-Match` with 304; rendered tiles are kept in an LRU cache.
public final class TileServer: Sendable {
    /// Server settings.
    public struct Options: Sendable {
        /// Address to bind (default 127.0.0.1: only this machine).
        public var host: String
        /// Port (0: any free port; the bound one is passed to `onListening`).
        public var port: Int
        /// Bytes of PNG kept in the tile cache.
        public var cacheBytes: Int
        /// Where Leaflet's files are (Debian's libjs-leaflet).
        public var leafletDirectory: String
        /// The tool version (in the ETag, so an upgrade invalidates cached tiles).
        public var version: String
        /// Options with defaults.
        public init(host: String = "127.0.0.1", port: Int = 8080, cacheBytes: Int = 64 << 20,
                    leafletDirectory: String = "/usr/share/javascript/leaflet", version: String = "0") {
            self.host = host; self.port = port; self.cacheBytes = cacheBytes
            self.leafletDirectory = leafletDirectory; self.version = version
        }
    }

    /// The run's layers.
    public let run: RunLayers
    /// Settings.
    public let options: Options
    /// The tile cache.
    public let cache: TileCache
    let renderer = TileRenderer()
    let logger: Logger
    let hashes = SourceHashes()
    let emptyTile: [UInt8]

    /// A server over the run folder `root`. Throws `ServeError.unusableRun` when it holds nothing to map.
    public init(root: String, options: Options = Options(), logger: Logger) throws {
        run = try RunLayers(root: root)
        self.options = options
        self.logger = logger
        cache = TileCache(capacityBytes: options.cacheBytes)
        emptyTile = try PNGImage.encode(.init(width: 256, height: 256, channels: 4, pixels: [UInt8](repeating: 0, count: 256 * 256 * 4)), zlibLevel: 9)
        for s in run.skipped { logger.warning("skipped", metadata: ["reason": .string(s)]) }
    }

    /// Runs until SIGINT or SIGTERM (then finishes the requests in flight and returns). `onListening` gets the
    /// bound port once the socket is open.
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }, signals: Bool = true) async throws {
        let app = Application(router: makeRouter(),
                              configuration: .init(address: .hostname(options.host, port: options.port), serverName: "tilepipe"),
                              onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
                              logger: logger)
        if signals { try await app.runService() } else { try await app.run() }
    }

    /// The routes.
    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: AccessLog(logger: logger))
        router.get("/") { _, _ in self.html(MapPage.html) }
        router.get("/layers.json") { _, _ in self.layersJSON() }
        router.get("/legend/:file") { request, context in
            try self.legend(context.parameters.get("file") ?? "", rescale: request.uri.queryParameters.get("rescale"))
        }
        router.get("/tiles/:layer/:date/:z/:x/:y") { request, context in
            try await self.tile(request, layer: context.parameters.get("layer") ?? "", date: context.parameters.get("date") ?? "",
                                z: context.parameters.get("z") ?? "", x: context.parameters.get("x") ?? "", y: context.parameters.get("y") ?? "")
        }
        router.get("/leaflet/**") { request, context in
            try self.file(RunFiles.resolve(context.parameters.getCatchAll(), in: self.leafletRoot), request)
        }
        router.get("/stac/**") { request, context in
            try self.file(self.run.files.resolve(context.parameters.getCatchAll(), under: "stac"), request)
        }
        // A tile folder's files (STAC items, COGs, quicklooks): the same trie node as the map tiles, so the same names.
        router.get("/tiles/:layer/:date") { request, context in
            try self.file(self.run.files.resolve([context.parameters.get("layer")?[...] ?? "", context.parameters.get("date")?[...] ?? ""], under: "tiles"), request)
        }
        router.get("/pairs/:kind/:file") { request, context in
            try self.file(self.run.files.resolve([context.parameters.get("kind")?[...] ?? "", context.parameters.get("file")?[...] ?? ""], under: "pairs"), request)
        }
        for name in ["affected.geojson", "report.html", "report.json"] {
            router.get(RouterPath(stringLiteral: "/" + name)) { request, _ in try self.file(self.run.files.resolve([name[...]]), request) }
        }
        return router
    }

    var leafletRoot: String { RunFiles.realPath(options.leafletDirectory) ?? options.leafletDirectory }

    // MARK: - Handlers

    func html(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func layersJSON() -> Response {
        var layers: [[String: Any]] = []
        for l in run.layers {
            let b = l.lonLatBounds
            layers.append(["name": l.name, "title": l.title, "kind": l.kind, "dates": l.dateKeys,
                           "bounds": [b.west, b.south, b.east, b.north]])
        }
        var doc: [String: Any] = ["layers": layers]
        doc["affected"] = run.files.resolve(["affected.geojson"]) != nil
        doc["report"] = run.files.resolve(["report.html"]) != nil
        let data = (try? JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func legend(_ file: String, rescale raw: String?) throws -> Response {
        guard file.hasSuffix(".svg"), let layer = run.layer(String(file.dropLast(4))) else {
            throw HTTPError(.notFound, message: "no such legend")
        }
        let rescale = try Self.rescale(raw)
        let svg = layer.legendRamp(rescale: rescale).legendSVG(width: 220)
        return Response(status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(string: svg)))
    }

    /// `?rescale=min,max`: two finite numbers, min < max; nil when absent.
    static func rescale(_ raw: String?) throws -> ClosedRange<Double>? {
        guard let raw else { return nil }
        let parts = raw.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2, let lo = Double(parts[0]), let hi = Double(parts[1]), lo.isFinite, hi.isFinite, lo < hi else {
            throw HTTPError(.badRequest, message: "rescale must be min,max with min < max, got '\(raw)'")
        }
        return lo...hi
    }

    func tile(_ request: Request, layer name: String, date: String, z: String, x: String, y: String) async throws -> Response {
        guard y.hasSuffix(".png"), let t = WebMercatorTile(z: z[...], x: x[...], y: y.dropLast(4)) else {
            throw HTTPError(.badRequest, message: "tile address must be /tiles/{layer}/{date}/{z}/{x}/{y}.png with 0 ≤ z ≤ \(WebMercatorTile.maxZoom) and 0 ≤ x, y < 2^z")
        }
        let rescale = try Self.rescale(request.uri.queryParameters.get("rescale"))
        guard let layer = run.layer(name) else { throw HTTPError(.notFound, message: "no layer '\(name)'") }
        guard let sources = layer.dates[date] else { throw HTTPError(.notFound, message: "layer '\(name)' has no date '\(date)'") }
        let key = "\(name)/\(date)/\(t)" + (rescale.map { "?\($0.lowerBound),\($0.upperBound)" } ?? "")
        let rendered: RenderedTile
        if let hit = cache.get(key) {
            rendered = hit
        } else {
            rendered = try await withCheckedThrowingContinuation { (k: CheckedContinuation<RenderedTile, any Error>) in
                DispatchQueue.global(qos: .userInitiated).async {
                    k.resume(with: Result { try self.renderTile(layer: layer, sources: sources, tile: t, key: key, rescale: rescale) })
                }
            }
            cache.put(key, rendered)
        }
        var headers: HTTPFields = [.contentType: "image/png", .eTag: rendered.etag, .cacheControl: "no-cache",
                                   .lastModified: Self.httpDate(rendered.lastModified)]
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: {
            $0.trimmingCharacters(in: .whitespaces) == rendered.etag || $0.trimmingCharacters(in: .whitespaces) == "*" }) {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: rendered.png)))
    }

    func renderTile(layer: MapLayer, sources: [SourceRaster], tile: WebMercatorTile, key: String,
                    rescale: ClosedRange<Double>?) throws -> RenderedTile {
        let palette: Palette
        switch layer.style {
        case .ramp: palette = Palette(ramp: layer.legendRamp(rescale: rescale))
        case let .classes(table, _, nodata): palette = Palette(table: table, nodata: nodata)
        case .trueColor: palette = .trueColor
        }
        let b = tile.bounds()
        let drawn = sources.filter { $0.intersects(b) }
        var tag = Hasher64()
        tag.add(options.version); tag.add(key)
        for s in drawn { tag.add(try hashes.hash(of: s)) }
        let modified = drawn.map(\.modified).max() ?? Date(timeIntervalSince1970: 0)
        let png: [UInt8]
        do {
            if let rgba = try renderer.render(tile, sources: drawn, palette: palette) {
                png = try PNGImage.encode(.init(width: renderer.size, height: renderer.size, channels: 4, pixels: rgba), zlibLevel: 6)
            } else {
                png = emptyTile
            }
        } catch let e as ServeError {
            logger.error("tile failed", metadata: ["tile": .string(key), "error": .string(e.description)])
            throw HTTPError(.internalServerError, message: e.description)
        }
        return RenderedTile(png: png, etag: "\"\(tag.hex)\"", lastModified: modified)
    }

    func file(_ path: String?, _ request: Request) throws -> Response {
        guard let path, let data = FileManager.default.contents(atPath: path) else {
            throw HTTPError(.notFound, message: "not found")
        }
        let modified = ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date) ?? Date()
        return Response(status: .ok, headers: [.contentType: Self.mediaType(path), .lastModified: Self.httpDate(modified),
                                               .cacheControl: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func mediaType(_ path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "json": "application/json"
        case "geojson": "application/geo+json"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "png": "image/png"
        case "svg": "image/svg+xml"
        case "tif", "tiff": "image/tiff; application=geotiff"
        case "csv": "text/csv; charset=utf-8"
        case "md": "text/markdown; charset=utf-8"
        case "xml": "application/xml"
        default: "application/octet-stream"
        }
    }

    /// RFC 9110 IMF-fixdate.
    static func httpDate(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f.string(from: date)
    }
}

/// Content hashes of source COGs (64-bit FNV-1a over the bytes), computed once per file, size and mtime.
final class SourceHashes: @unchecked Sendable {
    private let lock = NSLock()
    private var known: [String: (bytes: Int, modified: Date, hash: String)] = [:]

    func hash(of source: SourceRaster) throws -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: source.path)
        let bytes = (attributes?[.size] as? NSNumber)?.intValue ?? -1
        let modified = (attributes?[.modificationDate] as? Date) ?? .distantPast
        lock.lock()
        if let k = known[source.path], k.bytes == bytes, k.modified == modified { lock.unlock(); return k.hash }
        lock.unlock()
        guard let data = FileManager.default.contents(atPath: source.path) else {
            throw ServeError.renderFailed(path: source.path, reason: "cannot read the file")
        }
        var h = Hasher64()
        h.add(data)
        lock.lock()
        known[source.path] = (bytes, modified, h.hex)
        lock.unlock()
        return h.hex
    }
}

/// 64-bit FNV-1a: stable across processes (unlike Swift's `Hasher`), for ETags.
struct Hasher64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add<D: Sequence>(_ bytes: D) where D.Element == UInt8 {
        for b in bytes { value = (value ^ UInt64(b)) &* 0x100_0000_01b3 }
        value = (value ^ 0xff) &* 0x100_0000_01b3   // separator, so "ab"+"c" ≠ "a"+"bc"
    }
    mutating func add(_ s: String) { add(Array(s.utf8)) }
    var hex: String { String(value, radix: 16) }
}
