/// Where a product came from, written into every product's metadata (GDAL_METADATA dataset items,
/// STAC `processing:*`). Deterministic: no wall-clock time, so reruns give the same bytes.
public struct Provenance: Sendable, Equatable, Codable {
    /// Name of the producing software (`tilepipe`).
    public var software: String
    /// Its version (`0.1.0`).
    public var version: String
    /// Hash of the pipeline configuration that produced the file (empty when run ad hoc).
    public var pipelineHash: String
    /// The input files (names or relative paths), in a stable order.
    public var inputs: [String]
    /// Extra items (`FORMULA`, `SCENE_ID`, ...), written verbatim.
    public var extra: [String: String]

    /// A provenance record.
    public init(software: String = "tilepipe", version: String, pipelineHash: String = "", inputs: [String] = [],
                extra: [String: String] = [:]) {
        self.software = software
        self.version = version
        self.pipelineHash = pipelineHash
        self.inputs = inputs
        self.extra = extra
    }

    /// The dataset-level GDAL_METADATA items: `TILEPIPE_SOFTWARE` (`name version`), `TILEPIPE_PIPELINE_HASH`,
    /// `TILEPIPE_INPUTS` (inputs joined by `;`), plus `extra`.
    public var metadataItems: [String: String] {
        var m = extra
        m["TILEPIPE_SOFTWARE"] = "\(software) \(version)"
        if !pipelineHash.isEmpty { m["TILEPIPE_PIPELINE_HASH"] = pipelineHash }
        if !inputs.isEmpty { m["TILEPIPE_INPUTS"] = inputs.joined(separator: ";") }
        return m
    }
}
