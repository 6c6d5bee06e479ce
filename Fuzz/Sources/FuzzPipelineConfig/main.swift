import FuzzSupport
import Foundation
import Pipeline

/// One input for the pipeline.yaml parser and validator (Yams + TilePipe's model). A thrown
/// `ConfigError` (file:line:column, key path, message) is a correct answer.
let fuzzPipelineConfig: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { data, size in
    guard let data, size <= 16384 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? PipelineConfig.parse(yaml: text, file: "fuzz.yaml")
    return 0
}

exit(runFuzzer(fuzzPipelineConfig))
