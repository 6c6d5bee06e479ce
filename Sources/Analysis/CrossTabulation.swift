/// Pixel counts of class pairs over two class maps of one grid: `counts[i][j]` = pixels whose first map holds
/// `classes[i]` and whose second holds `classes[j]`. The one counting loop behind the confusion matrix
/// (truth × predicted) and the change matrix (before × after). Pixels with a code outside `classes`, or for which
/// `skip` holds, are not counted.
enum CrossTabulation {
    static func count(_ first: [UInt8], _ second: [UInt8], classes: [UInt8], skip: (Int) -> Bool) -> [[Int]] {
        var index = [Int](repeating: -1, count: 256)
        for (k, c) in classes.enumerated() { index[Int(c)] = k }
        var m = [[Int]](repeating: [Int](repeating: 0, count: classes.count), count: classes.count)
        for i in 0..<min(first.count, second.count) where !skip(i) {
            let a = index[Int(first[i])], b = index[Int(second[i])]
            if a >= 0 && b >= 0 { m[a][b] += 1 }
        }
        return m
    }
}
