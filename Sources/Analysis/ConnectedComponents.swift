/// Connected-component labelling of a class map: pixels of equal code that touch form one region.
///
/// Connectivity is 8 (edges and corners) by default, or 4 (edges only). Labels are 1-based in raster scan
/// order of each region's first pixel; `labels[i] == 0` only for pixels of an excluded code.
public struct ConnectedComponents: Sendable {
    /// Neighbourhood used to join pixels.
    public enum Connectivity: Int, Sendable, Codable { case four = 4, eight = 8 }

    /// Per-pixel region label (0 = excluded pixel).
    public let labels: [Int32]
    /// Code of each region, indexed by label − 1.
    public let codes: [UInt8]
    /// Pixel count of each region, indexed by label − 1.
    public let sizes: [Int]
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int

    /// Labels `classes` (row-major, width × height). Pixels whose code is in `excluding` get label 0.
    public init(_ classes: [UInt8], width: Int, height: Int, connectivity: Connectivity = .eight, excluding: Set<UInt8> = []) {
        precondition(classes.count == width * height, "class buffer size")
        self.width = width
        self.height = height
        var labels = [Int32](repeating: -1, count: classes.count)
        var codes: [UInt8] = [], sizes: [Int] = []
        var stack: [Int] = []
        let eight = connectivity == .eight
        for start in 0..<classes.count where labels[start] < 0 {
            let code = classes[start]
            if excluding.contains(code) { labels[start] = 0; continue }
            codes.append(code)
            let label = Int32(codes.count)
            labels[start] = label
            stack.append(start)
            var size = 0
            while let p = stack.popLast() {
                size += 1
                let x = p % width, y = p / width
                for dy in -1...1 {
                    let ny = y + dy
                    guard ny >= 0, ny < height else { continue }
                    for dx in -1...1 where (dx != 0 || dy != 0) && (eight || dx == 0 || dy == 0) {
                        let nx = x + dx
                        guard nx >= 0, nx < width else { continue }
                        let q = ny * width + nx
                        if labels[q] < 0 && classes[q] == code { labels[q] = label; stack.append(q) }
                    }
                }
            }
            sizes.append(size)
        }
        self.labels = labels
        self.codes = codes
        self.sizes = sizes
    }

    /// Number of regions.
    public var count: Int { codes.count }
}
