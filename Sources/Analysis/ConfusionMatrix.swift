/// Accuracy of a class map against a truth map: confusion matrix, overall accuracy, per-class precision and
/// recall, and Cohen's kappa.
///
/// `counts[i][j]` is the number of pixels whose truth is `classes[i]` and whose prediction is `classes[j]`.
/// Pixels whose truth or prediction is `ignore` (0, nodata, by default) or not in `classes` are left out.
/// - overall accuracy = Σ diag / N
/// - precision(c) = counts[c][c] / Σ_i counts[i][c] (nil when nothing was predicted as c)
/// - recall(c) = counts[c][c] / Σ_j counts[c][j] (nil when c never occurs in the truth)
/// - kappa = (p_o − p_e) / (1 − p_e), p_e = Σ_c (row_c · col_c) / N²; kappa is 1 when p_e = 1 and p_o = 1.
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    /// Class codes, in row/column order.
    public let classes: [UInt8]
    /// Pixel counts, `[truth][predicted]`.
    public private(set) var counts: [[Int]]

    /// Per-class figures, for reports.
    public struct ClassAccuracy: Sendable, Equatable, Codable {
        /// The class code.
        public var code: UInt8
        /// Precision (user's accuracy), nil when the class was never predicted.
        public var precision: Double?
        /// Recall (producer's accuracy), nil when the class is absent from the truth.
        public var recall: Double?
        /// Pixels of this class in the truth.
        public var truthPixels: Int
        /// Pixels predicted as this class.
        public var predictedPixels: Int
    }

    /// Builds the matrix from two equally sized class buffers.
    public init(truth: [UInt8], predicted: [UInt8], classes: [UInt8], ignore: UInt8? = 0) throws(AnalysisError) {
        try Check.size("predicted", predicted.count, truth.count)
        self.classes = classes
        counts = CrossTabulation.count(truth, predicted, classes: classes) { i in
            guard let ignore else { return false }
            return truth[i] == ignore || predicted[i] == ignore
        }
    }

    /// A matrix from its counts (`counts[truth][predicted]`, one row and column per class).
    public init(classes: [UInt8], counts: [[Int]]) throws(AnalysisError) {
        try Check.size("counts", counts.count, classes.count)
        for row in counts { try Check.size("counts row", row.count, classes.count) }
        self.classes = classes
        self.counts = counts
    }

    /// Adds the counts of another tile's matrix over the same classes (matrices of tiles add up to the run's).
    /// Throws `badJobInput` when the classes differ.
    public mutating func merge(_ other: ConfusionMatrix) throws(AnalysisError) {
        guard other.classes == classes else {
            throw .badJobInput(job: "accuracy", reason: "cannot add a matrix over classes \(other.classes) to one over \(classes)")
        }
        for i in counts.indices { for j in counts[i].indices { counts[i][j] += other.counts[i][j] } }
    }

    /// Pixels counted.
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

    /// Σ diag / N (nil when no pixel was counted).
    public var overallAccuracy: Double? {
        let n = total
        guard n > 0 else { return nil }
        return Double(classes.indices.reduce(0) { $0 + counts[$1][$1] }) / Double(n)
    }

    /// Cohen's kappa (nil when no pixel was counted).
    public var kappa: Double? {
        let n = Double(total)
        guard n > 0, let po = overallAccuracy else { return nil }
        var pe = 0.0
        for k in classes.indices {
            let row = Double(counts[k].reduce(0, +))
            let col = Double(counts.reduce(0) { $0 + $1[k] })
            pe += row * col
        }
        pe /= n * n
        if pe >= 1 { return po >= 1 ? 1 : 0 }
        return (po - pe) / (1 - pe)
    }

    /// Precision and recall of every class.
    public var perClass: [ClassAccuracy] {
        classes.indices.map { k in
            let row = counts[k].reduce(0, +)
            let col = counts.reduce(0) { $0 + $1[k] }
            let d = Double(counts[k][k])
            return ClassAccuracy(code: classes[k], precision: col > 0 ? d / Double(col) : nil,
                                 recall: row > 0 ? d / Double(row) : nil, truthPixels: row, predictedPixels: col)
        }
    }

    /// Intersection over union of one class: TP / (TP + FP + FN), nil when the class is absent from both.
    public func iou(of code: UInt8) -> Double? {
        guard let k = classes.firstIndex(of: code) else { return nil }
        let tp = counts[k][k]
        let row = counts[k].reduce(0, +), col = counts.reduce(0) { $0 + $1[k] }
        let union = row + col - tp
        return union > 0 ? Double(tp) / Double(union) : nil
    }
}

/// Intersection over union of two boolean masks over the pixels where `valid` holds (all when nil).
public func intersectionOverUnion(_ a: [Bool], _ b: [Bool], valid: [Bool]? = nil) -> Double? {
    var inter = 0, uni = 0
    for i in 0..<min(a.count, b.count) where valid?[i] ?? true {
        if a[i] && b[i] { inter += 1 }
        if a[i] || b[i] { uni += 1 }
    }
    return uni > 0 ? Double(inter) / Double(uni) : nil
}
