import Foundation
import Hummingbird
import Logging

/// One access-log line per request through swift-log: method, path, status, response bytes and milliseconds
/// (`info`; errors the server itself caused at `error`). The format (text or JSON lines) is the logger's.
struct AccessLog<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        func log(_ status: HTTPResponse.Status, bytes: Int?) {
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            var metadata: Logger.Metadata = [
                "method": .string(request.method.rawValue), "path": .string(request.uri.string),
                "status": .stringConvertible(status.code), "duration_ms": .string(String(format: "%.2f", ms)),
            ]
            if let bytes { metadata["bytes"] = .stringConvertible(bytes) }
            logger.log(level: status.code >= 500 ? .error : .info, "request", metadata: metadata)
        }
        do {
            let response = try await next(request, context)
            log(response.status, bytes: response.body.contentLength)
            return response
        } catch let e as any HTTPResponseError {
            log(e.status, bytes: nil)
            throw e
        } catch {
            log(.internalServerError, bytes: nil)
            throw error
        }
    }
}
